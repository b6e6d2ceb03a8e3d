/**
 * What the rules share: reading resource properties of unknown shape, and IAM documents
 * given as JSON text or as objects. Dependency-free at run time (types only from
 * `@pulumi/policy`), so tests and the offline plan load the rules without starting the
 * policy pack's server.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** Whether a property value is a map (not null, not a list). */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A property value as a map, or an empty one: the pack loads nothing of the command (cli/). */
export const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** A Phoenix rule: every one states its enforcement level and, in its description, why. */
export type PhoenixPolicy = (ResourceValidationPolicy | StackValidationPolicy) & {
  readonly enforcementLevel: "mandatory" | "advisory";
};

/**
 * Prefix of a value only the cloud knows, as the offline plan shows it. A real preview
 * hands such values to policies as unknowns, which `@pulumi/policy` skips; the rules
 * treat the placeholder as "set, value unknown" the same way.
 */
export const COMPUTED_PREFIX = "<computed:";

/** Whether a value is an offline placeholder for something only the cloud knows. */
export function isComputed(v: unknown): boolean {
  return typeof v === "string" && v.startsWith(COMPUTED_PREFIX);
}

/** The value as a list: a list as is, a single value as one entry, nothing as none. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** The strings of a value that is a string or a list of them. */
export function strings(v: unknown): string[] {
  return list(v).filter((s): s is string => typeof s === "string");
}

/** A policy document given as JSON text (IAM resources) or as an object; undefined when unreadable. */
export function policyDocument(v: unknown): Record<string, unknown> | undefined {
  if (isRecord(v)) return v;
  if (typeof v !== "string") return undefined;
  try {
    const doc: unknown = JSON.parse(v);
    return isRecord(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** The statements of a policy document. */
export function statementsOf(doc: Record<string, unknown> | undefined): Record<string, unknown>[] {
  return list(doc?.Statement).filter(isRecord);
}

/** The condition values of a statement, by condition key (across operators), lower-cased keys. */
export function conditionKeys(statement: Record<string, unknown>, operators: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [op, entries] of Object.entries(record(statement.Condition))) {
    if (!operators.includes(op)) continue;
    for (const [k, v] of Object.entries(record(entries)))
      out.set(k.toLowerCase(), [...(out.get(k.toLowerCase()) ?? []), ...strings(v)]);
  }
  return out;
}

/** The resources of a stack that `r` depends on, of one of the given types. */
export function dependenciesOfType(r: PolicyResource, types: readonly string[]): PolicyResource[] {
  return r.dependencies.filter((d) => types.includes(d.type));
}

/** The resources of a stack of one of the given types that depend on `target`. */
export function dependents(
  resources: readonly PolicyResource[],
  target: PolicyResource,
  types: readonly string[],
): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type) && r.dependencies.some((d) => d.urn === target.urn));
}
