/** JSON-schema navigation: the schema nodes that constrain a key or a list item, with `$ref`s and combinators followed. */
import { isMap, type Schema } from "./values";

function resolveRef(root: Schema, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined; // remote refs: not followed
  let node: unknown = root;
  for (const raw of ref
    .slice(1)
    .split("/")
    .filter((s) => s !== "")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isMap(node) ? node[key] : undefined;
  }
  return node;
}

/** A schema node with its `$ref` and combinator branches, flattened: every node that constrains this spot. */
export function expand(node: unknown, root: Schema, seen: Set<unknown> = new Set()): Schema[] {
  if (!isMap(node) || seen.has(node)) return [];
  seen.add(node);
  const out: Schema[] = [node];
  if (typeof node.$ref === "string") out.push(...expand(resolveRef(root, node.$ref), root, seen));
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const branches = node[k];
    if (Array.isArray(branches)) for (const b of branches) out.push(...expand(b, root, seen));
  }
  for (const k of ["then", "else"]) out.push(...expand(node[k], root, seen));
  return out;
}

/**
 * Schemas for key `key` below `nodes`: named in `properties`, matched by
 * `patternProperties`, or covered by an `additionalProperties` that is itself a
 * non-empty schema (the schema documenting a typed free-form map). A bare
 * `additionalProperties: true` declares nothing: it is only the schema being open.
 */
export function propertySchemas(nodes: readonly Schema[], root: Schema, key: string): Schema[] {
  return nodes.flatMap((n) => {
    const found: unknown[] = [];
    if (isMap(n.properties) && Object.hasOwn(n.properties, key)) found.push(n.properties[key]);
    if (isMap(n.patternProperties)) {
      for (const [pattern, s] of Object.entries(n.patternProperties)) {
        try {
          if (new RegExp(pattern, "u").test(key)) found.push(s);
        } catch {
          // A pattern JavaScript cannot compile declares nothing here.
        }
      }
    }
    if (isMap(n.additionalProperties) && Object.keys(n.additionalProperties).length > 0)
      found.push(n.additionalProperties);
    // `true` is the schema that allows anything: declared, with nothing below it.
    return found.flatMap((s) => expand(s === true ? {} : s, root));
  });
}

/** Schemas for the items of a list below `nodes` (`items` and `prefixItems`). */
export function itemSchemas(nodes: readonly Schema[], root: Schema): Schema[] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : isMap(v) ? [v] : []);
  return nodes.flatMap((n) => [...list(n.items), ...list(n.prefixItems)].flatMap((s) => expand(s, root)));
}

/** Whether any of `nodes` names keys: properties, patterns, or a typed free-form map. */
export function declaresKeys(nodes: readonly Schema[]): boolean {
  return nodes.some(
    (n) =>
      (isMap(n.properties) && Object.keys(n.properties).length > 0) ||
      isMap(n.patternProperties) ||
      (isMap(n.additionalProperties) && Object.keys(n.additionalProperties).length > 0),
  );
}
