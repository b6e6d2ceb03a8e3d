/**
 * The drill and `recover`: one set of phases (preflight, cluster, gitops, restore,
 * verify, report, teardown), two uses. A drill recreates the platform in an ephemeral
 * stack in another region, restores into it from the source's DR replica, proves the
 * result, and always tears it down unless `--keep`. `recover` rebuilds a stack for real
 * (in place, or as a replica in another region) and keeps it. A rehearsal runs what needs
 * no AWS and models the rest.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { BACKUP_STORAGE_PROJECT, parseStackName } from "../../stacks/backup-storage/outputs";
import { stackFileName } from "../../stacks/config";
import type { PhoenixConfig } from "../../stacks/platform/config";
import type { EngineAdapter, EngineStack } from "../engine/adapter";
import { Planner } from "../offline/planner";
import { projects } from "../offline/projects";
import type { PlanDocument } from "../offline/plan";
import { loadStack, stackFromDocument, type LoadedStack } from "../offline/stackFile";
import { deriveReplica, securePaths, type DerivedReplica } from "../replicate/derive";
import { existingStacks } from "../replicate";
import { isRecord } from "../shared/data";
import { UsageError } from "../shared/errors";
import type { Io } from "../shared/io";
import type { AwsAccess, BackupStore, RecoveryCluster, ReleaseExternal, RestoreOutcome, StoreLocation } from "./adapters";
import { modelRecovery, modelRpo } from "./model";
import { Interrupted, runPhases, type Phase, type PhaseName, type PhaseResult } from "./phases";
import { buildReport, writeReport, type RecoveryReport, type ReportBase } from "./report";
import { DrillState, leftovers, type DrillRecord } from "./state";
import { verifyRestore, type HookResult, type RestoreCheck, type Verification } from "./verify";
import { pickBackup, restoreManifest, type BackupSummary } from "./velero";

/** Velero's namespace and the restore modifiers ConfigMap, as the platform installs them. */
const VELERO_NAMESPACE = "velero";

/** What recovery runs against; tests replace every part. */
export interface RecoveryEnv {
  readonly root: string;
  readonly engine: () => EngineAdapter;
  readonly store: (loc: StoreLocation) => BackupStore;
  readonly cluster: (kubeconfig: string, context?: string) => Promise<RecoveryCluster>;
  readonly aws: () => AwsAccess;
  readonly release: ReleaseExternal;
  readonly state: DrillState;
  readonly io: Io;
  readonly now: () => number;
  /** Fires on Ctrl-C or SIGTERM. */
  readonly signal: AbortSignal;
}

/** What the user asked of a drill. */
export interface DrillRequest {
  readonly from: string;
  /** Default: the region of the source storage's DR replica, where the backups to restore are. */
  readonly region?: string;
  readonly backup?: string;
  readonly keep: boolean;
  readonly reportDir?: string;
  readonly rehearse: boolean;
}

/** The source stack, as recovery needs it. */
export interface Source {
  readonly loaded: LoadedStack;
  readonly cfg: PhoenixConfig;
  readonly plan: PlanDocument;
  /** The storage stack the source writes to, in the storage project. */
  readonly storage: EngineStack;
  /** Its name as a stack reference takes it. */
  readonly storageRef: string;
  readonly imperative: readonly string[];
}

export async function readSource(root: string, stack: string): Promise<Source> {
  const dirs = projects(root);
  const loaded = loadStack(dirs.platform.dir, stack);
  const { parseStackConfig } = await import("../../stacks/platform/config");
  const cfg = parseStackConfig(loaded.config, { project: loaded.project, stack, stackFile: path.relative(root, loaded.stackFile) || loaded.stackFile });
  const plan = await new Planner(root).planPlatform({ loaded });
  const storageRef = cfg.backups.storage.stack ?? `${BACKUP_STORAGE_PROJECT}/${stack}`;
  const storageName = parseStackName(storageRef)?.stack ?? stack;
  return {
    loaded,
    cfg,
    plan,
    storage: { project: "storage", workDir: dirs.storage.dir, stack: storageName },
    storageRef,
    imperative: plan.namespaces.filter((n) => n.class === "imperative").map((n) => n.name),
  };
}

