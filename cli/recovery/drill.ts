/**
 * The drill and `recover`: one set of phases (preflight, cluster, gitops, restore,
 * verify, report, teardown), two uses. A drill recreates the platform in an ephemeral
 * stack in another region, restores into it from the source's DR replica, proves the
 * result, and always tears it down unless `--keep`. `recover` rebuilds a stack for real
 * (in place, or as a replica in another region) and keeps it. A rehearsal runs what needs
 * no AWS and models the rest.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { BACKUP_STORAGE_PROJECT, parseStackName, type PhoenixConfig, stackFileName } from "../stacks/names";
import type { EngineAdapter, EngineStack } from "../engine/adapter";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import type { PlanDocument } from "../plan/plan";
import { loadStack, stackFileText, stackFromDocument, type LoadedStack } from "../stacks/stackFile";
import { deriveReplica, securePaths, type DerivedReplica } from "../replicate/derive";
import { existingStacks } from "../replicate";
import { isRecord } from "../shared/data";
import { UsageError } from "../shared/errors";
import type { Io } from "../shared/io";
import type { AwsAccess, BackupStore, RecoveryCluster, ReleaseExternal, RestoreOutcome, StoreLocation } from "./adapters";
import { modelRecovery, modelRpo } from "./model";
import { completeness, listingsOnce } from "./complete";
import { checkBackup, plannedStorageClasses, portabilitySummary, refuseUnportable, type BackupCheck } from "../backup/check";
import { restoreModifiersConfigMap } from "../backup/modifiers";
import { modelTimeline } from "../plan/timeline";
import { Interrupted, runPhases, type Phase, type PhaseName, type PhaseResult } from "./phases";
import { buildReport, writeReport, type RecoveryReport, type ReportBase } from "./report";
import { DrillState, leftovers, stillRunning, type DrillRecord } from "./state";
import { verifyRestore, type HookResult, type RestoreCheck, type Verification } from "./verify";
import { covers, pickBackup, restoreManifest, restorePhase, type BackupSummary } from "./velero";

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
  /** Fires on Ctrl-C or SIGTERM: stops the waits. */
  readonly signal: AbortSignal;
  /**
   * Fires on SIGTERM only: cancels a running `pulumi up`. A terminal's Ctrl-C reaches the
   * `pulumi` child already (same process group), and a second SIGINT would make it stop
   * at once instead of finishing what is in flight.
   */
  readonly engineSignal: AbortSignal;
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
  /** Restore even when the backup holds references that nothing resolves in the target region. */
  readonly acceptUnportable?: boolean;
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
  const { parseStackConfig } = await import("../stacks/config");
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
  // Nothing of a drill may reach the source's DNS zones: external-dns would write records
  // there that teardown never removes, and DNS-01 challenges would use them.
  if (doc.hasIn(["config", `${project}:plugins`, "externalDns"])) set([`${project}:plugins`, "externalDns", "enabled"], false, "a drill never writes the source's DNS records");
  if (doc.hasIn(["config", `${project}:plugins`, "certManager", "dns01"])) {
    doc.deleteIn(["config", `${project}:plugins`, "certManager", "dns01"]);
    const cm = doc.getIn(["config", `${project}:plugins`, "certManager"], true) as { commentBefore?: string | null } | undefined;
    if (cm) cm.commentBefore = " drill: dns01 left out: no ACME challenge in the source's zones";
  }
  return stackFileText(doc, derived.platformText);
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

/**
 * A drill's id: sortable by start, short enough for a stack name, and apart from a drill
 * started in the same millisecond elsewhere (a digest of the machine and process).
 */
