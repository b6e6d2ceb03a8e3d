/**
 * `recover`: rebuild a stack for real, in place or as a replica in another region,
 * restore its imperative namespaces, verify, report, and keep it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { BACKUP_STORAGE_PROJECT, stackFileName } from "../stacks/names";
import type { EngineStack } from "../engine/adapter";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import { stackFileText } from "../stacks/stackFile";
import { securePaths } from "../replicate/derive";
import { UsageError } from "../shared/errors";
import { checkBackup, plannedStorageClasses, portabilitySummary, refuseUnportable } from "../backup/check";
import { type Phase } from "./phases";
import { type RecoveryReport } from "./report";
import type { Progress, RecoverRequest, RecoveryEnv } from "./types";
import { asText, readSource, str, type Source } from "./source";
import { findBackup } from "./backupSearch";
import { finish, restorePhases } from "./restorePhases";
import { promotePhase, standbyPreflight } from "./standby";

/**
 * Writes a recovery replica's stack files as `replicate` does, minus the replica
 * `replicate` gives the new storage in the source's region: that is the region that was
 * lost, so replication stays off until a new DR region is chosen.
 */
export async function writeReplica(
  env: RecoveryEnv,
  from: string,
  target: string,
  region: string,
  lostRegion: string,
): Promise<void> {
  const { replicate } = await import("../replicate");
  await replicate(env.root, { from, stack: target, region }, "write-only", env.engine, {
    out: () => undefined,
    err: env.io.err,
  });
  const storageFile = path.join(projects(env.root).storage.dir, stackFileName(target));
  const written = fs.readFileSync(storageFile, "utf8");
  const doc = parseDocument(written);
  doc.deleteIn(["config", `${BACKUP_STORAGE_PROJECT}:replication`]);
  const config = doc.get("config", true) as { commentBefore?: string | null } | undefined;
  if (config)
    config.commentBefore = ` recover: replication to ${lostRegion} (the lost region) left out; set ${BACKUP_STORAGE_PROJECT}:replication.region to a new DR region`;
  fs.writeFileSync(storageFile, stackFileText(doc, written));
}

/** One recovery under way: what was asked, where it goes, and what its phases share. */
interface RecoverRun {
  readonly env: RecoveryEnv;
  readonly req: RecoverRequest;
  readonly source: Source;
  /** In place (the source's own stack and region), or as a replica stack in another region. */
  readonly inPlace: boolean;
  readonly target: string;
  readonly region: string;
  readonly dirs: ReturnType<typeof projects>;
  readonly platform: EngineStack;
  readonly p: Progress;
}

