/**
 * The drill's preflight: derive the ephemeral stack as replicate does and plan it offline;
 * for a real drill, refuse while another drill runs or left resources, find the backup on
 * the DR replica, check it is portable and that the repository password can be read.
 */
import * as fs from "node:fs";
import { parse, parseDocument } from "yaml";
import { BACKUP_STORAGE_PROJECT } from "../stacks/names";
import type { EngineAdapter } from "../engine/adapter";
import type { PlanDocument } from "../plan/plan";
import { Planner } from "../plan/planner";
import { stackFromDocument } from "../stacks/stackFile";
import { deriveReplica } from "../replicate/derive";
import { existingStacks } from "../replicate";
import { UsageError } from "../shared/errors";
import { modelPilotLight, modelRecovery, modelRpo, recoverySize, type RecoverySize } from "./model";
import { promotedText } from "./standby";
import { checkBackup, plannedStorageClasses, portabilitySummary, refuseUnportable } from "../backup/check";
import { modelTimeline } from "../plan/timeline";
import type { Phase } from "./phases";
import { leftovers, stillRunning, type DrillRecord } from "./state";
import type { Progress } from "./types";
import type { StoreLocation } from "./adapters";
import { checksOf, deriveDrillStack, replicaRegion, str, type Source } from "./source";
import { modelDrillCost } from "./drillCost";
import { findBackup } from "./backupSearch";
import type { Derivation, DrillRun } from "./drillRun";

/** The source's storage outputs, and where the backups are read: its DR replica (and its primary, when known). */
interface ReplicaStorage {
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly location: StoreLocation;
  readonly primary?: StoreLocation;
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

/** Where the restored data is read: the source storage's DR replica (the drill's own region when it has none). */
function bucketRegion(run: DrillRun): string {
  try {
    return replicaRegion(run.env.root, run.source);
  } catch {
    return run.region;
  }
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
  const size = recoverySize(source.cfg);
  p.modeled = modelRecovery(plan.resources, {
    size,
    applications: source.cfg.gitops.applications.length,
    storage: storagePlan.resources,
  });
  p.storageSeconds = modelTimeline(storagePlan.resources).total;
  p.pilotLight = await pilotLightModel(run, planner, size);
  p.cost = modelDrillCost(
    {
      resources: plan.resources,
      traffic: { region: run.region, bucketRegion: bucketRegion(run), ...size },
      expected: { loadBalancers: source.cfg.recovery.expectedLoadBalancers },
    },
    p.modeled.phases.reduce((a, ph) => a + ph.seconds, 0),
    run.req.maxCostUsd,
  );
  p.modeledRpo = modelRpo(
    source.cfg.backups.schedules.map((s) => s.cron),
    new Date(env.now()),
    size,
  );
  return plan;
}

/**
 * The same recovery from a pilot-light standby in the target region: the standby derived
 * as `replicate --strategy pilot-light` writes it, planned standing by and promoted; the
 * promotion is what differs.
 */
async function pilotLightModel(
  run: DrillRun,
  planner: Planner,
  size: RecoverySize,
): Promise<NonNullable<Progress["pilotLight"]>> {
  const derived = deriveReplica(
    { from: run.req.from, stack: run.stack, region: run.region, strategy: "pilot-light" },
    existingStacks(run.env.root),
    fs.readFileSync(run.source.loaded.stackFile, "utf8"),
    undefined,
  );
  // Planned against the source's storage, as the drill's stack is: a standby's own storage stack does not exist here.
  const doc = parseDocument(derived.platformText);
  doc.setIn(["config", `${run.project}:backups`, "storage", "stack"], derived.restoreFrom);
  const standby = doc.toString();
  const plan = async (text: string): Promise<PlanDocument> =>
    planner.planPlatform({ loaded: stackFromDocument(run.project, run.stack, run.stackFile, parse(text)) });
  const promoted = promotedText(standby, run.project, "the rehearsal");
  return modelPilotLight((await plan(standby)).resources, (await plan(promoted)).resources, {
    size,
    applications: run.source.cfg.gitops.applications.length,
  });
}

/** A rehearsal's restore as a drill would run it: the namespaces, and the verify commands as a shell would read them. */
export function wouldRestoreOf(
  plan: PlanDocument,
  cfg: Source["cfg"],
  namespaces: readonly string[],
): NonNullable<Progress["wouldRestore"]> {
  // As a shell would read it: an argument with spaces or quotes is single-quoted.
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const checks = checksOf(plan.outputs, cfg).map((c) => ({
    namespace: c.namespace,
    command: c.command.map(quote).join(" "),
  }));
  return { namespaces, checks };
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
export function preflightPhase(run: DrillRun): Phase {
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
        run.p.wouldRestore = wouldRestoreOf(plan, run.source.cfg, run.source.imperative);
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
