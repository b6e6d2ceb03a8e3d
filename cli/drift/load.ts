/**
 * What `phoenix drift` reads from the repository: the platform stacks, which of them are
 * replicas (and of what), and for a pair the offline plans `phoenix plan` builds, with
 * the replica's counterfactual plans the config rules need. The comparison itself is
 * pure (./compare.ts).
 */
import * as path from "node:path";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import { listStacks, loadStack, type LoadedStack } from "../stacks/stackFile";
import { BACKUP_STORAGE_PROJECT, parseStackName } from "../stacks/names";
import { UsageError } from "../shared/errors";
import type { PlanDocument } from "../plan/plan";
import { comparePlans, report, unmatchedAccepts, type Difference, type DriftReport } from "./compare";
import { configSteps, type RuleName, type StackFacts, type StackPair } from "./rules";

/** A source and its replica, by stack name. */
export interface DriftPair {
  readonly from: string;
  readonly to: string;
}

/** The platform stacks of the repository. */
export function platformStacks(root: string): string[] {
  return listStacks(projects(root).platform.dir);
}

/** Refuses a stack the repository does not have, naming the ones it has. */
export function checkStack(root: string, flag: string, stack: string): void {
  const known = platformStacks(root);
  if (!known.includes(stack))
    throw new UsageError(
      `${flag} ${stack}: no such platform stack (no Pulumi.${stack}.yaml in ${root}). Known stacks: ${known.join(", ") || "none"}`,
    );
}

/** The object at a flat config key (JSON text), or undefined. */
function configObject(loaded: LoadedStack, key: string): Record<string, unknown> | undefined {
  const text = loaded.config[key];
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every replica among the platform stacks, with its source: a stack whose
 * `<project>:backups.restoreFrom.stack` names `<storage project>/<X>` (any organization),
 * where X is another platform stack of the repository.
 */
export function findReplicas(root: string): DriftPair[] {
  const stacks = platformStacks(root);
  const dir = projects(root).platform.dir;
  const out: DriftPair[] = [];
  for (const stack of stacks) {
    const loaded = loadStack(dir, stack);
    const restore = configObject(loaded, `${loaded.project}:backups`)?.restoreFrom;
    const ref = typeof restore === "object" && restore !== null ? (restore as { stack?: unknown }).stack : undefined;
    const parts = typeof ref === "string" ? parseStackName(ref) : undefined;
    if (parts?.project === BACKUP_STORAGE_PROJECT && parts.stack !== stack && stacks.includes(parts.stack))
      out.push({ from: parts.stack, to: stack });
  }
  return out;
}

/** What the rules need of a stack, read through the config schema (its defaults included). */
async function factsOf(root: string, loaded: LoadedStack): Promise<StackFacts> {
  const { parseStackConfig } = await import("../stacks/config");
  const cfg = parseStackConfig(loaded.config, {
    project: loaded.project,
    stack: loaded.stack,
    stackFile: path.relative(root, loaded.stackFile) || loaded.stackFile,
    isSecret: (k) => loaded.secretKeys.includes(k),
  });
  return {
    project: loaded.project,
    stack: loaded.stack,
    region: cfg.region,
    cluster: cfg.cluster.name,
    cidr: cfg.network.cidr,
    gitopsPath: cfg.gitops.path,
  };
}

/** The plans of a source and its replica, and the replica's counterfactual chain (./rules.ts, `configSteps`). */
export interface LoadedPair extends DriftPair {
  readonly facts: StackPair;
  readonly fromPlan: PlanDocument;
  readonly toPlan: PlanDocument;
  readonly chain: readonly { readonly rule: RuleName; readonly plan: PlanDocument }[];
}

/** Plans both stacks offline, as `phoenix plan` does, and the replica once more per config rule it carries. */
export async function loadPair(root: string, pair: DriftPair): Promise<LoadedPair> {
  const dir = projects(root).platform.dir;
  const from = loadStack(dir, pair.from);
  const to = loadStack(dir, pair.to);
  const facts: StackPair = { from: await factsOf(root, from), to: await factsOf(root, to) };
  const planner = new Planner(root);
  const fromPlan = await planner.planPlatform({ loaded: from });
  const toPlan = await planner.planPlatform({ loaded: to });
  const chain: { rule: RuleName; plan: PlanDocument }[] = [];
  for (const step of configSteps(to.config, to.project))
    chain.push({
      rule: step.rule,
      plan: await planner.planPlatform({ loaded: { ...to, config: { ...step.config } } }),
    });
  return { ...pair, facts, fromPlan, toPlan, chain };
}

/**
 * Compares each pair and judges its differences. An --accept that names no drift of any
 * pair is refused: mistyped, or stale now that the stacks agree again.
 */
export async function driftReports(
  root: string,
  pairs: readonly DriftPair[],
  accepts: readonly string[],
): Promise<DriftReport[]> {
  const compared: { pair: DriftPair; differences: Difference[] }[] = [];
  for (const pair of pairs) {
    const l = await loadPair(root, pair);
    compared.push({ pair, differences: comparePlans(l.fromPlan, l.toPlan, l.facts, l.chain) });
  }
  const stale = accepts.filter((a) => compared.every((c) => unmatchedAccepts(c.differences, [a]).length > 0));
  if (stale.length > 0) {
    const what = pairs.map((p) => `${p.from} -> ${p.to}`).join(", ");
    throw new UsageError(
      `--accept ${stale.join(", --accept ")}: names no drift between ${what || "any stacks"}: give a KEY from the table's DRIFT rows (or a prefix of one ending at '/' or '.'), or drop it`,
    );
  }
  return compared.map((c) => report(c.pair, c.differences, accepts));
}
