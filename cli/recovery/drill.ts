/**
 * The drill: recreate the platform in an ephemeral stack in another region, restore into
 * it from the source's DR replica, prove the result, and tear it down unless `--keep`; a
 * rehearsal runs what needs no AWS and models the rest. Also cleanup of a drill that was
 * killed or kept, and the drill list.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { BACKUP_STORAGE_PROJECT, stackFileName } from "../stacks/names";
import type { EngineAdapter, EngineStack } from "../engine/adapter";
import type { PlanDocument } from "../plan/plan";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import { stackFromDocument } from "../stacks/stackFile";
import { deriveReplica, type DerivedReplica } from "../replicate/derive";
import { existingStacks } from "../replicate";
import { UsageError } from "../shared/errors";
import { modelRecovery, modelRpo } from "./model";
import { checkBackup, plannedStorageClasses, portabilitySummary, refuseUnportable } from "../backup/check";
import { modelTimeline } from "../plan/timeline";
import { Interrupted, type Phase } from "./phases";
import { type RecoveryReport } from "./report";
import { DrillState, leftovers, stillRunning, type DrillRecord } from "./state";
import type { DrillRequest, Progress, RecoveryEnv } from "./types";
import type { StoreLocation } from "./adapters";
import {
  asText,
  checksOf,
  configString,
  deriveDrillStack,
  drillId,
  readSource,
  replicaRegion,
  str,
  type Source,
} from "./source";
import { findBackup } from "./backupSearch";
import { finish, restorePhases } from "./restorePhases";

/** One drill under way: what was asked, where it goes, and what its phases share. */
interface DrillRun {
  readonly env: RecoveryEnv;
  readonly req: DrillRequest;
  readonly id: string;
  readonly startedAt: number;
  readonly source: Source;
  readonly region: string;
  readonly project: string;
  /** The ephemeral stack, `<source>-<id>`, its file and its place in the engine. */
  readonly stack: string;
  readonly stackFile: string;
  readonly platform: EngineStack;
  readonly p: Progress;
  /** The stack preflight derives, which the cluster phase writes and deploys. */
  derivation?: Derivation;
}

/** The ephemeral stack as replicate derives it, and the stack file's text. */
interface Derivation {
  readonly derived: DerivedReplica;
  readonly text: string;
}

/** The source's storage outputs, and where the backups are read: its DR replica (and its primary, when known). */
interface ReplicaStorage {
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly location: StoreLocation;
  readonly primary?: StoreLocation;
}

/** The drill's id, source, target region and stack: what it knows before any phase runs. */
async function startDrill(env: RecoveryEnv, req: DrillRequest): Promise<DrillRun> {
  const startedAt = env.now();
  const id = drillId(startedAt);
  const source = await readSource(env.root, req.from);
  const region = req.region ?? replicaRegion(env.root, source);
  const stack = `${req.from}-${id}`;
  const dirs = projects(env.root);
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack };
  const stackFile = path.join(dirs.platform.dir, stackFileName(stack));
  return {
    env,
    req,
    id,
    startedAt,
    source,
    region,
    project: source.loaded.project,
    stack,
    stackFile,
    platform,
    p: { stackCreated: false },
  };
}

/** Updates the drill's record, once the cluster phase has written it. */
function recordDrill(run: DrillRun, patch: Partial<DrillRecord>): void {
  if (run.p.record) run.p.record = run.env.state.update(run.id, patch);
}

/** Derives the ephemeral stack as replicate does. */
function deriveStack(run: DrillRun, update: (s: string) => void): Derivation {
  update("deriving the ephemeral stack as replicate does");
  const sourceText = fs.readFileSync(run.source.loaded.stackFile, "utf8");
  const derived = deriveReplica(
    { from: run.req.from, stack: run.stack, region: run.region },
    existingStacks(run.env.root),
    sourceText,
    undefined,
  );
  return { derived, text: deriveDrillStack(derived, run.project, run.id) };
}

