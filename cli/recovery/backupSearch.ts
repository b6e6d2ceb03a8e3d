/**
 * Which backup a restore uses: the newest Completed one holding every imperative
 * namespace, complete on the replica (kopia data included), and why each newer one was
 * passed over.
 */
import type { StoreLocation } from "./adapters";
import { completeness, listingsOnce } from "./complete";
import { covers, pickBackup, type BackupSummary } from "./velero";
import type { PassedOver, RecoveryEnv } from "./types";

/**
 * Newer backups of the namespaces than the one chosen, and why each was not: not
 * Completed (a PartiallyFailed one lost a volume or a hook, a Failed one holds nothing
 * whole), or not all on the replica yet.
 */
export function passedOver(
  backups: readonly BackupSummary[],
  chosen: BackupSummary,
  namespaces: readonly string[],
  incomplete: ReadonlyMap<string, string>,
): PassedOver[] {
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
export interface Found {
  readonly passedOver: readonly PassedOver[];
  readonly backup: BackupSummary;
  /** From the backup's start (its data's point in time) to now: the data a recovery would lose. */
  readonly ageSeconds: number;
  /** How far the replica is behind the primary's newest backup, when the primary answers. */
  readonly lagSeconds?: number;
  readonly lagNote: string;
}

export const startOf = (b: BackupSummary): number => Date.parse(b.startedAt ?? b.completedAt ?? "");

/**
 * Finds the backup to restore on `location`: the named one, or the newest Completed one
 * holding every namespace whose contents are all there (replication copies objects one
 * by one, so the newest metadata on a replica can arrive before its tarball). Its age is
 * the RPO; with the primary readable, the part of it that is replication lag is named.
 */
export async function findBackup(
  env: RecoveryEnv,
  location: StoreLocation,
  primary: StoreLocation | undefined,
  namespaces: readonly string[],
  name: string | undefined,
): Promise<Found> {
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
    if (c.missing.length > 0)
      throw new Error(
        `${store.location}: backup ${name} is not all there yet (missing ${c.missing.join("; ")}): replication may still be copying it`,
      );
    backup = picked.backup;
    notes = c.notes;
  } else {
    let rest = backups;
    for (;;) {
      const picked = pickBackup(rest, namespaces);
      if (!picked.backup)
        throw new Error(
          `${store.location}: ${picked.reason}${incomplete.size ? ` (not all there yet: ${[...incomplete.keys()].join(", ")})` : ""}`,
        );
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
  if (!primary || name !== undefined)
    return {
      backup,
      ageSeconds,
      passedOver: over,
      lagNote:
        name !== undefined ? `backup ${name} chosen with --backup${skipped}` : `restoring from the primary${skipped}`,
    };
  try {
    const newest = pickBackup(await env.store(primary).listBackups(), namespaces).backup;
    if (!newest || startOf(newest) <= startOf(backup))
      return {
        backup,
        ageSeconds,
        passedOver: over,
        lagSeconds: 0,
        lagNote: `the replica holds the primary's newest backup${skipped}`,
      };
    const lagSeconds = (startOf(newest) - startOf(backup)) / 1000;
    return {
      backup,
      ageSeconds,
      passedOver: over,
      lagSeconds,
      lagNote: `the primary's newest backup ${newest.name} is not on the replica yet${skipped}`,
    };
  } catch (err) {
    return {
      backup,
      ageSeconds,
      passedOver: over,
      lagNote: `replication lag unknown: the primary cannot be read (${(err as Error).message.split("\n")[0]})${skipped}`,
    };
  }
}
