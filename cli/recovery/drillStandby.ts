/**
 * A drill on a pilot-light standby (`phoenix drill run --standby S`): the recovery a
 * failover would run, on the standby itself, minus what would take the primary's work.
 * It scales the node groups for the drill (`phoenix:standby.drill`; DNS and backups stay
 * off), restores from the primary's replica, verifies, then leaves the standby as it
 * found it: what the restore made is deleted by Velero's label, the stack file written
 * back byte for byte, and one `pulumi up` scales the node groups back to zero.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineStack } from "../engine/adapter";
import { stackFileName } from "../stacks/names";
import { projects } from "../stacks/projects";
import { UsageError } from "../shared/errors";
import type { StoreLocation } from "./adapters";
import { drillId, readSource, asText, type Source } from "./source";
import { finish, restoreName, restorePhases } from "./restorePhases";
import { drillingText, standbyPreflight } from "./standby";
import { leftovers, stillRunning, type DrillRecord } from "./state";
import { resourceTypes } from "./verify";
import type { Phase } from "./phases";
import type { RecoveryReport } from "./report";
import type { DrillRequest, Progress, RecoveryEnv } from "./types";

/** Refuses a stack that is no standby, one promoted, and one another drill is on or left behind. */
function refuse(env: RecoveryEnv, source: Source): void {
  const stack = source.loaded.stack;
  const s = source.cfg.standby;
  if (!s)
    throw new UsageError(`${stack} is not a pilot-light standby (no phoenix:standby): drill it with --from ${stack}`);
  if (s.promoted)
    throw new UsageError(
      `${stack} is promoted: it does the primary's work; drill it as a primary with --from ${stack}`,
    );
  const records = env.state.list().filter((r) => r.stack === stack && r.standby);
  const busy = [...records.filter((r) => stillRunning(r, env.now())), ...leftovers(records)];
  if (busy.length > 0 || s.drill)
    throw new UsageError(
      `a drill is on ${stack} or left it scaled (${busy[0]?.id ?? s.drill}): finish it first with phoenix drill cleanup ${busy[0]?.id ?? s.drill}`,
    );
}

/** One standby drill under way. */
interface StandbyRun {
  readonly env: RecoveryEnv;
  readonly req: DrillRequest;
  readonly id: string;
  readonly startedAt: number;
  readonly source: Source;
  readonly platform: EngineStack;
  readonly p: Progress;
}

/** Preflight: the backup on the primary's replica, as a recovery finds it; then the drill modeled offline, its cost checked. */
function preflightPhase(run: StandbyRun): Phase {
  const { env, req, id, source, p } = run;
  const find = standbyPreflight(env, source, req.backup, req.acceptUnportable === true, p);
  return {
    ...find,
    run: async (update) => {
      const found = await find.run(update);
      const { modelStandbyDrill } = await import("./drillStandbyModel");
      return `${found}; ${await modelStandbyDrill(env, source, id, p, req.maxCostUsd, update)}`;
    },
  };
}

/** Scale: record the drill, write the drill's key, `pulumi up` the standby; keeps its outputs and kubeconfig. */
function scalePhase(run: StandbyRun): Phase {
  const { env, req, id, source, platform, p } = run;
  const file = source.loaded.stackFile;
  return {
    name: "cluster",
    title: `Scale ${platform.stack} for the drill: node groups at their sizes, DNS and backups off (no new cluster)`,
    run: async (update) => {
      const original = fs.readFileSync(file, "utf8");
      const backup = p.backup?.name ?? "";
      p.record = env.state.write({
        id,
        source: platform.stack,
        stack: platform.stack,
        region: source.cfg.region,
        startedAt: new Date(run.startedAt).toISOString(),
        host: os.hostname(),
        pid: process.pid,
        phase: "cluster",
        status: "running",
        stackCreated: false,
        files: [],
        keep: req.keep,
        standby: {
          originalText: original,
          restore: restoreName(backup, id),
          backup,
          location: p.location as StoreLocation,
          namespaces: source.imperative,
        },
      });
      fs.writeFileSync(file, drillingText(original, source.cfg.project, id));
      const changes = await env.engine().up(platform, update, { signal: env.engineSignal });
      p.outputs = await env.engine().outputs(platform);
      p.kubeconfig = asText(await env.engine().secretOutput(platform, "kubeconfig"));
      return `${platform.stack} scaled: ${Object.entries(changes)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`;
    },
  };
}