/**
 * The ephemeral stack's file: derived as `replicate` derives a region, then linked to
 * the source's backup storage instead of new buckets (a drill must not leave retained
 * buckets behind), with its own schedules off (it must never write backups), and its
 * cluster destroyable.
 */
export function deriveDrillStack(derived: DerivedReplica, project: string, id: string): string {
  const doc = parseDocument(derived.platformText);
  const set = (p: readonly (string | number)[], value: string | boolean, why: string): void => {
    const node = doc.createNode(value);
    node.comment = ` drill: ${why}`;
    doc.setIn(["config", ...p], node);
  };
  doc.commentBefore = ` Ephemeral stack of drill ${id}: written by \`phoenix drill\`, removed by its teardown.\n${doc.commentBefore ?? ""}`;
  set([`${project}:backups`, "storage", "stack"], derived.restoreFrom, "linked to the source's backup storage: no buckets of its own");
  set([`${project}:backups`, "enabled"], false, "an ephemeral cluster never writes backups");
  set([`${project}:cluster`, "deletionProtection"], false, "torn down when the drill ends");
  return doc.toString();
}

/**
 * The region a drill goes to by default: the source storage's DR replica's, where the
 * backups it restores live (read from the storage stack file, offline).
 */
export function replicaRegion(root: string, source: Source): string {
  const dirs = projects(root);
  const file = path.join(dirs.storage.dir, stackFileName(source.storage.stack));
  const doc = fs.existsSync(file) ? (parse(fs.readFileSync(file, "utf8")) as unknown) : undefined;
  const config = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
  const replication = config[`${BACKUP_STORAGE_PROJECT}:replication`];
  const region = isRecord(replication) ? replication.region : undefined;
  if (typeof region !== "string") {
    throw new UsageError(`${path.relative(root, file) || file}: ${BACKUP_STORAGE_PROJECT}:replication.region is not set, so ${source.loaded.stack}'s backups have no DR replica to drill from: set it, or give --region`);
  }
  return region;
}

/** A drill's id: sortable by start, short enough for a stack name. */
export function drillId(now: number): string {
  return `drill-${now.toString(36)}`;
}

export function hookResults(cfg: PhoenixConfig): HookResult[] {
  return cfg.namespaces.imperative.map((n) => ({ namespace: n.name, declared: { pre: n.backupHooks?.pre.length ?? 0, post: n.backupHooks?.post.length ?? 0 } }));
}

export function checksOf(outputs: Readonly<Record<string, unknown>>, cfg: PhoenixConfig): RestoreCheck[] {
  const out = outputs.restoreChecks;
  if (Array.isArray(out)) return out.filter(isRecord) as unknown as RestoreCheck[];
  // A stack deployed before it exported its checks: the config has them.
  return cfg.namespaces.imperative.flatMap((n) => (n.verify ? [{ namespace: n.name, ...n.verify }] : []));
}

