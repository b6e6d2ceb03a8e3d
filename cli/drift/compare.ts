/**
 * Compares two offline plans (pure): each plan flattened to keyed leaves grouped by what
 * they belong to (a resource, a Helm release, a namespace, a schedule, an output), the
 * replica's keys and values mapped into the source's vocabulary (./rules.ts), and every
 * difference that remains either explained by a rule, accepted, or drift. Pure: the
 * plans come from ./load.ts.
 */
import type { PlanDocument } from "../plan/plan";
import { substitute, type RuleName, type StackPair } from "./rules";

/** One value of a plan, where the flattening stops. */
export type Leaf = string | number | boolean | null;

/** A plan flattened: entity key (`helm/velero`) -> leaf key (`helm/velero/version`) -> value. */
export type Flat = ReadonlyMap<string, ReadonlyMap<string, Leaf>>;

/** Shown for a leaf one side does not set. */
export const UNSET = "(unset)";
/** Shown for a whole entity (resource, release, namespace, schedule, output) one side has. */
export const PRESENT = "present";
export const ABSENT = "absent";

/** A difference between the source's and the replica's plans. */
export interface Difference {
  readonly key: string;
  readonly from: Leaf;
  readonly to: Leaf;
  /** The rules that explain it, when they do. */
  readonly rules?: readonly RuleName[];
}

/**
 * The replica's plan with one more of what replicate added undone (./rules.ts,
 * `configSteps`): a chain, each step on top of the one before.
 */
export interface Counterfactual {
  readonly rule: RuleName;
  readonly flat: Flat;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A map key as a path segment: `.name` when it reads as one, `["kubernetes.io/name"]` otherwise. */
function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Array elements keyed by their `name` when every one has a distinct name (stable when one is added). */
function elementKeys(items: readonly unknown[]): string[] {
  const names = items.map((i) =>
    typeof i === "object" && i !== null && typeof (i as { name?: unknown }).name === "string"
      ? (i as { name: string }).name
      : undefined,
  );
  const distinct = new Set(names).size === names.length && names.every((n) => n !== undefined);
  return items.map((_, i) => (distinct ? `[${JSON.stringify(names[i])}]` : `[${i}]`));
}

/** Flattens a value into `out` under `prefix`: scalars and lists of scalars are leaves. */
export function flatten(value: unknown, prefix: string, out: Map<string, Leaf>): void {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) {
      out.set(prefix, JSON.stringify(value));
      return;
    }
    const keys = elementKeys(value);
    value.forEach((v, i) => flatten(v, `${prefix}${keys[i]}`, out));
    return;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) out.set(prefix, "{}");
    for (const [k, v] of entries) flatten(v, `${prefix}${segment(k)}`, out);
    return;
  }
  if (value === undefined) return;
  out.set(prefix, typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : null);
}

/** The leaves of one entity: `fields` each flattened under `<entity>/<field>`. */
function entity(key: string, fields: Record<string, unknown>): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  for (const [field, v] of Object.entries(fields)) flatten(v, `${key}/${field}`, out);
  return out;
}

/**
 * A plan flattened. Left out: the modeled cost and the policy verdict (both follow from
 * what is compared) and the placeholder legend. Helm releases are compared as releases
 * (`helm/<name>/...`), not again as resources.
 */
export function flattenPlan(plan: PlanDocument): Flat {
  const out = new Map<string, Map<string, Leaf>>();
  out.set("stack", entity("stack", { name: plan.stack, region: plan.region, project: plan.project }));
  for (const r of plan.resources) {
    if (r.type === HELM_RELEASE) continue;
    const key = `resource/${r.type}::${r.name}`;
    out.set(key, entity(key, { inputs: r.inputs, parent: r.parent, dependencies: r.dependencies, options: r.options }));
  }
  for (const h of plan.helmReleases) {
    const key = `helm/${h.name}`;
    out.set(
      key,
      entity(key, {
        chart: h.chart,
        version: h.version,
        repository: h.repository,
        namespace: h.namespace,
        values: h.values,
      }),
    );
  }
  for (const n of plan.namespaces) {
    const key = `namespace/${n.name}`;
    out.set(key, entity(key, { class: n.class, backedUp: n.backedUp, sources: n.sources }));
  }
  for (const s of plan.backupSchedules) {
    const key = `schedule/${s.name}`;
    out.set(
      key,
      entity(key, {
        schedule: s.schedule,
        ttl: s.ttl,
        includedNamespaces: s.includedNamespaces,
        excludedNamespaces: s.excludedNamespaces,
        storageLocation: s.storageLocation,
        hookNamespaces: s.hookNamespaces,
      }),
    );
  }
  for (const [name, v] of Object.entries(plan.outputs))
    out.set(`output/${name}`, entity(`output/${name}`, { value: v }));
  return out;
}

/** The replica's plan in the source's vocabulary: its keys mapped by every substitution (values stay its own). */
export function mapKeys(flat: Flat, pair: StackPair): Flat {
  const out = new Map<string, Map<string, Leaf>>();
  for (const [e, leaves] of flat) {
    const mapped = out.get(substitute(e, pair).text) ?? new Map<string, Leaf>();
    for (const [k, v] of leaves) mapped.set(substitute(k, pair).text, v);
    out.set(substitute(e, pair).text, mapped);
  }
  return out;
}