/** Plans the derived stack offline and models the recovery and its RPO on that plan. */
async function planOffline(run: DrillRun, text: string, update: (s: string) => void): Promise<PlanDocument> {
  const { env, source, p } = run;
  update("checking it with the offline plan");
  const loaded = stackFromDocument(run.project, run.stack, run.stackFile, parse(text));
  const planner = new Planner(env.root);
  const plan = await planner.planPlatform({ loaded });
  // A real recovery into another region deploys a storage stack like the source's first; the drill links to the source's.
  const storagePlan = await planner.planStorage({ stack: source.storage.stack });
  const size = { dataGiB: source.cfg.recovery.expectedDataGiB, items: source.cfg.recovery.expectedItems };
  p.modeled = modelRecovery(plan.resources, {
    size,
    applications: source.cfg.gitops.applications.length,
    storage: storagePlan.resources,
  });
  p.storageSeconds = modelTimeline(storagePlan.resources).total;
  p.modeledRpo = modelRpo(
    source.cfg.backups.schedules.map((s) => s.cron),
    new Date(env.now()),
    size,
  );
  return plan;
}

/** A rehearsal's restore as a drill would run it: the namespaces, and the verify commands as a shell would read them. */
function wouldRestore(run: DrillRun, plan: PlanDocument): NonNullable<Progress["wouldRestore"]> {
  // As a shell would read it: an argument with spaces or quotes is single-quoted.
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const checks = checksOf(plan.outputs, run.source.cfg).map((c) => ({
    namespace: c.namespace,
    command: c.command.map(quote).join(" "),
  }));
  return { namespaces: run.source.imperative, checks };
}

/** Refuses to start while a drill of the same source runs; answers the source's drill records. */
function refuseRunning(run: DrillRun, update: (s: string) => void): DrillRecord[] {
  const { env, req } = run;
  update("looking for running and leftover drills");
  const records = env.state.list().filter((r) => r.source === req.from);
  const running = records.filter((r) => stillRunning(r, env.now()));
  if (running.length > 0)
    throw new UsageError(
      `drill ${running[0].id} of ${req.from} is running (${running[0].host}, process ${running[0].pid}, since ${running[0].startedAt}): let it finish, or stop it with Ctrl-C (it tears down)`,
    );
  return records;
}

/** Refuses to start while a drill of the same source left resources behind, recorded or not. */
async function refuseLeftovers(run: DrillRun, engine: EngineAdapter, records: readonly DrillRecord[]): Promise<void> {
  const { env, req } = run;
  const left = leftovers(records);
  // An ephemeral stack in the backend that no record here knows: a drill run elsewhere, or one whose record was lost.
  const strays = (await engine.listStacks(run.platform)).filter(
    (s) => s.startsWith(`${req.from}-drill-`) && !env.state.list().some((r) => r.stack === s),
  );
  if (left.length > 0 || strays.length > 0) {
    throw new UsageError(
      `a drill of ${req.from} left resources behind: ${[...left.map((r) => `${r.id} (stack ${r.stack}, ${r.status} at ${r.phase})`), ...strays.map((s) => `stack ${s} (no record)`)].join(", ")}; ` +
        `finish it first: ${left.length > 0 ? `phoenix drill cleanup ${left[0].id}` : `pulumi destroy --run-program --stack ${strays[0]} && pulumi stack rm ${strays[0]}`}`,
    );
  }
}

/** Reads the source storage's outputs: where its DR replica is (the drill's backup location) and its primary. */
async function readReplicaStorage(
  run: DrillRun,
  engine: EngineAdapter,
  update: (s: string) => void,
): Promise<ReplicaStorage> {
  const { source } = run;
  update(`reading ${source.storage.stack}'s storage outputs`);
  const outputs = await engine.outputs(source.storage);
  const region = str(outputs.replicaRegion, "replicaRegion", `${BACKUP_STORAGE_PROJECT}/${source.storage.stack}`);
  const location = { bucket: str(outputs.replicaBucket, "replicaBucket", source.storage.stack), region };
  const primary =
    typeof outputs.bucket === "string" && typeof outputs.region === "string"
      ? { bucket: outputs.bucket, region: outputs.region }
      : undefined;
  return { outputs, location, ...(primary ? { primary } : {}) };
}