/**
 * Puts a drilled standby back: deletes what the drill's restore made (found by Velero's
 * label, so nothing Pulumi or Argo CD made is touched), writes the stack file back as it
 * was, and scales the node groups back to zero with one `pulumi up`.
 */
export async function putBack(
  env: RecoveryEnv,
  rec: DrillRecord,
  kubeconfig: string | undefined,
  update: (s: string) => void,
): Promise<string> {
  const s = rec.standby;
  if (!s) throw new Error(`drill ${rec.id} was not on a standby`);
  const engine = env.engine();
  const dir = projects(env.root).platform.dir;
  const platform: EngineStack = { project: "platform", workDir: dir, stack: rec.stack };
  const steps: string[] = [];
  const config = kubeconfig || asText(await engine.secretOutput(platform, "kubeconfig"));
  if (s.restore && s.backup && s.location && config) {
    update(`deleting what restore ${s.restore} made in ${s.namespaces.join(", ")}`);
    const types = resourceTypes(await env.store(s.location).backupObjects(s.backup), s.namespaces);
    const n = await (await env.cluster(config)).deleteRestored(s.namespaces, types, s.restore);
    steps.push(`${n} restored objects deleted`);
  }
  const file = path.join(dir, stackFileName(rec.stack));
  fs.writeFileSync(file, s.originalText);
  update(`pulumi up ${rec.stack}: node groups back to zero`);
  const changes = await engine.up(platform, update, { signal: new AbortController().signal });
  steps.push(
    `stack file put back; ${rec.stack} standing by again (${Object.values(changes).reduce((a, b) => a + b, 0)} changes)`,
  );
  env.state.update(rec.id, {
    phase: "teardown",
    standby: { ...s, putBack: true },
    ...(rec.status === "running" ? {} : { status: "cleaned" }),
  });
  return steps.join("; ");
}

/** Teardown of a standby drill (always runs): unless `--keep`, puts the standby back as it was. */
function putBackPhase(run: StandbyRun): Phase {
  const { env, req, id, p } = run;
  return {
    name: "teardown",
    title: `Teardown: delete what the restore made, put ${run.platform.stack} back to standing by`,
    always: true,
    run: async (update) => {
      if (req.keep) return `kept scaled (--keep): \`phoenix drill cleanup ${id}\` puts it back`;
      if (!p.record) return "nothing was changed";
      return putBack(env, p.record, p.kubeconfig, update);
    },
  };
}

/** `phoenix drill run --standby S`: scale, restore, verify, report, put back. */
export async function standbyDrill(env: RecoveryEnv, req: DrillRequest & { standby: string }): Promise<RecoveryReport> {
  const startedAt = env.now();
  const id = drillId(startedAt);
  const source = await readSource(env.root, req.standby);
  refuse(env, source);
  const platform: EngineStack = { project: "platform", workDir: projects(env.root).platform.dir, stack: req.standby };
  const run: StandbyRun = { env, req, id, startedAt, source, platform, p: { stackCreated: false } };
  const { p } = run;
  const reportDir = path.resolve(req.reportDir ?? path.join(env.root, ".phoenix", "reports", id));
  const base = {
    id,
    source: req.standby,
    stack: req.standby,
    region: source.cfg.region,
    startedAt,
    reportDir,
    targets: { rtoMinutes: source.cfg.recovery.rtoMinutes, rpoMinutes: source.cfg.recovery.rpoMinutes },
  };
  const phases: Phase[] = [
    preflightPhase(run),
    scalePhase(run),
    ...restorePhases(env, source.cfg, source.imperative, () => `${p.location?.bucket} (${p.location?.region})`, p, id),
    putBackPhase(run),
  ];
  const report = await finish("drill", env, base, phases, p, (name) => {
    if (p.record) p.record = env.state.update(id, { phase: name });
  });
  if (p.record)
    env.state.update(id, {
      status: report.outcome === "passed" ? "passed" : report.outcome === "interrupted" ? "interrupted" : "failed",
    });
  return report;
}