/** A string value, or empty. */
function asText(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function str(v: unknown, what: string, stack: string): string {
  if (typeof v !== "string" || v === "") throw new Error(`stack ${stack} has no output "${what}": run \`phoenix up --stack ${stack}\` first`);
  return v;
}

/** What the phases share as they go. */
interface Progress {
  record?: DrillRecord;
  location?: StoreLocation;
  backup?: BackupSummary;
  rpo?: { ageSeconds: number; lagSeconds?: number; lagNote: string };
  kubeconfig?: string;
  outputs?: Readonly<Record<string, unknown>>;
  restore?: { name: string; outcome: RestoreOutcome };
  verification?: Verification;
  stackCreated: boolean;
  modeled?: ReturnType<typeof modelRecovery>;
  modeledRpo?: { seconds: number; basis: string };
}

function waitFor(minutes: number, env: RecoveryEnv, update: (s: string) => void): { timeoutSeconds: number; signal: AbortSignal; progress: (s: string) => void } {
  return { timeoutSeconds: minutes * 60, signal: env.signal, progress: update };
}

/** Finds the backup to restore on `location` and measures its age, and the replication lag when the primary answers. */
async function findBackup(env: RecoveryEnv, location: StoreLocation, primary: StoreLocation | undefined, namespaces: readonly string[], name: string | undefined): Promise<{ backup: BackupSummary; ageSeconds: number; lagSeconds?: number; lagNote: string }> {
  const backups = await env.store(location).listBackups();
  const { backup, reason } = pickBackup(backups, namespaces, name);
  if (!backup) throw new Error(`${env.store(location).location}: ${reason}`);
  const ageSeconds = Math.max(0, (env.now() - Date.parse(backup.completedAt ?? backup.startedAt ?? "")) / 1000);
  if (!primary) return { backup, ageSeconds, lagNote: "restoring from the primary: no replication lag" };
  try {
    // The newest backup the primary holds that the replica does not have yet is the lag.
    const newest = pickBackup(await env.store(primary).listBackups(), namespaces).backup;
    const lag = newest?.completedAt && backup.completedAt ? Math.max(0, (Date.parse(newest.completedAt) - Date.parse(backup.completedAt)) / 1000) : 0;
    return { backup, ageSeconds, lagSeconds: lag, lagNote: newest ? `primary's newest backup ${newest.name}` : "the primary holds no newer backup" };
  } catch (err) {
    return { backup, ageSeconds, lagNote: `replication lag unknown: the primary cannot be read (${(err as Error).message.split("\n")[0]})` };
  }
}

/** The phases after the cluster exists: gitops, restore, verify. */
function restorePhases(env: RecoveryEnv, cfg: PhoenixConfig, namespaces: readonly string[], location: () => string, p: Progress, id: string): Phase[] {
  const cluster = async (): Promise<RecoveryCluster> => env.cluster(p.kubeconfig ?? "");
  return [
    {
      name: "gitops",
      title: "GitOps: every Argo CD Application Synced and Healthy",
      run: async (update) => {
        const r = await (await cluster()).waitApplications(waitFor(cfg.recovery.gitopsTimeoutMinutes, env, update));
        return `${r.total} Applications Synced and Healthy`;
      },
    },
    {
      name: "restore",
      title: "Restore the imperative namespaces",
      run: async (update) => {
        const backup = p.backup as BackupSummary;
        const c = await cluster();
        const wait = waitFor(cfg.recovery.restoreTimeoutMinutes, env, update);
        await c.waitBackup(VELERO_NAMESPACE, backup.name, wait);
        const name = `${backup.name}-${id}`.slice(0, 63).replace(/-+$/, "");
        const modifiers = typeof p.outputs?.restoreModifiers === "string" ? p.outputs.restoreModifiers : "phoenix-restore-modifiers";
        await c.createRestore(restoreManifest({ name, veleroNamespace: VELERO_NAMESPACE, backup: backup.name, namespaces, modifiersConfigMap: modifiers }));
        const outcome = await c.waitRestore(VELERO_NAMESPACE, name, wait);
        p.restore = { name, outcome };
        const summary = `restore ${name} from ${location()}: ${outcome.phase}, ${outcome.warnings} warnings, ${outcome.errors} errors, ${outcome.volumeRestores.length} pod volumes`;
        if (outcome.phase === "Failed" || outcome.phase === "FailedValidation") throw new Error(`${summary}${outcome.failureReason ? ` (${outcome.failureReason})` : ""}`);
        return summary;
      },
    },
    {
      name: "verify",
      title: "Verify: objects, volumes, Velero's messages, the namespaces' own checks",
      run: async (update) => {
        const v = await verifyRestore({
          store: env.store(p.location as StoreLocation),
          cluster: await cluster(),
          backup: p.backup as BackupSummary,
          namespaces,
          ...(p.restore ? { restore: p.restore.name, outcome: p.restore.outcome } : {}),
          checks: checksOf(p.outputs ?? {}, cfg),
          hooks: hookResults(cfg),
          progress: update,
        });
        p.verification = v;
        const t = v.comparison.totals;
        const summary = `${t.present} present, ${t.missing} missing, ${t.changed} changed; ${v.checks.filter((c) => c.passed).length}/${v.checks.length} verify commands passed`;
        if (!v.passed) throw new Error(`verification failed: ${summary}`);
        return summary;
      },
    },
  ];
}

/** Runs the phases, then writes the report (once in its phase, again after teardown); returns it. */
async function finish(kind: RecoveryReport["kind"], env: RecoveryEnv, base: ReportBase, phases: Phase[], p: Progress, onPhase?: (name: PhaseName) => void): Promise<RecoveryReport> {
  const soFar: PhaseResult[] = [];
  const reportPhase: Phase = {
    name: "report",
    title: `Report to ${path.relative(env.root, base.reportDir) || base.reportDir}`,
    always: true,
    run: () => {
      // Written now, and again once teardown is over, so a lost teardown still leaves a report.
      writeReport(base.reportDir, buildReport({ kind, ...base, finishedAt: env.now(), phases: soFar, progress: p }));
      return Promise.resolve(`written to ${base.reportDir} (report.json, report.md, report.html)`);
    },
  };
  const all = [...phases.filter((x) => x.name !== "teardown"), reportPhase, ...phases.filter((x) => x.name === "teardown")];
  const done = await runPhases(all, { io: env.io, signal: env.signal, clock: env.now, onPhase, onResult: (r) => soFar.push(r) });
  const report = buildReport({ kind, ...base, finishedAt: env.now(), phases: done.results, progress: p, ...(done.failure ? { failure: done.failure } : {}), interrupted: done.interrupted });
  try {
    writeReport(base.reportDir, report);
  } catch (err) {
    // The report phase already says it failed; the result still reaches the terminal.
    env.io.err(`cannot write the report to ${base.reportDir}: ${(err as Error).message}\n`);
  }
  return report;
}

/** `phoenix drill`: recreate, restore, prove, tear down. */
export async function drill(env: RecoveryEnv, req: DrillRequest): Promise<RecoveryReport> {
  const startedAt = env.now();
  const id = drillId(startedAt);
  const source = await readSource(env.root, req.from);
  const region = req.region ?? replicaRegion(env.root, source);
  const project = source.loaded.project;
  const stack = `${req.from}-${id}`;
  const dirs = projects(env.root);
  const reportDir = path.resolve(req.reportDir ?? path.join(env.root, ".phoenix", "reports", id));
  const p: Progress = { stackCreated: false };
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack };
  const stackFile = path.join(dirs.platform.dir, stackFileName(stack));
  let derived: DerivedReplica | undefined;
  let text = "";
  const base = { id, source: req.from, stack, region, startedAt, reportDir, targets: { rtoMinutes: source.cfg.recovery.rtoMinutes, rpoMinutes: source.cfg.recovery.rpoMinutes } };
  const record = (patch: Partial<DrillRecord>): void => {
    if (p.record) p.record = env.state.update(id, patch);
  };

  const preflight: Phase = {
    name: "preflight",
    title: `Preflight: derive ${stack} in ${region}, plan it offline, find the backup, check access`,
    run: async (update) => {
      update("deriving the ephemeral stack as replicate does");
      const sourceText = fs.readFileSync(source.loaded.stackFile, "utf8");
      derived = deriveReplica({ from: req.from, stack, region }, existingStacks(env.root), sourceText, undefined);
      text = deriveDrillStack(derived, project, id);
      update("checking it with the offline plan");
      const loaded = stackFromDocument(project, stack, stackFile, parse(text));
      const plan = await new Planner(env.root).planPlatform({ loaded });
      p.modeled = modelRecovery(plan.resources, { applications: source.cfg.gitops.applications.length });
      p.modeledRpo = modelRpo(source.cfg.backups.schedules.map((s) => s.cron), new Date(env.now()));
      const found = [`derived and planned offline: ${plan.resources.length} resources`];
      if (req.rehearse) return found.join("; ");

      update("looking for leftover drills");
      const left = leftovers(env.state.list()).filter((r) => r.source === req.from);
      const engine = env.engine();
      const strays = (await engine.listStacks(platform)).filter((s) => s.startsWith(`${req.from}-drill-`) && !left.some((r) => r.stack === s) && !env.state.list().some((r) => r.stack === s && r.keep));
      if (left.length > 0 || strays.length > 0) {
        throw new UsageError(
          `a drill of ${req.from} left resources behind: ${[...left.map((r) => `${r.id} (stack ${r.stack}, ${r.status} at ${r.phase})`), ...strays.map((s) => `stack ${s} (no record)`)].join(", ")}; ` +
            `finish it first: ${left.length > 0 ? `phoenix drill --cleanup ${left[0].id}` : `pulumi destroy --run-program --stack ${strays[0]} && pulumi stack rm ${strays[0]}`}`,
        );
      }
      update(`reading ${source.storage.stack}'s storage outputs`);
      const storage = await engine.outputs(source.storage);
      const replicaRegion = str(storage.replicaRegion, "replicaRegion", `${BACKUP_STORAGE_PROJECT}/${source.storage.stack}`);
      p.location = { bucket: str(storage.replicaBucket, "replicaBucket", source.storage.stack), region: replicaRegion };
      const primary = typeof storage.bucket === "string" && typeof storage.region === "string" ? { bucket: storage.bucket, region: storage.region } : undefined;
      update(`finding the backup on ${p.location.bucket} (${replicaRegion})`);
      const b = await findBackup(env, p.location, primary, source.imperative, req.backup);
      p.backup = b.backup;
      p.rpo = { ageSeconds: b.ageSeconds, ...(b.lagSeconds !== undefined ? { lagSeconds: b.lagSeconds } : {}), lagNote: b.lagNote };
      found.push(`backup ${b.backup.name}, ${Math.round(b.ageSeconds / 60)} min old`);
      // A repository keeps the password it was made with (velero #6443): the DR region must read the same one.
      const secret = storage.replicaRepositoryPasswordSecretArn;
      if (typeof secret !== "string") {
        throw new Error(`${BACKUP_STORAGE_PROJECT}/${source.storage.stack} exports no replicaRepositoryPasswordSecretArn: without Phoenix's own kopia repository password, volume data would be under Velero's published default (velero #6443); run \`phoenix up --stack ${source.storage.stack}\``);
      }
      update(`reading the kopia repository password in ${replicaRegion}`);
      await env.aws().readSecret(secret, replicaRegion);
      found.push(`replica key opens here (backup metadata read and decrypted); repository password readable in ${replicaRegion}`);
      return found.join("; ");
    },
  };

  const clusterPhase: Phase = {
    name: "cluster",
    title: `Cluster: link backup storage, then \`pulumi up\` ${stack}`,
    run: async (update) => {
      const engine = env.engine();
      // Recorded before anything is created: a killed drill can be found and finished.
      p.record = env.state.write({ id, source: req.from, stack, region, startedAt: new Date(startedAt).toISOString(), pid: process.pid, phase: "cluster", status: "running", stackCreated: false, files: [stackFile], keep: req.keep });
      fs.writeFileSync(stackFile, text);
      await engine.ensureStack(platform, { create: true, ...(derived?.secretsProvider ? { secretsProvider: derived.secretsProvider } : {}) });
      p.stackCreated = true;
      record({ stackCreated: true });
      const source_: EngineStack = { ...platform, stack: req.from };
      for (const key of derived?.secretPaths ?? []) {
        update(`copying secret ${key} re-encrypted`);
        await engine.setConfig(platform, key, await engine.getConfig(source_, key, true), true);
      }
      const changes = await engine.up(platform, update, env.signal);
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      record({ clusterName: asText(p.outputs.clusterName), ...(typeof p.outputs.vpcId === "string" ? { vpcId: p.outputs.vpcId } : {}) });
      return `${stack} up: ${Object.entries(changes).map(([k, v]) => `${v} ${k}`).join(", ")}`;
    },
  };

  const teardown: Phase = {
    name: "teardown",
    title: `Teardown: release load balancers, destroy and remove ${stack}`,
    always: true,
    run: async (update) => {
      if (req.keep) return `kept (--keep): \`phoenix drill --cleanup ${id}\` tears it down`;
      if (!p.record) return "nothing was created";
      const done = await tearDown(env, p.record, p.kubeconfig, update);
      p.stackCreated = false;
      return done;
    },
  };

  const phases: Phase[] = req.rehearse ? [preflight] : [preflight, clusterPhase, ...restorePhases(env, source.cfg, source.imperative, () => `${p.location?.bucket} (${p.location?.region})`, p, id), teardown];
  const report = await finish(req.rehearse ? "rehearsal" : "drill", env, base, phases, p, (name) => record({ phase: name }));
  record({ status: report.outcome === "passed" ? "passed" : report.outcome === "interrupted" ? "interrupted" : "failed" });
  return report;
}