/** Finds the backup to restore on the replica and checks it for references bound to the source region; answers what it found. */
async function chooseBackup(
  run: DrillRun,
  storage: ReplicaStorage,
  plan: PlanDocument,
  update: (s: string) => void,
): Promise<string[]> {
  const { env, req, source, p } = run;
  update(`finding the backup on ${storage.location.bucket} (${storage.location.region})`);
  const b = await findBackup(env, storage.location, storage.primary, source.imperative, req.backup);
  p.backup = b.backup;
  p.rpo = {
    ageSeconds: b.ageSeconds,
    ...(b.lagSeconds !== undefined ? { lagSeconds: b.lagSeconds } : {}),
    lagNote: b.lagNote,
  };
  p.passedOver = b.passedOver;
  const found = [`backup ${b.backup.name}, ${Math.round(b.ageSeconds / 60)} min old`];
  update(`checking ${b.backup.name} for references bound to ${source.cfg.region}`);
  p.portability = await checkBackup(env.store(storage.location), b.backup.name, source.imperative, {
    sourceRegion: source.cfg.region,
    targetRegion: run.region,
    ...plannedStorageClasses(plan.resources),
  });
  refuseUnportable(p.portability, req.acceptUnportable === true);
  found.push(portabilitySummary(p.portability));
  return found;
}

/** Proves the kopia repository password can be read in the DR region; answers what that proves. */
async function readRepositoryPassword(
  run: DrillRun,
  storage: ReplicaStorage,
  update: (s: string) => void,
): Promise<string> {
  const { source } = run;
  const replicaRegion = storage.location.region;
  // A repository keeps the password it was made with (velero #6443): the DR region must read the same one.
  const secret = storage.outputs.replicaRepositoryPasswordSecretArn;
  if (typeof secret !== "string") {
    throw new Error(
      `${BACKUP_STORAGE_PROJECT}/${source.storage.stack} exports no replicaRepositoryPasswordSecretArn: without Phoenix's own kopia repository password, volume data would be under Velero's published default (velero #6443); run \`phoenix up --stack ${source.storage.stack}\``,
    );
  }
  update(`reading the kopia repository password in ${replicaRegion}`);
  await run.env.aws().readSecret(secret, replicaRegion);
  return `replica key opens here (backup metadata read and decrypted); repository password readable in ${replicaRegion}`;
}

/** Preflight: derive and plan offline; for a real drill, refuse leftovers, find the backup, check access. */
function preflightPhase(run: DrillRun): Phase {
  const { req, stack, region } = run;
  return {
    name: "preflight",
    title: req.rehearse
      ? `Preflight (offline): derive ${stack} in ${region} and plan it`
      : `Preflight: derive ${stack} in ${region}, plan it offline, find the backup, check access`,
    run: async (update) => {
      run.derivation = deriveStack(run, update);
      const plan = await planOffline(run, run.derivation.text, update);
      const found = [`derived and planned offline: ${plan.resources.length} resources`];
      if (req.rehearse) {
        run.p.wouldRestore = wouldRestore(run, plan);
        return found.join("; ");
      }
      const records = refuseRunning(run, update);
      const engine = run.env.engine();
      await refuseLeftovers(run, engine, records);
      const storage = await readReplicaStorage(run, engine, update);
      run.p.location = storage.location;
      found.push(...(await chooseBackup(run, storage, plan, update)));
      found.push(await readRepositoryPassword(run, storage, update));
      return found.join("; ");
    },
  };
}

/** Records the drill (as "may exist"), writes the stack file and creates the stack, with its secrets copied re-encrypted. */
async function createDrillStack(run: DrillRun, engine: EngineAdapter, update: (s: string) => void): Promise<void> {
  const { env, req, id, stack, region, stackFile, platform, project, p } = run;
  const text = run.derivation?.text ?? "";
  const derived = run.derivation?.derived;
  // Recorded before anything is created, as "may exist": a drill killed at any point
  // can be found and finished, its cluster's name known before `up` makes anything.
  const clusterName = configString(text, [`${project}:cluster`, "name"]) ?? `${project}-${stack}`;
  p.record = env.state.write({
    id,
    source: req.from,
    stack,
    region,
    startedAt: new Date(run.startedAt).toISOString(),
    host: os.hostname(),
    pid: process.pid,
    phase: "cluster",
    status: "running",
    stackCreated: true,
    files: [stackFile],
    stackText: text,
    keep: req.keep,
    clusterName,
  });
  fs.writeFileSync(stackFile, text);
  p.stackCreated = true;
  await engine.ensureStack(platform, {
    create: true,
    ...(derived?.secretsProvider ? { secretsProvider: derived.secretsProvider } : {}),
  });
  const source_: EngineStack = { ...platform, stack: req.from };
  for (const key of derived?.secretPaths ?? []) {
    update(`copying secret ${key} re-encrypted`);
    await engine.setConfig(platform, key, await engine.getConfig(source_, key, true), true);
  }
}

