/** What the conformance checks share: the shape of a schema or values map, a finding, and the placeholders they leave unchecked. */
import { COMPUTED, SECRET } from "../plan/placeholders";
import { SECRET_PLACEHOLDER } from "../stacks/stackFile";

/** A JSON schema node or a parsed YAML map. */
export type Schema = Record<string, unknown>;

/** A finding before it is tagged with its release. */
export interface Finding {
  readonly path: string;
  readonly message: string;
}

export function isMap(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * True for a value only AWS, the cluster or the secrets provider knows (`<computed: ...>`,
 * `[secret]`, an undecrypted `secure:` value), alone or interpolated into a string. Its
 * real value, even its type, is unknown offline: the checks neither pass nor fail it, so
 * a computed id where the schema wants a number is not reported, and nothing is claimed
 * about it either.
 */
export function isPlaceholder(v: unknown): boolean {
  return typeof v === "string" && (v.includes(COMPUTED) || v === SECRET || v.includes(SECRET_PLACEHOLDER));
}

/** JSON pointers of every placeholder value in a document. */
export function placeholderPointers(value: unknown, pointer = ""): string[] {
  if (isPlaceholder(value)) return [pointer];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : isMap(value)
      ? Object.entries(value)
      : [];
  return entries.flatMap(([k, v]) =>
    placeholderPointers(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`),
  );
}

/** A key path below `prefix`. */
export function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/** "a list", "a map", "a string": what kind of value `v` is, for messages. */
export function kindOf(v: unknown): string {
  return Array.isArray(v) ? "a list" : isMap(v) ? "a map" : `a ${typeof v}`;
}