/** Tears a drill's stack down: what Kubernetes made in AWS, the stack's resources, the stack, its file. */
async function tearDown(env: RecoveryEnv, rec: DrillRecord, kubeconfig: string | undefined, update: (s: string) => void): Promise<string> {
  const engine = env.engine();
  const dirs = projects(env.root);
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack: rec.stack };
  const steps: string[] = [];
  if (rec.stackCreated) {
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
        steps.push(await env.release(config, { clusterName: rec.clusterName, region: rec.region, ...(rec.vpcId ? { vpcId: rec.vpcId } : {}) }, { timeoutSeconds: 20 * 60, progress: update }));
      } catch (err) {
        steps.push(`releasing what Kubernetes made in AWS failed (${(err as Error).message}); destroy's delete hook tries again`);
      }
    }
    update(`pulumi destroy --run-program ${rec.stack}`);
    const changes = await engine.destroy(platform, update);
    steps.push(`destroyed ${Object.values(changes).reduce((a, b) => a + b, 0)} resources`);
    await engine.removeStack(platform);
    steps.push(`stack ${rec.stack} removed`);
  }
  for (const f of rec.files) fs.rmSync(f, { force: true });
  env.state.update(rec.id, { stackCreated: false, files: [], phase: "teardown", ...(rec.status === "running" ? {} : { status: "cleaned" }) });
  return steps.join("; ") || "nothing to tear down";
}

