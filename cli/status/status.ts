/** `phoenix status`: the recovery posture of one stack or of every stack, and its problems. */
import * as path from "node:path";
import { stillRunning } from "../recovery/state";
import type { RecoveryEnv } from "../recovery/types";
import { drillsOf, drillsOnRecord, type DrillOnRecord } from "./drills";
import { problemsOf, type StackStatus, type StandbyDrift, type StatusDocument } from "./model";
import { locationsOf, readBuckets, type BucketOverrides, type BucketsRead } from "./read";
import { allTargets, statusTarget, type StatusTarget } from "./targets";

/** What the user asked. */
export interface StatusRequest {
  /** One stack, or every platform stack when undefined (`--all`). */
  readonly stack?: string;
  readonly buckets: BucketOverrides;
  /** Where the drill reports are (default `.phoenix/reports`). */
  readonly reportsDir?: string;
}

/** A standby's drift from its primary (`phoenix drift`'s comparison). */
export type DriftOf = (from: string, to: string) => Promise<StandbyDrift>;

async function oneStack(
  env: RecoveryEnv,
  t: StatusTarget,
  req: StatusRequest,
  drills: readonly DrillOnRecord[],
  driftOf: DriftOf,
): Promise<StackStatus> {
  const at = await locationsOf(env, t, req.buckets);
  const read: BucketsRead = at.error
    ? { buckets: {}, schedules: [], inFlight: [], rpoNow: { note: "the buckets are not known" } }
    : await readBuckets(env, t, at);
  const { last, lastPassing } = drillsOf(drills, t);
  const drift =
    t.role === "standby" && t.restoresFrom !== undefined
      ? await driftOf(t.restoresFrom, t.stack).catch((err: unknown): StandbyDrift => ({
          unexplained: [],
          accepted: 0,
          explained: 0,
          error: (err as Error).message.split("\n")[0] ?? "",
        }))
      : undefined;
  const s: Omit<StackStatus, "problems"> = {
    stack: t.stack,
    region: t.region,
    role: t.role,
    ...(t.restoresFrom !== undefined ? { restoresFrom: t.restoresFrom } : {}),
    storageStack: t.storageStack,
    buckets: read.buckets,
    declaredLock: t.declaredLock,
    schedules: read.schedules,
    ...(read.lagSeconds !== undefined ? { lagSeconds: read.lagSeconds } : {}),
    ...(read.lagNote !== undefined ? { lagNote: read.lagNote } : {}),
    inFlight: read.inFlight,
    rpoNow: { ...read.rpoNow, targetMinutes: t.rpoMinutes },
    ...(last ? { lastDrill: last } : {}),
    ...(lastPassing ? { lastPassingDrill: lastPassing } : {}),
    runningDrills: env.state
      .list()
      .filter((r) => (t.role === "standby" ? r.stack === t.stack : r.source === t.stack) && stillRunning(r, env.now()))
      .map((r) => r.id),
    maxDrillAgeDays: t.maxDrillAgeDays,
    ...(drift ? { drift } : {}),
  };
  const problems = [...(at.error ? [at.error] : []), ...problemsOf(s, env.now())];
  return { ...s, problems };
}

/** Reads the status of the stacks asked for; never writes anything anywhere. */
export async function readStatus(env: RecoveryEnv, req: StatusRequest, driftOf: DriftOf): Promise<StatusDocument> {
  const targets = req.stack === undefined ? allTargets(env.root) : [statusTarget(env.root, req.stack)];
  const drills = drillsOnRecord(path.resolve(req.reportsDir ?? path.join(env.root, ".phoenix", "reports")));
  const stacks: StackStatus[] = [];
  for (const t of targets) stacks.push(await oneStack(env, t, req, drills, driftOf));
  return {
    generatedAt: new Date(env.now()).toISOString(),
    stacks,
    problems: stacks.reduce((n, s) => n + s.problems.length, 0),
  };
}