/** Preflight: in place, or with the replica's stack files written; finds the backup and checks it is portable. */
function preflightPhase(run: RecoverRun): Phase {
  const { env, req, source, inPlace, target, region, dirs, p } = run;
  return {
    name: "preflight",
    title: inPlace
      ? `Preflight: ${req.stack} in place, find the backup`
      : `Preflight: write ${target} in ${region}, find the backup`,
    run: async (update) => {
      const engine = env.engine();
      const storage = await engine.outputs(source.storage);
      if (inPlace) {
        p.location = {
          bucket: str(storage.bucket, "bucket", source.storage.stack),
          region: str(storage.region, "region", source.storage.stack),
        };
      } else {
        p.location = {
          bucket: str(storage.replicaBucket, "replicaBucket", source.storage.stack),
          region: str(storage.replicaRegion, "replicaRegion", source.storage.stack),
        };
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
      const primary = inPlace
        ? undefined
        : {
            bucket: str(storage.bucket, "bucket", source.storage.stack),
            region: str(storage.region, "region", source.storage.stack),
          };
      const b = await findBackup(env, p.location, primary, source.imperative, req.backup);
      p.backup = b.backup;
      p.rpo = { ageSeconds: b.ageSeconds, lagNote: b.lagNote };
      p.passedOver = b.passedOver;
      update(`checking ${b.backup.name} for references bound to ${source.cfg.region} or to the lost cluster`);
      const plan = await new Planner(env.root).planPlatform({ stack: target });
      p.portability = await checkBackup(env.store(p.location), b.backup.name, source.imperative, {
        sourceRegion: source.cfg.region,
        targetRegion: region,
        ...plannedStorageClasses(plan.resources),
      });
      refuseUnportable(p.portability, req.acceptUnportable === true);
      return `${portabilitySummary(p.portability)}; restoring ${b.backup.name} (${Math.round(b.ageSeconds / 60)} min old) from ${p.location.bucket} (${p.location.region})`;
    },
  };
}

/** Cluster: `pulumi up` backup storage, then the platform stack, with the replica's secrets copied; keeps its outputs and kubeconfig. */
function clusterPhase(run: RecoverRun): Phase {
  const { env, req, source, inPlace, target, dirs, platform, p } = run;
  return {
    name: "cluster",
    title: `Cluster: \`pulumi up\` backup storage, then ${target}`,
    run: async (update) => {
      const engine = env.engine();
      const storage: EngineStack = inPlace
        ? source.storage
        : { project: "storage", workDir: dirs.storage.dir, stack: target };
      await engine.ensureStack(storage, { create: !inPlace });
      // In place, the state still lists what the disaster took: refresh before rebuilding.
      await engine.up(storage, update, { signal: env.engineSignal, refresh: inPlace });
      await engine.ensureStack(platform, { create: !inPlace });
      if (!inPlace) {
        const file = fs.readFileSync(path.join(dirs.platform.dir, stackFileName(target)), "utf8");
        for (const key of securePaths(parseDocument(file)))
          await engine.setConfig(
            platform,
            key,
            await engine.getConfig({ ...platform, stack: req.stack }, key, true),
            true,
          );
      }
      const changes = await engine.up(platform, update, { signal: env.engineSignal, refresh: inPlace });
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      return `${target} up: ${Object.entries(changes)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`;
    },
  };
}

/** `phoenix recover`: rebuilds a stack (in place, or as a replica elsewhere), restores, verifies, reports; keeps it all. */
export async function recover(env: RecoveryEnv, req: RecoverRequest): Promise<RecoveryReport> {
  const startedAt = env.now();
  const id = `recover-${startedAt.toString(36)}`;
  const source = await readSource(env.root, req.stack);
  const inPlace = req.region === undefined || req.region === source.cfg.region;
  if (source.cfg.standby && !inPlace)
    throw new UsageError(
      `${req.stack} is a pilot-light standby in ${source.cfg.region}: it recovers in place (phoenix recover --stack ${req.stack}), not in ${req.region}`,
    );
  const target = inPlace ? req.stack : (req.as ?? `${req.stack}-${req.region}`);
  const region = req.region ?? source.cfg.region;
  const dirs = projects(env.root);
  const reportDir = path.resolve(req.reportDir ?? path.join(env.root, ".phoenix", "reports", id));
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack: target };
  const run: RecoverRun = { env, req, source, inPlace, target, region, dirs, platform, p: { stackCreated: false } };
  const { p } = run;
  const base = {
    id,
    source: req.stack,
    stack: target,
    region,
    startedAt,
    reportDir,
    targets: { rtoMinutes: source.cfg.recovery.rtoMinutes, rpoMinutes: source.cfg.recovery.rpoMinutes },
  };
  // A pilot-light standby has its cluster: it is promoted, not built.
  const first = source.cfg.standby
    ? [standbyPreflight(env, source, req.backup, req.acceptUnportable === true, p), promotePhase(env, source, id, p)]
    : [preflightPhase(run), clusterPhase(run)];
  return finish(
    "recover",
    env,
    base,
    [
      ...first,
      ...restorePhases(
        env,
        source.cfg,
        source.imperative,
        () => `${p.location?.bucket} (${p.location?.region})`,
        p,
        id,
      ),
    ],
    p,
  );
}