/** `phoenix drill --cleanup ID`: finishes the teardown of a drill that was killed. */
export async function cleanupDrill(env: RecoveryEnv, id: string, update: (s: string) => void = () => undefined): Promise<string> {
  const rec = env.state.get(id);
  if (!rec) throw new UsageError(`no drill ${id} in ${env.state.dir}: \`phoenix drill --list\` shows the recorded ones`);
  if (rec.status === "running" && rec.pid !== process.pid && leftovers([rec]).length === 0) throw new UsageError(`drill ${id} is still running (process ${rec.pid}): stop it with Ctrl-C, which tears it down`);
  const done = await tearDown(env, { ...rec, status: "cleaned" }, undefined, update);
  env.state.update(id, { status: "cleaned" });
  return done;
}

/** `phoenix drill --list`: every recorded drill, and whether it left something behind. */
export function listDrills(state: DrillState): { record: DrillRecord; leftover: boolean }[] {
  const left = new Set(leftovers(state.list()).map((r) => r.id));
  return state.list().map((r) => ({ record: r, leftover: left.has(r.id) }));
}

/** What the user asked of `recover`. */
export interface RecoverRequest {
  readonly stack: string;
  /** Another region: rebuilt there as a replica stack named `as`. */
  readonly region?: string;
  readonly as?: string;
  readonly backup?: string;
  readonly reportDir?: string;
}

