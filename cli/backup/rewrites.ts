/**
 * How a restore applies the portability rewrites of ./portability.ts: the Velero resource
 * modifier rules that carry them (./modifiers.ts puts them in the restore's ConfigMap),
 * and the objects as the restore brings them back, which verification expects.
 */
import type { BackupObject } from "../recovery/backupTarball";

/** One field as a restore changes it: its new value, or removed (`to` absent). Holds a field's whole value: never put it in a report. */
export interface Rewrite {
  readonly resource: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly path: string;
  readonly to?: string;
}

/** `s` as a regular expression that matches it literally. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A value for a Velero JSON patch, or undefined when it cannot be one: Velero prints the
 * value into the patch unescaped, and unquoted when it looks like a number, a boolean,
 * null, an object or an array; a value wrapped in quotes is taken as a string
 * (internal/resourcemodifiers/json_patch.go:20-50@v1.18.1).
 */
export function jsonPatchValue(v: string): string | undefined {
  if (/["\\]/.test(v) || [...v].some((ch) => ch.charCodeAt(0) < 0x20)) return undefined;
  // Always wrapped: Velero strips the quotes and quotes the value again, so it stays a string (not a number, Inf, NaN, true or JSON).
  return `"${v}"`;
}

/** A JSON merge patch that sets (or, with `null`, removes) the field at a pointer with no array in it. */
function mergePatch(path: string, value: string | null): Record<string, unknown> {
  const segments = path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  return segments.reduceRight<Record<string, unknown>>(
    (inner, key, i) => ({ [key]: i === segments.length - 1 ? value : inner }),
    {},
  );
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && v && typeof prev === "object" && typeof v === "object"
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Whether a JSON pointer goes through an array (a segment is an index). */
export const hasArrayIndex = (path: string): boolean => path.split("/").some((s) => /^\d+$/.test(s));

/**
 * Velero resource modifier rules (v1) for the rewrites: per object, a JSON merge patch for
 * fields outside arrays (properly encoded) and a JSON patch for fields inside them, each
 * conditioned on the object's exact name. One rule holds one kind of patch
 * (resource_modifiers_validator.go:26-40@v1.18.1). Throws when a value cannot be
 * expressed as Velero's JSON patch value.
 */
export function portabilityModifierRules(rewrites: readonly Rewrite[]): Record<string, unknown>[] {
  const byObject = new Map<string, Rewrite[]>();
  for (const r of rewrites)
    byObject.set(`${r.resource}/${r.namespace ?? ""}/${r.name}`, [
      ...(byObject.get(`${r.resource}/${r.namespace ?? ""}/${r.name}`) ?? []),
      r,
    ]);
  return [...byObject.values()].flatMap((rs) => {
    const first = rs[0];
    const conditions = {
      groupResource: first.resource,
      ...(first.namespace ? { namespaces: [first.namespace] } : {}),
      resourceNameRegex: `^${escapeRegExp(first.name)}$`,
    };
    const merged = rs
      .filter((r) => !hasArrayIndex(r.path))
      .reduce<Record<string, unknown>>((acc, r) => deepMerge(acc, mergePatch(r.path, r.to ?? null)), {});
    const patches = rs
      .filter((r) => hasArrayIndex(r.path))
      .map((r) => {
        if (r.to === undefined) return { operation: "remove", path: r.path };
        const value = jsonPatchValue(r.to);
        if (value === undefined)
          throw new Error(
            `${r.kind} ${r.namespace ?? ""}/${r.name} ${r.path}: its new value has quotes or control characters, which Velero's JSON patch cannot carry`,
          );
        return { operation: "replace", path: r.path, value };
      });
    return [
      ...(Object.keys(merged).length > 0
        ? [{ conditions, mergePatches: [{ patchData: JSON.stringify(merged) }] }]
        : []),
      ...(patches.length > 0 ? [{ conditions, patches }] : []),
    ];
  });
}

/** The objects as a restore with these rewrites brings them back: what verification expects. */
export function applyRewrites(objects: readonly BackupObject[], rewrites: readonly Rewrite[]): BackupObject[] {
  if (rewrites.length === 0) return [...objects];
  return objects.map((o) => {
    const mine = rewrites.filter(
      (r) => r.resource === o.resource && (r.namespace ?? "") === (o.namespace ?? "") && r.name === o.name,
    );
    if (mine.length === 0) return o;
    const object = structuredClone(o.object);
    for (const r of mine) setAt(object, r.path, r.to);
    return { ...o, object };
  });
}

function setAt(object: Record<string, unknown>, path: string, value: string | undefined): void {
  const segments = path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let at: unknown = object;
  for (const s of segments.slice(0, -1)) at = (at as Record<string, unknown>)[s];
  const last = segments[segments.length - 1];
  const parent = at as Record<string, unknown> | unknown[];
  if (value !== undefined) (parent as Record<string, unknown>)[last] = value;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
}
