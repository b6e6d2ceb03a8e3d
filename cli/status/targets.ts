/**
 * What `phoenix status` looks at for a stack, read offline from the stack files: its
 * role (a primary writes backups; a standby or replica restores another's), the storage
 * stack whose buckets hold those backups, the schedules, the namespaces a restore needs,
 * the targets, and the Object Lock the storage declares.
 */
import * as path from "node:path";
import { parseStorageConfig, parseStackConfig } from "../stacks/config";
import { BACKUP_STORAGE_PROJECT, parseStackName, type PhoenixConfig } from "../stacks/names";
import { projects } from "../stacks/projects";
import { listStacks, loadStack } from "../stacks/stackFile";
import { scheduleObjectName } from "../../components/plugins/velero/names";
import { UsageError } from "../shared/errors";
import type { DeclaredLock, StackStatus } from "./model";

/** One stack to report on. */
export interface StatusTarget {
  readonly stack: string;
  readonly region: string;
  readonly role: StackStatus["role"];
  readonly restoresFrom?: string;
  /** The storage stack (in the storage project) whose buckets hold the backups. */
  readonly storageStack: string;
  /** Its regions, from its stack file: the bucket's and the DR replica's. */
  readonly storageRegion: string;
  readonly replicaRegion?: string;
  readonly declaredLock: DeclaredLock;
  readonly schedules: readonly { readonly schedule: string; readonly veleroSchedule: string }[];
  readonly imperative: readonly string[];
  readonly rpoMinutes: number;
  readonly maxDrillAgeDays: number;
  readonly cfg: PhoenixConfig;
}

/** The storage stack name a reference (`phoenix-backup-storage/prod`, `org/project/stack`) points at. */
function storageOf(ref: string | undefined, fallback: string): string {
  return (ref === undefined ? undefined : parseStackName(ref)?.stack) ?? fallback;
}

/** The platform stack whose own storage is `storage` (the primary a standby restores from), if it is in this repository. */
function ownerOf(root: string, storage: string): string | undefined {
  for (const stack of listStacks(root)) {
    const cfg = platformConfig(root, stack);
    if (!cfg.backups.restoreFrom && storageOf(cfg.backups.storage.stack, stack) === storage) return stack;
  }
  return undefined;
}

function platformConfig(root: string, stack: string): PhoenixConfig {
  const loaded = loadStack(root, stack);
  return parseStackConfig(loaded.config, {
    project: loaded.project,
    stack,
    stackFile: path.relative(root, loaded.stackFile) || loaded.stackFile,
  });
}

/** Reads what status needs of `stack`; a stack file that does not validate is a usage error naming its keys. */
export function statusTarget(root: string, stack: string): StatusTarget {
  if (!listStacks(root).includes(stack))
    throw new UsageError(
      `--stack ${stack}: there is no Pulumi.${stack}.yaml in ${root} (the platform stacks: ${listStacks(root).join(", ") || "none"})`,
    );
  const cfg = platformConfig(root, stack);
  const standingBy = cfg.standby !== undefined && !cfg.standby.promoted;
  const restoreFrom = cfg.backups.restoreFrom?.stack;
  const role: StackStatus["role"] = standingBy ? "standby" : restoreFrom && !cfg.standby ? "replica" : "primary";
  const storageStack = role === "primary" ? storageOf(cfg.backups.storage.stack, stack) : storageOf(restoreFrom, stack);
  const storageDir = projects(root).storage.dir;
  if (!listStacks(storageDir).includes(storageStack))
    throw new UsageError(
      `${cfg.stackFile}: its backups are in ${BACKUP_STORAGE_PROJECT}/${storageStack}, but ${path.relative(root, storageDir)} has no Pulumi.${storageStack}.yaml`,
    );
  const loaded = loadStack(storageDir, storageStack);
  const storage = parseStorageConfig(loaded.config, {
    project: loaded.project,
    stack: storageStack,
    stackFile: path.relative(root, loaded.stackFile),
  });
  const restoresFrom = role === "primary" ? undefined : (ownerOf(root, storageStack) ?? storageStack);
  return {
    stack,
    region: cfg.region,
    role,
    ...(restoresFrom !== undefined ? { restoresFrom } : {}),
    storageStack,
    storageRegion: storage.region,
    ...(storage.replication ? { replicaRegion: storage.replication.region } : {}),
    declaredLock: { enabled: storage.objectLock.enabled, mode: storage.objectLock.mode, days: storage.objectLock.days },
    schedules: cfg.backups.schedules.map((s) => ({ schedule: s.name, veleroSchedule: scheduleObjectName(s.name) })),
    imperative: cfg.namespaces.imperative.map((n) => n.name),
    rpoMinutes: cfg.recovery.rpoMinutes,
    maxDrillAgeDays: cfg.recovery.maxDrillAgeDays,
    cfg,
  };
}

/** Every platform stack of the repository (`--all`). */
export function allTargets(root: string): StatusTarget[] {
  return listStacks(root).map((s) => statusTarget(root, s));
}