/** `phoenix recover`: rebuilds a stack (in place, or as a replica elsewhere), restores, verifies, reports; keeps it all. */
export async function recover(env: RecoveryEnv, req: RecoverRequest): Promise<RecoveryReport> {
  const startedAt = env.now();
  const id = `recover-${startedAt.toString(36)}`;
  const source = await readSource(env.root, req.stack);
  const inPlace = req.region === undefined || req.region === source.cfg.region;
  const target = inPlace ? req.stack : (req.as ?? `${req.stack}-${req.region}`);
  const region = req.region ?? source.cfg.region;
  const dirs = projects(env.root);
  const reportDir = path.resolve(req.reportDir ?? path.join(env.root, ".phoenix", "reports", id));
  const p: Progress = { stackCreated: false };
  const base = { id, source: req.stack, stack: target, region, startedAt, reportDir, targets: { rtoMinutes: source.cfg.recovery.rtoMinutes, rpoMinutes: source.cfg.recovery.rpoMinutes } };
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack: target };

  const preflight: Phase = {
    name: "preflight",
    title: inPlace ? `Preflight: ${req.stack} in place, find the backup` : `Preflight: write ${target} in ${region}, find the backup`,
    run: async (update) => {
      const engine = env.engine();
      const storage = await engine.outputs(source.storage);
      if (inPlace) {
        p.location = { bucket: str(storage.bucket, "bucket", source.storage.stack), region: str(storage.region, "region", source.storage.stack) };
      } else {
        p.location = { bucket: str(storage.replicaBucket, "replicaBucket", source.storage.stack), region: str(storage.replicaRegion, "replicaRegion", source.storage.stack) };
        update(`writing ${target}'s stack files as replicate does`);
        const { replicate } = await import("../replicate");
        await replicate(env.root, { from: req.stack, stack: target, region }, "write-only", env.engine, { out: () => undefined, err: env.io.err });
        // replicate gives the new storage a replica in the source's region, the one that was
        // lost: recovery leaves replication off until a new DR region is chosen.
        const storageFile = path.join(dirs.storage.dir, stackFileName(target));
        const doc = parseDocument(fs.readFileSync(storageFile, "utf8"));
        doc.deleteIn(["config", `${BACKUP_STORAGE_PROJECT}:replication`]);
        const config = doc.get("config", true) as { commentBefore?: string | null } | undefined;
        if (config) config.commentBefore = ` recover: replication to ${source.cfg.region} (the lost region) left out; set ${BACKUP_STORAGE_PROJECT}:replication.region to a new DR region`;
        fs.writeFileSync(storageFile, doc.toString());
      }
      const b = await findBackup(env, p.location, undefined, source.imperative, req.backup);
      p.backup = b.backup;
      p.rpo = { ageSeconds: b.ageSeconds, lagNote: b.lagNote };
      return `restoring ${b.backup.name} (${Math.round(b.ageSeconds / 60)} min old) from ${p.location.bucket} (${p.location.region})`;
    },
  };
  const clusterPhase: Phase = {
    name: "cluster",
    title: `Cluster: \`pulumi up\` backup storage, then ${target}`,
    run: async (update) => {
      const engine = env.engine();
      const storage: EngineStack = inPlace ? source.storage : { project: "storage", workDir: dirs.storage.dir, stack: target };
      await engine.ensureStack(storage, { create: !inPlace });
      await engine.up(storage, update, env.signal);
      await engine.ensureStack(platform, { create: !inPlace });
      if (!inPlace) {
        const file = fs.readFileSync(path.join(dirs.platform.dir, stackFileName(target)), "utf8");
        for (const key of securePaths(parseDocument(file))) await engine.setConfig(platform, key, await engine.getConfig({ ...platform, stack: req.stack }, key, true), true);
      }
      const changes = await engine.up(platform, update, env.signal);
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      return `${target} up: ${Object.entries(changes).map(([k, v]) => `${v} ${k}`).join(", ")}`;
    },
  };
  return finish("recover", env, base, [preflight, clusterPhase, ...restorePhases(env, source.cfg, source.imperative, () => `${p.location?.bucket} (${p.location?.region})`, p, id)], p);
}

/** The report's view of what the phases shared: also used by tests. */
export type { Progress as RecoveryProgress };

/** Raises the interrupt on the env's signal (used by the command's signal handlers). */
export function interrupt(controller: AbortController, signal: string): void {
  if (!controller.signal.aborted) controller.abort(new Interrupted(signal));
}
