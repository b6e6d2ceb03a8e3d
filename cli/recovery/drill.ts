/**
 * The drill: recreate the platform in an ephemeral stack in another region, restore into
 * it from the source's DR replica, prove the result, and tear it down unless `--keep`; a
 * rehearsal runs what needs no AWS and models the rest. Also cleanup of a drill that was
 * killed or kept, and the drill list.
 */
import * as path from "node:path";
import { UsageError } from "../shared/errors";
import { Interrupted, type Phase } from "./phases";
import { type RecoveryReport } from "./report";
import { leftovers, type DrillRecord, type DrillState } from "./state";
import type { DrillRequest, RecoveryEnv } from "./types";
import { finish, restorePhases } from "./restorePhases";
import { recordDrill, startDrill } from "./drillRun";
import { preflightPhase } from "./drillPreflight";
import { clusterPhase } from "./drillCluster";
import { tearDown, teardownPhase } from "./drillTeardown";

export { tearDown };

/** `phoenix drill`: recreate, restore, prove, tear down. */
export async function drill(env: RecoveryEnv, req: DrillRequest): Promise<RecoveryReport> {
  if (req.standby !== undefined) {
    if (req.rehearse)
      return (await import("./drillStandbyModel")).rehearseStandby(env, { ...req, standby: req.standby });
    return (await import("./drillStandby")).standbyDrill(env, { ...req, standby: req.standby });
  }
  const run = await startDrill(env, req);
  const { id, source, stack, region, startedAt, p } = run;
  const reportDir = path.resolve(req.reportDir ?? path.join(env.root, ".phoenix", "reports", id));
  const base = {
    id,
    source: req.from,
    stack,
    region,
    startedAt,
    reportDir,
    targets: { rtoMinutes: source.cfg.recovery.rtoMinutes, rpoMinutes: source.cfg.recovery.rpoMinutes },
  };
  const restore = (): Phase[] =>
    restorePhases(env, source.cfg, source.imperative, () => `${p.location?.bucket} (${p.location?.region})`, p, id);
  const phases: Phase[] = req.rehearse
    ? [preflightPhase(run)]
    : [preflightPhase(run), clusterPhase(run), ...restore(), teardownPhase(run)];
  const report = await finish(req.rehearse ? "rehearsal" : "drill", env, base, phases, p, (name) =>
    recordDrill(run, { phase: name }),
  );
  recordDrill(run, {
    status: report.outcome === "passed" ? "passed" : report.outcome === "interrupted" ? "interrupted" : "failed",
  });
  return report;
}

/** `phoenix drill cleanup ID`: finishes the teardown of a drill that was killed. */
export async function cleanupDrill(
  env: RecoveryEnv,
  id: string,
  update: (s: string) => void = () => undefined,
): Promise<string> {
  const rec = env.state.get(id);
  if (!rec) throw new UsageError(`no drill ${id} in ${env.state.dir}: \`phoenix drill list\` shows the recorded ones`);
  if (rec.status === "running" && rec.pid !== process.pid && leftovers([rec]).length === 0)
    throw new UsageError(`drill ${id} is still running (process ${rec.pid}): stop it with Ctrl-C, which tears it down`);
  const done = rec.standby
    ? await (await import("./drillStandby")).putBack(env, { ...rec, status: "cleaned" }, undefined, update)
    : await tearDown(env, { ...rec, status: "cleaned" }, undefined, update);
  env.state.update(id, { status: "cleaned" });
  return done;
}

/** `phoenix drill list`: every recorded drill, and whether it left something behind. */
export function listDrills(state: DrillState): { record: DrillRecord; leftover: boolean }[] {
  const left = new Set(leftovers(state.list()).map((r) => r.id));
  return state.list().map((r) => ({ record: r, leftover: left.has(r.id) }));
}

/**
 * Raises an interrupt (the command's signal handlers): every wait stops; a running
 * `pulumi up` is cancelled only on SIGTERM, because a terminal's Ctrl-C has reached it
 * already and a second SIGINT would make it stop at once, leaving pending operations.
 */
export function interrupt(
  interrupts: { readonly waits: AbortController; readonly engine: AbortController },
  signal: string,
): void {
  if (!interrupts.waits.signal.aborted) interrupts.waits.abort(new Interrupted(signal));
  if (signal === "SIGTERM" && !interrupts.engine.signal.aborted) interrupts.engine.abort(new Interrupted(signal));
}
