/** Reading plain data of unknown shape (parsed JSON and YAML, recorded inputs). */

/** Whether a value is a plain map (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value as a map, or an empty one. */
export function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** The value when it is a string, else undefined. */
export function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The strings of a list, skipping anything else; empty when it is not a list. */
export function texts(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The value when it is a string other than "", else undefined (an unset field and an empty one alike). */
export function nonEmptyText(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The value at a path of map keys, or undefined where the path leaves the maps. */
export function valueAt(v: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((cur, key) => (isRecord(cur) ? cur[key] : undefined), v);
}