/** Cluster: link backup storage, `pulumi up` the stack, keep its outputs and kubeconfig. */
function clusterPhase(run: DrillRun): Phase {
  const { env, stack, platform, p } = run;
  return {
    name: "cluster",
    title: `Cluster: link backup storage, then \`pulumi up\` ${stack}`,
    run: async (update) => {
      const engine = env.engine();
      await createDrillStack(run, engine, update);
      const changes = await engine.up(platform, update, { signal: env.engineSignal });
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      recordDrill(run, {
        ...(asText(p.outputs.clusterName) ? { clusterName: asText(p.outputs.clusterName) } : {}),
        ...(typeof p.outputs.vpcId === "string" ? { vpcId: p.outputs.vpcId } : {}),
      });
      return `${stack} up: ${Object.entries(changes)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`;
    },
  };
}

/** Teardown (always runs): unless `--keep`, tears down whatever the drill created. */
function teardownPhase(run: DrillRun): Phase {
  const { env, req, id, stack, p } = run;
  return {
    name: "teardown",
    title: `Teardown: release load balancers, destroy and remove ${stack}`,
    always: true,
    run: async (update) => {
      if (req.keep) return `kept (--keep): \`phoenix drill cleanup ${id}\` tears it down`;
      if (!p.record) return "nothing was created";
      const done = await tearDown(env, p.record, p.kubeconfig, update);
      p.stackCreated = false;
      return done;
    },
  };
}

/** `phoenix drill`: recreate, restore, prove, tear down. */
export async function drill(env: RecoveryEnv, req: DrillRequest): Promise<RecoveryReport> {
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

/** Tears a drill's stack down: what Kubernetes made in AWS, the stack's resources, the stack, its file. */
export async function tearDown(
  env: RecoveryEnv,
  rec: DrillRecord,
  kubeconfig: string | undefined,
  update: (s: string) => void,
): Promise<string> {
  const engine = env.engine();
  const dirs = projects(env.root);
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack: rec.stack };
  const steps: string[] = [];
  // Destroy runs the program, with the stack's config: a cleanup on another machine writes the file back.
  const file = path.join(dirs.platform.dir, stackFileName(rec.stack));
  if (rec.stackCreated && rec.stackText && !fs.existsSync(file)) fs.writeFileSync(file, rec.stackText);
  const exists = rec.stackCreated && (await engine.listStacks(platform)).includes(rec.stack);
  if (rec.stackCreated && !exists) steps.push(`stack ${rec.stack} was never created`);
  if (exists) {
    let config = kubeconfig;
    if (!config) {
      try {
        config = asText(await engine.secretOutput(platform, "kubeconfig"));
      } catch {
        config = "";
      }
    }
    if (config && rec.clusterName) {
      // Teardown must finish even after Ctrl-C: it gets no signal of its own. A release
      // that fails does not stop it: the platform's own delete hook tries again in destroy.
      try {
        steps.push(
          await env.release(
            config,
            { clusterName: rec.clusterName, region: rec.region, ...(rec.vpcId ? { vpcId: rec.vpcId } : {}) },
            { timeoutSeconds: 20 * 60, progress: update },
          ),
        );
      } catch (err) {
        steps.push(
          `releasing what Kubernetes made in AWS failed (${(err as Error).message}); destroy's delete hook tries again`,
        );
      }
    }
    update(`pulumi destroy --run-program ${rec.stack}`);
    const changes = await engine.destroy(platform, update);
    steps.push(`destroyed ${Object.values(changes).reduce((a, b) => a + b, 0)} resources`);
    await engine.removeStack(platform);
    steps.push(`stack ${rec.stack} removed`);
  }
  for (const f of new Set([...rec.files, file])) fs.rmSync(f, { force: true });
  env.state.update(rec.id, {
    stackCreated: false,
    files: [],
    phase: "teardown",
    ...(rec.status === "running" ? {} : { status: "cleaned" }),
  });
  return steps.join("; ") || "nothing to tear down";
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
  const done = await tearDown(env, { ...rec, status: "cleaned" }, undefined, update);
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