export function drillId(now: number, host = os.hostname(), pid = process.pid): string {
  return `drill-${now.toString(36)}-${createHash("sha256").update(`${host}:${pid}`).digest("hex").slice(0, 4)}`;
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

/** A string at a path under `config:` of a stack file's text. */
function configString(text: string, at: readonly string[]): string | undefined {
  const v = parseDocument(text).getIn(["config", ...at]);
  return typeof v === "string" ? v : undefined;
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
export interface Progress {
  record?: DrillRecord;
  location?: StoreLocation;
  backup?: BackupSummary;
  rpo?: { ageSeconds: number; lagSeconds?: number; lagNote: string };
  /** Newer backups of the namespaces that were not used, and why. */
  passedOver?: readonly PassedOver[];
  kubeconfig?: string;
  outputs?: Readonly<Record<string, unknown>>;
  restore?: { name: string; outcome: RestoreOutcome };
  verification?: Verification;
  stackCreated: boolean;
  modeled?: ReturnType<typeof modelRecovery>;
  modeledRpo?: { seconds: number; basis: string };
  /** The backup checked against the target region: what the restore rewrites, and what nothing resolves. */
  portability?: BackupCheck;
  /** A rehearsal's restore as a drill would run it. */
  wouldRestore?: { namespaces: readonly string[]; checks: readonly { namespace: string; command: string }[] };
  /** Modeled seconds of the storage stack a real recovery into another region deploys first, which a drill does not. */
  storageSeconds?: number;
}

function waitFor(minutes: number, env: RecoveryEnv, update: (s: string) => void): { timeoutSeconds: number; signal: AbortSignal; progress: (s: string) => void } {
  return { timeoutSeconds: minutes * 60, signal: env.signal, progress: update };
}

/** A newer backup a recovery did not use. */
export interface PassedOver {
  readonly name: string;
  readonly why: string;
}

/**
 * Newer backups of the namespaces than the one chosen, and why each was not: not
 * Completed (a PartiallyFailed one lost a volume or a hook, a Failed one holds nothing
 * whole), or not all on the replica yet.
 */
function passedOver(backups: readonly BackupSummary[], chosen: BackupSummary, namespaces: readonly string[], incomplete: ReadonlyMap<string, string>): PassedOver[] {
  return backups
    .filter((b) => b.name !== chosen.name && covers(b, namespaces) && startOf(b) > startOf(chosen))
    .sort((a, b) => startOf(b) - startOf(a))
    .map((b) => ({
      name: b.name,
      why: incomplete.has(b.name)
        ? `not all on the replica yet (missing ${incomplete.get(b.name) ?? ""})`
        : `${b.phase}${b.errors ? `, ${b.errors} errors` : ""}${b.warnings ? `, ${b.warnings} warnings` : ""}`,
    }));
}

/** The backup a recovery restores, and how old its data is. */
interface Found {
  readonly passedOver: readonly PassedOver[];
  readonly backup: BackupSummary;
  /** From the backup's start (its data's point in time) to now: the data a recovery would lose. */
  readonly ageSeconds: number;
  /** How far the replica is behind the primary's newest backup, when the primary answers. */
  readonly lagSeconds?: number;
  readonly lagNote: string;
}

const startOf = (b: BackupSummary): number => Date.parse(b.startedAt ?? b.completedAt ?? "");

/**
 * Finds the backup to restore on `location`: the named one, or the newest Completed one
 * holding every namespace whose contents are all there (replication copies objects one
 * by one, so the newest metadata on a replica can arrive before its tarball). Its age is
 * the RPO; with the primary readable, the part of it that is replication lag is named.
 */
async function findBackup(env: RecoveryEnv, location: StoreLocation, primary: StoreLocation | undefined, namespaces: readonly string[], name: string | undefined): Promise<Found> {
  const store = env.store(location);
  const source = primary ? env.store(primary) : undefined;
  const blobs = listingsOnce();
  const backups = await store.listBackups();
  let backup: BackupSummary | undefined;
  let notes: readonly string[] = [];
  const incomplete = new Map<string, string>();
  if (name !== undefined) {
    const picked = pickBackup(backups, namespaces, name);
    if (!picked.backup) throw new Error(`${store.location}: ${picked.reason}`);
    const c = await completeness(store, source, picked.backup, blobs);
    if (c.missing.length > 0) throw new Error(`${store.location}: backup ${name} is not all there yet (missing ${c.missing.join("; ")}): replication may still be copying it`);
    backup = picked.backup;
    notes = c.notes;
  } else {
    let rest = backups;
    for (;;) {
      const picked = pickBackup(rest, namespaces);
      if (!picked.backup) throw new Error(`${store.location}: ${picked.reason}${incomplete.size ? ` (not all there yet: ${[...incomplete.keys()].join(", ")})` : ""}`);
      const c = await completeness(store, source, picked.backup, blobs);
      if (c.missing.length === 0) {
        backup = picked.backup;
        notes = c.notes;
        break;
      }
      incomplete.set(picked.backup.name, c.missing.join("; "));
      rest = rest.filter((b) => b.name !== picked.backup?.name);
    }
  }
  const ageSeconds = Math.max(0, (env.now() - startOf(backup)) / 1000);
  const over = name === undefined ? passedOver(backups, backup, namespaces, incomplete) : [];
  const skipped = `${incomplete.size ? `; newer but not all replicated yet: ${[...incomplete.keys()].join(", ")}` : ""}${notes.length ? `; ${notes.join("; ")}` : ""}`;
  if (!primary || name !== undefined) return { backup, ageSeconds, passedOver: over, lagNote: name !== undefined ? `backup ${name} chosen with --backup${skipped}` : `restoring from the primary${skipped}` };
  try {
    const newest = pickBackup(await env.store(primary).listBackups(), namespaces).backup;
    if (!newest || startOf(newest) <= startOf(backup)) return { backup, ageSeconds, passedOver: over, lagSeconds: 0, lagNote: `the replica holds the primary's newest backup${skipped}` };
    const lagSeconds = (startOf(newest) - startOf(backup)) / 1000;
    return { backup, ageSeconds, passedOver: over, lagSeconds, lagNote: `the primary's newest backup ${newest.name} is not on the replica yet${skipped}` };
  } catch (err) {
    return { backup, ageSeconds, passedOver: over, lagNote: `replication lag unknown: the primary cannot be read (${(err as Error).message.split("\n")[0]})${skipped}` };
  }
}

/** The phases after the cluster exists: gitops, restore, verify (the e2e harness runs the last two against real Velero). */
export function restorePhases(env: RecoveryEnv, cfg: PhoenixConfig, namespaces: readonly string[], location: () => string, p: Progress, id: string): Phase[] {
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
        const volumes = (await env.store(p.location as StoreLocation).podVolumeBackups(backup.name)).length;
        update(`waiting for Velero to sync ${backup.name} and its ${volumes} pod volume backups`);
        await c.waitBackup(VELERO_NAMESPACE, backup.name, volumes, wait);
        const name = `${backup.name}-${id}`.slice(0, 63).replace(/-+$/, "");
        let modifiers = typeof p.outputs?.restoreModifiers === "string" ? p.outputs.restoreModifiers : "phoenix-restore-modifiers";
        const rewrites = p.portability?.rewrites ?? [];
        if (rewrites.length > 0) {
          // This restore's own modifiers: the standing ones plus this backup's rewrites into this region.
          modifiers = `phoenix-restore-${id}`.slice(0, 63).replace(/-+$/, "");
          update(`writing ${modifiers}: ${rewrites.length} field(s) rewritten for ${p.portability?.targetRegion}`);
          await c.applyConfigMap(restoreModifiersConfigMap({ name: modifiers, veleroNamespace: VELERO_NAMESPACE, namespaces, rewrites }));
        }
        await c.createRestore(restoreManifest({ name, veleroNamespace: VELERO_NAMESPACE, backup: backup.name, namespaces, modifiersConfigMap: modifiers }));
        const outcome = await c.waitRestore(VELERO_NAMESPACE, name, wait);
        p.restore = { name, outcome };
        const summary = `restore ${name} from ${location()}: ${outcome.phase}, ${outcome.warnings} warnings, ${outcome.errors} errors, ${outcome.volumeRestores.length} pod volumes`;
        const why = [outcome.failureReason, ...(outcome.validationErrors ?? [])].filter(Boolean).join("; ");
        if (restorePhase(outcome.phase) === "failed") throw new Error(`${summary}${why ? ` (${why})` : ""}`);
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
          rewrites: p.portability?.rewrites ?? [],
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
  const done = await runPhases(all, { io: env.io, signal: env.signal, clock: env.now, startedAt: base.startedAt, onPhase, onResult: (r) => soFar.push(r) });
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
    title: req.rehearse ? `Preflight (offline): derive ${stack} in ${region} and plan it` : `Preflight: derive ${stack} in ${region}, plan it offline, find the backup, check access`,
    run: async (update) => {
      update("deriving the ephemeral stack as replicate does");
      const sourceText = fs.readFileSync(source.loaded.stackFile, "utf8");
      derived = deriveReplica({ from: req.from, stack, region }, existingStacks(env.root), sourceText, undefined);
      text = deriveDrillStack(derived, project, id);
      update("checking it with the offline plan");
      const loaded = stackFromDocument(project, stack, stackFile, parse(text));
      const planner = new Planner(env.root);
      const plan = await planner.planPlatform({ loaded });
      // A real recovery into another region deploys a storage stack like the source's first; the drill links to the source's.
      const storagePlan = await planner.planStorage({ stack: source.storage.stack });
      const size = { dataGiB: source.cfg.recovery.expectedDataGiB, items: source.cfg.recovery.expectedItems };
      p.modeled = modelRecovery(plan.resources, { size, applications: source.cfg.gitops.applications.length, storage: storagePlan.resources });
      p.storageSeconds = modelTimeline(storagePlan.resources).total;
      p.modeledRpo = modelRpo(source.cfg.backups.schedules.map((s) => s.cron), new Date(env.now()), size);
      const found = [`derived and planned offline: ${plan.resources.length} resources`];
      if (req.rehearse) {
        // As a shell would read it: an argument with spaces or quotes is single-quoted.
        const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
        const checks = checksOf(plan.outputs, source.cfg).map((c) => ({ namespace: c.namespace, command: c.command.map(quote).join(" ") }));
        p.wouldRestore = { namespaces: source.imperative, checks };
        return found.join("; ");
      }

      update("looking for running and leftover drills");
      const records = env.state.list().filter((r) => r.source === req.from);
      const running = records.filter((r) => stillRunning(r, env.now()));
      if (running.length > 0) throw new UsageError(`drill ${running[0].id} of ${req.from} is running (${running[0].host}, process ${running[0].pid}, since ${running[0].startedAt}): let it finish, or stop it with Ctrl-C (it tears down)`);
      const left = leftovers(records);
      const engine = env.engine();
      // An ephemeral stack in the backend that no record here knows: a drill run elsewhere, or one whose record was lost.
      const strays = (await engine.listStacks(platform)).filter((s) => s.startsWith(`${req.from}-drill-`) && !env.state.list().some((r) => r.stack === s));
      if (left.length > 0 || strays.length > 0) {
        throw new UsageError(
          `a drill of ${req.from} left resources behind: ${[...left.map((r) => `${r.id} (stack ${r.stack}, ${r.status} at ${r.phase})`), ...strays.map((s) => `stack ${s} (no record)`)].join(", ")}; ` +
            `finish it first: ${left.length > 0 ? `phoenix drill cleanup ${left[0].id}` : `pulumi destroy --run-program --stack ${strays[0]} && pulumi stack rm ${strays[0]}`}`,
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
      p.passedOver = b.passedOver;
      found.push(`backup ${b.backup.name}, ${Math.round(b.ageSeconds / 60)} min old`);
      update(`checking ${b.backup.name} for references bound to ${source.cfg.region}`);
      p.portability = await checkBackup(env.store(p.location), b.backup.name, source.imperative, { sourceRegion: source.cfg.region, targetRegion: region, ...plannedStorageClasses(plan.resources) });
      refuseUnportable(p.portability, req.acceptUnportable === true);
      found.push(portabilitySummary(p.portability));
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
      // Recorded before anything is created, as "may exist": a drill killed at any point
      // can be found and finished, its cluster's name known before `up` makes anything.
      const clusterName = configString(text, [`${project}:cluster`, "name"]) ?? `${project}-${stack}`;
      p.record = env.state.write({ id, source: req.from, stack, region, startedAt: new Date(startedAt).toISOString(), host: os.hostname(), pid: process.pid, phase: "cluster", status: "running", stackCreated: true, files: [stackFile], stackText: text, keep: req.keep, clusterName });
      fs.writeFileSync(stackFile, text);
      p.stackCreated = true;
      await engine.ensureStack(platform, { create: true, ...(derived?.secretsProvider ? { secretsProvider: derived.secretsProvider } : {}) });
      const source_: EngineStack = { ...platform, stack: req.from };
      for (const key of derived?.secretPaths ?? []) {
        update(`copying secret ${key} re-encrypted`);
        await engine.setConfig(platform, key, await engine.getConfig(source_, key, true), true);
      }
      const changes = await engine.up(platform, update, { signal: env.engineSignal });
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      record({ ...(asText(p.outputs.clusterName) ? { clusterName: asText(p.outputs.clusterName) } : {}), ...(typeof p.outputs.vpcId === "string" ? { vpcId: p.outputs.vpcId } : {}) });
      return `${stack} up: ${Object.entries(changes).map(([k, v]) => `${v} ${k}`).join(", ")}`;
    },
  };

  const teardown: Phase = {
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
  for (const f of new Set([...rec.files, file])) fs.rmSync(f, { force: true });
  env.state.update(rec.id, { stackCreated: false, files: [], phase: "teardown", ...(rec.status === "running" ? {} : { status: "cleaned" }) });
  return steps.join("; ") || "nothing to tear down";
}

/** `phoenix drill cleanup ID`: finishes the teardown of a drill that was killed. */
export async function cleanupDrill(env: RecoveryEnv, id: string, update: (s: string) => void = () => undefined): Promise<string> {
  const rec = env.state.get(id);
  if (!rec) throw new UsageError(`no drill ${id} in ${env.state.dir}: \`phoenix drill list\` shows the recorded ones`);
  if (rec.status === "running" && rec.pid !== process.pid && leftovers([rec]).length === 0) throw new UsageError(`drill ${id} is still running (process ${rec.pid}): stop it with Ctrl-C, which tears it down`);
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
 * Writes a recovery replica's stack files as `replicate` does, minus the replica
 * `replicate` gives the new storage in the source's region: that is the region that was
 * lost, so replication stays off until a new DR region is chosen.
 */
async function writeReplica(env: RecoveryEnv, from: string, target: string, region: string, lostRegion: string): Promise<void> {
  const { replicate } = await import("../replicate");
  await replicate(env.root, { from, stack: target, region }, "write-only", env.engine, { out: () => undefined, err: env.io.err });
  const storageFile = path.join(projects(env.root).storage.dir, stackFileName(target));
  const written = fs.readFileSync(storageFile, "utf8");
  const doc = parseDocument(written);
  doc.deleteIn(["config", `${BACKUP_STORAGE_PROJECT}:replication`]);
  const config = doc.get("config", true) as { commentBefore?: string | null } | undefined;
  if (config) config.commentBefore = ` recover: replication to ${lostRegion} (the lost region) left out; set ${BACKUP_STORAGE_PROJECT}:replication.region to a new DR region`;
  fs.writeFileSync(storageFile, stackFileText(doc, written));
}

/** What the user asked of `recover`. */
export interface RecoverRequest {
  readonly stack: string;
  /** Another region: rebuilt there as a replica stack named `as`. */
  readonly region?: string;
  readonly as?: string;
  readonly backup?: string;
  readonly reportDir?: string;
  /** Restore even when the backup holds references that nothing resolves in the target region. */
  readonly acceptUnportable?: boolean;
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
        const storageFile = path.join(dirs.storage.dir, stackFileName(target));
        if (fs.existsSync(storageFile) && fs.existsSync(path.join(dirs.platform.dir, stackFileName(target)))) {
          // A second run goes on from the files the first wrote (and the person may have edited).
          update(`${target}'s stack files are there already: going on with them`);
        } else {
          update(`writing ${target}'s stack files as replicate does`);
          await writeReplica(env, req.stack, target, region, source.cfg.region);
        }
      }
      // From another region the backup comes from the replica: the primary (when it still answers) shows whether its kopia data has all arrived.
      const primary = inPlace ? undefined : { bucket: str(storage.bucket, "bucket", source.storage.stack), region: str(storage.region, "region", source.storage.stack) };
      const b = await findBackup(env, p.location, primary, source.imperative, req.backup);
      p.backup = b.backup;
      p.rpo = { ageSeconds: b.ageSeconds, lagNote: b.lagNote };
      p.passedOver = b.passedOver;
      update(`checking ${b.backup.name} for references bound to ${source.cfg.region} or to the lost cluster`);
      const plan = await new Planner(env.root).planPlatform({ stack: target });
      p.portability = await checkBackup(env.store(p.location), b.backup.name, source.imperative, { sourceRegion: source.cfg.region, targetRegion: region, ...plannedStorageClasses(plan.resources) });
      refuseUnportable(p.portability, req.acceptUnportable === true);
      return `${portabilitySummary(p.portability)}; restoring ${b.backup.name} (${Math.round(b.ageSeconds / 60)} min old) from ${p.location.bucket} (${p.location.region})`;
    },
  };
  const clusterPhase: Phase = {
    name: "cluster",
    title: `Cluster: \`pulumi up\` backup storage, then ${target}`,
    run: async (update) => {
      const engine = env.engine();
      const storage: EngineStack = inPlace ? source.storage : { project: "storage", workDir: dirs.storage.dir, stack: target };
      await engine.ensureStack(storage, { create: !inPlace });
      // In place, the state still lists what the disaster took: refresh before rebuilding.
      await engine.up(storage, update, { signal: env.engineSignal, refresh: inPlace });
      await engine.ensureStack(platform, { create: !inPlace });
      if (!inPlace) {
        const file = fs.readFileSync(path.join(dirs.platform.dir, stackFileName(target)), "utf8");
        for (const key of securePaths(parseDocument(file))) await engine.setConfig(platform, key, await engine.getConfig({ ...platform, stack: req.stack }, key, true), true);
      }
      const changes = await engine.up(platform, update, { signal: env.engineSignal, refresh: inPlace });
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      return `${target} up: ${Object.entries(changes).map(([k, v]) => `${v} ${k}`).join(", ")}`;
    },
  };
  return finish("recover", env, base, [preflight, clusterPhase, ...restorePhases(env, source.cfg, source.imperative, () => `${p.location?.bucket} (${p.location?.region})`, p, id)], p);
}

/** The report's view of what the phases shared: also used by tests. */
export type { Progress as RecoveryProgress };

/**
 * Raises an interrupt (the command's signal handlers): every wait stops; a running
 * `pulumi up` is cancelled only on SIGTERM, because a terminal's Ctrl-C has reached it
 * already and a second SIGINT would make it stop at once, leaving pending operations.
 */
export function interrupt(interrupts: { readonly waits: AbortController; readonly engine: AbortController }, signal: string): void {
  if (!interrupts.waits.signal.aborted) interrupts.waits.abort(new Interrupted(signal));
  if (signal === "SIGTERM" && !interrupts.engine.signal.aborted) interrupts.engine.abort(new Interrupted(signal));
}
