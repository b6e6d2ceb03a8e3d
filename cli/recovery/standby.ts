/**
 * Recovery of a pilot-light standby (`phoenix:standby`): the cluster is there already, so
 * instead of building one, `recover` promotes it: `promoted: true` in its stack file
 * (the node groups come back to their sizes, DNS and its own backups turn on), one
 * `pulumi up`, then the restore from the primary's DR replica, which its Velero has been
 * reading all along, and the verification, as every recovery does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { BACKUP_STORAGE_PROJECT, parseStackName } from "../stacks/names";
import type { EngineStack } from "../engine/adapter";
import { stackFileText } from "../stacks/stackFile";
import { checkBackup, plannedStorageClasses, portabilitySummary, refuseUnportable } from "../backup/check";
import { UsageError } from "../shared/errors";
import type { StoreLocation } from "./adapters";
import { findBackup } from "./backupSearch";
import type { Phase } from "./phases";
import { asText, str, type Source } from "./source";
import type { Progress, RecoveryEnv } from "./types";

/** The standby's primary storage stack (`phoenix:backups.restoreFrom`), whose DR replica it restores from. */
export function primaryStorage(root: string, source: Source): EngineStack {
  const ref = source.cfg.backups.restoreFrom?.stack;
  const stack = ref === undefined ? undefined : parseStackName(ref)?.stack;
  if (stack === undefined)
    throw new UsageError(
      `${source.cfg.stackFile}: a standby needs phoenix:backups.restoreFrom.stack, the primary's storage stack (${BACKUP_STORAGE_PROJECT}/<primary>)`,
    );
  return { project: "storage", workDir: path.join(root, "stacks", "backup-storage"), stack };
}

/**
 * The stack file with the standby promoted: only `promoted` changes, with a comment
 * saying by what; the rest stays byte for byte, so the change reviews as one line.
 */
export function promotedText(text: string, project: string, by: string): string {
  const doc = parseDocument(text);
  const at = ["config", `${project}:standby`, "promoted"];
  if (!doc.hasIn(["config", `${project}:standby`]))
    throw new UsageError(`not a standby: the stack file sets no ${project}:standby`);
  doc.setIn(at, true);
  const node = doc.getIn(at, true) as { comment?: string | null } | undefined;
  if (node) node.comment = ` promoted by ${by}: commit this file, the stack now does the primary's work`;
  return stackFileText(doc, text);
}

/** The stack file with the drill's key: node groups at their sizes, DNS and backups still off. */
export function drillingText(text: string, project: string, id: string): string {
  const doc = parseDocument(text);
  if (!doc.hasIn(["config", `${project}:standby`]))
    throw new UsageError(`not a standby: the stack file sets no ${project}:standby`);
  const node = doc.createNode(id);
  node.comment = ` phoenix drill ${id} scaled the node groups; its teardown removes this line`;
  doc.setIn(["config", `${project}:standby`, "drill"], node);
  return stackFileText(doc, text);
}

/** Where the standby's backups are read: the primary's DR replica, and the primary itself for completeness. */
async function locations(
  env: RecoveryEnv,
  source: Source,
): Promise<{ replica: StoreLocation; primary: StoreLocation | undefined }> {
  const storage = primaryStorage(env.root, source);
  const outputs = await env.engine().outputs(storage);
  const name = `${BACKUP_STORAGE_PROJECT}/${storage.stack}`;
  return {
    replica: {
      bucket: str(outputs.replicaBucket, "replicaBucket", name),
      region: str(outputs.replicaRegion, "replicaRegion", name),
    },
    primary:
      typeof outputs.bucket === "string" && typeof outputs.region === "string"
        ? { bucket: outputs.bucket, region: outputs.region }
        : undefined,
  };
}

/** Preflight of a standby's recovery: find the backup on the primary's replica and check it for this region. */
export function standbyPreflight(
  env: RecoveryEnv,
  source: Source,
  backup: string | undefined,
  acceptUnportable: boolean,
  p: Progress,
): Phase {
  return {
    name: "preflight",
    title: `Preflight: ${source.loaded.stack} is a pilot-light standby; find the backup on its primary's replica`,
    run: async (update) => {
      const { replica, primary } = await locations(env, source);
      p.location = replica;
      update(`finding the backup on ${replica.bucket} (${replica.region})`);
      const b = await findBackup(env, replica, primary, source.imperative, backup);
      p.backup = b.backup;
      p.rpo = { ageSeconds: b.ageSeconds, lagNote: b.lagNote };
      p.passedOver = b.passedOver;
      p.portability = await checkBackup(env.store(replica), b.backup.name, source.imperative, {
        sourceRegion: source.cfg.region,
        targetRegion: source.cfg.region,
        ...plannedStorageClasses(source.plan.resources),
      });
      refuseUnportable(p.portability, acceptUnportable);
      return `${portabilitySummary(p.portability)}; restoring ${b.backup.name} (${Math.round(b.ageSeconds / 60)} min old) from ${replica.bucket} (${replica.region})`;
    },
  };
}

/** Promote: `promoted: true` in the stack file, its own storage up (backups turn on), then the platform up. */
export function promotePhase(env: RecoveryEnv, source: Source, id: string, p: Progress): Phase {
  const stack = source.loaded.stack;
  return {
    name: "cluster",
    title: `Promote ${stack}: node groups to their sizes, DNS and backups on (no new cluster)`,
    run: async (update) => {
      const engine = env.engine();
      const file = source.loaded.stackFile;
      const text = fs.readFileSync(file, "utf8");
      if (source.cfg.standby?.promoted !== true) {
        update(`writing promoted: true to ${path.relative(env.root, file) || file}`);
        fs.writeFileSync(file, promotedText(text, source.cfg.project, `phoenix recover (${id})`));
      } else update(`${stack} is promoted already: going on with it`);
      // Promoted, it writes backups to its own storage: that stack must be up first.
      await engine.ensureStack(source.storage, { create: false });
      await engine.up(source.storage, update, { signal: env.engineSignal });
      const platform: EngineStack = { project: "platform", workDir: path.dirname(file), stack };
      await engine.ensureStack(platform, { create: false });
      const changes = await engine.up(platform, update, { signal: env.engineSignal });
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      return `${stack} promoted: ${Object.entries(changes)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}; commit ${path.relative(env.root, file) || file}`;
    },
  };
}