/** The rules under which the replica's value equals the source's, or undefined. */
function explainValue(from: Leaf | undefined, to: Leaf | undefined, pair: StackPair): RuleName[] | undefined {
  if (from === to) return [];
  if (typeof to !== "string" || typeof from !== "string") return undefined;
  const s = substitute(to, pair);
  return s.text === from ? s.rules : undefined;
}

/**
 * The rules that explain a difference: the substitutions alone, or the first step of the
 * counterfactual chain whose value equals the source's after them. Credited are the
 * steps on the way that changed the value (a step that left it alone did not cause it).
 */
function explain(
  from: Leaf | undefined,
  to: Leaf | undefined,
  value: (flat: Flat) => Leaf | undefined,
  pair: StackPair,
  chain: readonly Counterfactual[],
): RuleName[] | undefined {
  const direct = explainValue(from, to, pair);
  if (direct !== undefined) return direct;
  const credited: RuleName[] = [];
  let previous = to;
  for (const step of chain) {
    const v = value(step.flat);
    if (v !== previous) credited.push(step.rule);
    previous = v;
    const rules = explainValue(from, v, pair);
    if (rules !== undefined) return [...credited, ...rules];
  }
  return undefined;
}

/** The rule names without repeats. */
function ordered(rules: readonly RuleName[]): RuleName[] {
  return [...new Set(rules)];
}

/** One difference row, with its rules when they explain it. */
function row(key: string, from: Leaf | undefined, to: Leaf | undefined, rules: RuleName[] | undefined): Difference {
  return {
    key,
    from: from === undefined ? UNSET : from,
    to: to === undefined ? UNSET : to,
    ...(rules === undefined ? {} : { rules: ordered(rules) }),
  };
}

/**
 * Every difference between the source's plan and the replica's, keyed in the source's
 * vocabulary. An entity only one side has is one row (present/absent), not one per leaf.
 * `chain` is the replica's counterfactual plans (configSteps), keys
 * already mapped.
 */
export function diffPlans(from: Flat, to: Flat, pair: StackPair, chain: readonly Counterfactual[] = []): Difference[] {
  const out: Difference[] = [];
  const entities = [...new Set([...from.keys(), ...to.keys()])].sort();
  for (const e of entities) {
    const a = from.get(e);
    const b = to.get(e);
    if (a === undefined || b === undefined) {
      const has = (f: Flat): Leaf => (f.has(e) ? PRESENT : ABSENT);
      const rules = explain(has(from), has(to), has, pair, chain);
      out.push(row(e, has(from), has(to), rules));
      continue;
    }
    for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const x = a.get(k);
      const y = b.get(k);
      if (x === y) continue;
      const rules = explain(x, y, (f) => f.get(e)?.get(k), pair, chain);
      out.push(row(k, x, y, rules));
    }
  }
  return out;
}

/** A difference as the report shows it: explained by rules, accepted, or drift. */
export interface Verdict {
  readonly key: string;
  readonly from: Leaf;
  readonly to: Leaf;
  readonly rule?: string;
  readonly rules?: readonly RuleName[];
  readonly accepted?: string;
  readonly drift?: true;
}

/** Whether `accept` names `key`: the key itself, or a prefix of it ending at a `/`, `.` or `[` boundary. */
export function acceptMatches(accept: string, key: string): boolean {
  if (key === accept) return true;
  if (!key.startsWith(accept)) return false;
  return /[/.[]$/.test(accept) || /^[/.[]/.test(key.slice(accept.length));
}

/** Each difference's verdict; `accepts` turn drift into accepted (the first that names it is recorded). */
export function judge(differences: readonly Difference[], accepts: readonly string[]): Verdict[] {
  return differences.map((d) => {
    const base = { key: d.key, from: d.from, to: d.to };
    if (d.rules !== undefined)
      return { ...base, rule: d.rules.length > 0 ? d.rules.join("+") : "equal", rules: d.rules };
    const accept = accepts.find((a) => acceptMatches(a, d.key));
    return accept === undefined ? { ...base, drift: true as const } : { ...base, accepted: accept };
  });
}

/** One source and replica, judged. */
export interface DriftReport {
  readonly from: string;
  readonly to: string;
  readonly differences: readonly Verdict[];
  /** Differences neither a rule explains nor an --accept names. */
  readonly drift: number;
}

/**
 * The differences of a source's plan and its replica's: the replica's plans (its own and
 * its counterfactual chain) in the source's vocabulary, diffed.
 */
export function comparePlans(
  fromPlan: PlanDocument,
  toPlan: PlanDocument,
  facts: StackPair,
  chain: readonly { readonly rule: RuleName; readonly plan: PlanDocument }[] = [],
): Difference[] {
  const steps = chain.map((c) => ({ rule: c.rule, flat: mapKeys(flattenPlan(c.plan), facts) }));
  return diffPlans(flattenPlan(fromPlan), mapKeys(flattenPlan(toPlan), facts), facts, steps);
}

/** A pair's differences judged: the drift counted. */
export function report(
  pair: { readonly from: string; readonly to: string },
  differences: readonly Difference[],
  accepts: readonly string[],
): DriftReport {
  const judged = judge(differences, accepts);
  return { from: pair.from, to: pair.to, differences: judged, drift: judged.filter((d) => d.drift).length };
}

/** The accepts that name no difference that would otherwise be drift: stale, or mistyped. */
export function unmatchedAccepts(differences: readonly Difference[], accepts: readonly string[]): string[] {
  const drifting = differences.filter((d) => d.rules === undefined);
  return accepts.filter((a) => !drifting.some((d) => acceptMatches(a, d.key)));
}
