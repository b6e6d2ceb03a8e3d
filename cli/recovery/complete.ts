/**
 * Whether all of a backup is on a location before a restore uses it. Replication copies
 * object by object, so a replica can hold a backup's metadata before the rest: Velero's
 * own objects (`requiredBackupKeys`), and the kopia repository content its pod volume
 * backups or data mover uploads wrote, which lives outside the backup's folder
 * (`kopia/<namespace>/`).
 */
import type { BackupStore } from "./adapters";
import { KOPIA_FORMAT_BLOB, kopiaGaps, type BackupSummary, type PodVolumeBackupEntry, type StoredBlob } from "./velero";

/**
 * How long after a backup's completion its kopia blobs still count: Velero stamps the
 * completion to the second with the cluster's clock, S3 stamps each blob with its own,
 * and the last index and manifest blobs land just before the end. Requiring a few
 * minutes more is harmless (a blob of the next backup replicates too); fewer could pass
 * a backup whose last blobs are still on their way.
 */
const SKEW_MS = 5 * 60_000;

/** What is not there yet (empty: complete), and what could not be checked. */
export interface Completeness {
  readonly missing: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Checks one backup on `replica`. With the `primary` readable, every kopia blob it held
 * when the backup completed must be on the replica; without it (the region is lost),
 * only the repository itself can be checked, and a note says so.
 */
export async function completeness(
  replica: BackupStore,
  primary: BackupStore | undefined,
  backup: BackupSummary,
  blobs: (store: BackupStore, namespace: string) => Promise<StoredBlob[]> = (s, ns) => s.kopiaBlobs(ns),
): Promise<Completeness> {
  if (!(await replica.isComplete(backup.name)))
    return { missing: ["its tarball, resource list, pod volume backups list or volume info"], notes: [] };
  const volumes = (await volumeCopies(replica, backup.name)).filter((v) => v.phase === "Completed" && v.snapshotID);
  const namespaces = [...new Set(volumes.map((v) => v.namespace))].sort();
  const missing: string[] = [];
  const notes: string[] = [];
  for (const ns of namespaces) {
    const there = await blobs(replica, ns);
    if (!there.some((b) => b.key.endsWith(`/${KOPIA_FORMAT_BLOB}`))) {
      missing.push(`the kopia repository of ${ns} (no ${KOPIA_FORMAT_BLOB})`);
      continue;
    }
    if (!primary) continue;
    let source: StoredBlob[];
    try {
      source = await blobs(primary, ns);
    } catch (err) {
      notes.push(
        `kopia content of ${ns} not compared with the primary, which cannot be read (${(err as Error).message.split("\n")[0]}): only its repository is known to be on the replica`,
      );
      continue;
    }
    const gaps = kopiaGaps(
      source,
      there,
      new Date(Date.parse(backup.completedAt ?? backup.startedAt ?? "") + SKEW_MS).toISOString(),
    );
    if (gaps.length > 0)
      missing.push(
        `${gaps.length} kopia blob(s) of ${ns} written by ${backup.completedAt ?? "its end"} (${gaps
          .slice(0, 3)
          .map((g) => g.key.split("/").pop())
          .join(", ")}${gaps.length > 3 ? ", ..." : ""})`,
      );
  }
  return { missing, notes };
}

/**
 * Every volume a backup copied into its location: its pod volume backups and the
 * volumes the data mover moved. Both write into the same per-namespace kopia
 * repositories.
 */
export async function volumeCopies(store: BackupStore, name: string): Promise<PodVolumeBackupEntry[]> {
  const [pvbs, moved] = await Promise.all([store.podVolumeBackups(name), store.dataMovedVolumes(name)]);
  return [...pvbs, ...moved];
}

/**
 * A memo of kopia listings for one search: each namespace's repository is listed once per
 * location, however many backups are looked at.
 */
export function listingsOnce(): (store: BackupStore, namespace: string) => Promise<StoredBlob[]> {
  const seen = new Map<string, Promise<StoredBlob[]>>();
  return (store, ns) => {
    const key = `${store.location}\u0000${ns}`;
    const known = seen.get(key) ?? store.kopiaBlobs(ns);
    seen.set(key, known);
    return known;
  };
}
