/** Reading plain data of unknown shape (parsed JSON and YAML, recorded inputs). */

/** Whether a value is a plain map (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value as a map, or an empty one. */
export function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}
