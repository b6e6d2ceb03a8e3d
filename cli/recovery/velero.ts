/**
 * Velero's objects and object-store layout, as recovery reads and writes them (pure).
 * Keys follow `pkg/persistence/object_store_layout.go`; the tarball is read in
 * `backupTarball.ts`.
 */
import { isRecord, nonEmptyText, record, texts } from "../shared/data";
import type { VolumeCopy } from "./compareVolumes";

/** Velero's API group and version. */
export const VELERO_API = { group: "velero.io", version: "v1" } as const;

/** The object keys of a backup under a location's prefix (`""` when the location has none). */
export function backupKeys(
  prefix: string,
  backup: string,
): { metadata: string; contents: string; resourceList: string; podVolumeBackups: string; volumeInfo: string } {
  const base = `${prefix ? `${prefix.replace(/\/+$/, "")}/` : ""}backups/${backup}/`;
  return {
    metadata: `${base}velero-backup.json`,
    contents: `${base}${backup}.tar.gz`,
    resourceList: `${base}${backup}-resource-list.json.gz`,
    podVolumeBackups: `${base}${backup}-podvolumebackups.json.gz`,
    volumeInfo: `${base}${backup}-volumeinfo.json.gz`,
  };
}

/**
 * The objects a backup needs on a location before a restore may use it. Velero writes
 * the metadata, then the tarball, then the resource list, the pod volume backups list
 * and the volume info (each, even when empty: PutBackup, pkg/persistence/object_store.go
 * :269-297@v1.18.1), and replication copies object by object, so a replica can hold the
 * metadata of a backup whose other parts are still on their way.
 */
export function requiredBackupKeys(prefix: string, backup: string): string[] {
  const k = backupKeys(prefix, backup);
  return [k.contents, k.resourceList, k.podVolumeBackups, k.volumeInfo];
}

/**
 * A kopia repository's prefix on a location: one repository per volume namespace,
 * `<p>/kopia/<namespace>/` (pkg/repository/provider/unified_repo.go:564@v1.18.1).
 */
export function kopiaPrefix(prefix: string, namespace: string): string {
  return `${prefix ? `${prefix.replace(/\/+$/, "")}/` : ""}kopia/${namespace}/`;
}

/**
 * The blob that describes a kopia repository, written first and read to open it
 * (repo/format/format_blob.go:31 of the kopia Velero v1.18.1 pins,
 * project-velero/kopia d946b1e75197); the e2e harness sees Velero write it.
 */
export const KOPIA_FORMAT_BLOB = "kopia.repository";

/** One PodVolumeBackup of a backup's `-podvolumebackups.json.gz` list. */
export interface PodVolumeBackupEntry {
  /** The namespace of the pod: its kopia repository's name. */
  readonly namespace: string;
  readonly pod: string;
  readonly volume: string;
  readonly phase: string;
  readonly snapshotID?: string;
  /** The volume's size as kopia read it (`status.progress.totalBytes`, pkg/apis/velero/v1/pod_volume_backup_types.go:119@v1.18.1). */
  readonly bytes?: number;
}

/** Parses a backup's pod volume backups list (ungzipped); Velero writes `null` for none. */
export function parsePodVolumeBackups(list: unknown): PodVolumeBackupEntry[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const spec = record(record(item).spec);
    const pod = record(spec.pod);
    const status = record(record(item).status);
    return {
      namespace: nonEmptyText(pod.namespace) ?? "",
      pod: nonEmptyText(pod.name) ?? "",
      volume: nonEmptyText(spec.volume) ?? "",
      phase: nonEmptyText(status.phase) ?? "",
      ...(nonEmptyText(status.snapshotID) ? { snapshotID: nonEmptyText(status.snapshotID) } : {}),
      ...(typeof record(status.progress).totalBytes === "number"
        ? { bytes: record(status.progress).totalBytes as number }
        : {}),
    };
  });
}

/**
 * The volumes of a backup's `-volumeinfo.json.gz` whose CSI snapshot the data mover
 * copied into the location, as entries like a pod volume backup's: the claim's
 * namespace (its kopia repository's name: the DataUpload's source namespace), the claim
 * as the volume, the kopia snapshot and its size (BackupVolumeInfo and
 * SnapshotDataMovementInfo, internal/volume/volumes_information.go:55-95,156-176@v1.18.1).
 * A succeeded result reads as Completed, as a pod volume backup's would.
 */
export function parseDataMovedVolumes(list: unknown): PodVolumeBackupEntry[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((item) => record(item).snapshotDataMoved === true)
    .map((item) => {
      const v = record(item);
      const moved = record(v.snapshotDataMovementInfo);
      const result = nonEmptyText(v.result);
      return {
        namespace: nonEmptyText(v.pvcNamespace) ?? "",
        pod: "",
        volume: nonEmptyText(v.pvcName) ?? "",
        phase: result === "succeeded" ? "Completed" : (result ?? ""),
        ...(nonEmptyText(moved.snapshotHandle) ? { snapshotID: nonEmptyText(moved.snapshotHandle) } : {}),
        ...(typeof moved.size === "number" ? { bytes: moved.size } : {}),
      };
    });
}

/** One object of a kopia repository on a location. */
export interface StoredBlob {
  readonly key: string;
  readonly size: number;
  /** ISO time the store last wrote it. */
  readonly lastModified: string;
}

/**
 * The kopia blobs a replica still lacks for data written up to `until` (a backup's
 * completion): every blob the primary held by then must be on the replica at the same
 * size. Kopia's snapshot, index and pack blobs are encrypted, so which blobs a snapshot
 * needs cannot be read without the repository password; all of them up to the backup's
 * end is the bound that needs none. Blobs written later (a newer backup, maintenance)
 * do not count.
 */
export function kopiaGaps(primary: readonly StoredBlob[], replica: readonly StoredBlob[], until: string): StoredBlob[] {
  const there = new Map(replica.map((b) => [b.key, b.size]));
  const end = Date.parse(until);
  return primary.filter((b) => Date.parse(b.lastModified) <= end && there.get(b.key) !== b.size);
}

/** The object keys of a restore's results (written only to a location Velero may write). */
export function restoreKeys(prefix: string, restore: string): { results: string; resourceList: string } {
  const base = `${prefix ? `${prefix.replace(/\/+$/, "")}/` : ""}restores/${restore}/`;
  return {
    results: `${base}restore-${restore}-results.gz`,
    resourceList: `${base}restore-${restore}-resource-list.json.gz`,
  };
}

/** What recovery needs of a Backup (`velero-backup.json` in the bucket, or the object in a cluster). */
export interface BackupSummary {
  readonly name: string;
  readonly phase: string;
  readonly completedAt?: string;
  readonly startedAt?: string;
  readonly expiresAt?: string;
  /** `spec.includedNamespaces` (`*` or empty means every namespace). */
  readonly includedNamespaces: readonly string[];
  readonly scheduleName?: string;
  readonly itemsBackedUp?: number;
  readonly warnings: number;
  readonly errors: number;
  /** Velero's own hook counts (`status.hookStatus`). */
  readonly hooks?: { readonly attempted: number; readonly failed: number };
  /** Volumes copied file by file (kopia, `spec.defaultVolumesToFsBackup`), restored by pod volume restores; otherwise snapshots. */
  readonly fsBackup: boolean;
  /** CSI snapshots whose data the data mover copied into the bucket (`spec.snapshotMoveData`), restored by DataDownloads. */
  readonly dataMoved: boolean;
}

/** How a backup holds its volumes' data, for checking a restore of it. */
export function volumeCopy(backup: Pick<BackupSummary, "fsBackup" | "dataMoved">): VolumeCopy {
  return backup.dataMoved ? "data-mover" : backup.fsBackup ? "file-system" : "snapshot";
}

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

/** A Backup object (as Velero writes `velero-backup.json`, or as the API returns it) reduced to its summary. */
export function backupSummary(obj: unknown): BackupSummary {
  const meta = record(record(obj).metadata);
  const spec = record(record(obj).spec);
  const status = record(record(obj).status);
  const hooks = record(status.hookStatus);
  return {
    name: nonEmptyText(meta.name) ?? "",
    phase: nonEmptyText(status.phase) ?? "New",
    ...(nonEmptyText(status.completionTimestamp) ? { completedAt: nonEmptyText(status.completionTimestamp) } : {}),
    ...(nonEmptyText(status.startTimestamp) ? { startedAt: nonEmptyText(status.startTimestamp) } : {}),
    ...(nonEmptyText(status.expiration) ? { expiresAt: nonEmptyText(status.expiration) } : {}),
    includedNamespaces: texts(spec.includedNamespaces),
    ...(nonEmptyText(record(meta.labels)["velero.io/schedule-name"])
      ? { scheduleName: nonEmptyText(record(meta.labels)["velero.io/schedule-name"]) }
      : {}),
    ...(isRecord(status.progress) ? { itemsBackedUp: num(status.progress.itemsBackedUp) } : {}),
    warnings: num(status.warnings),
    errors: num(status.errors),
    ...(isRecord(status.hookStatus)
      ? { hooks: { attempted: num(hooks.hooksAttempted), failed: num(hooks.hooksFailed) } }
      : {}),
    fsBackup: spec.defaultVolumesToFsBackup === true,
    dataMoved: spec.snapshotMoveData === true,
  };
}

/** Whether a backup holds every one of `namespaces`. */
export function covers(backup: BackupSummary, namespaces: readonly string[]): boolean {
  const included = backup.includedNamespaces;
  if (included.length === 0 || included.includes("*")) return true;
  return namespaces.every((n) => included.includes(n));
}

/**
 * The backup a recovery restores: the named one, or the latest Completed one holding
 * every namespace to restore. PartiallyFailed backups are never picked by default: a
 * failed hook or volume makes them exactly the backups a restore must not trust blindly.
 */
export function pickBackup(
  backups: readonly BackupSummary[],
  namespaces: readonly string[],
  name?: string,
): { backup?: BackupSummary; reason?: string } {
  if (name !== undefined) {
    const named = backups.find((b) => b.name === name);
    if (!named) return { reason: `backup ${name} is not in the location (${backups.length} backups there)` };
    if (named.phase !== "Completed" && named.phase !== "PartiallyFailed")
      return { reason: `backup ${name} is ${named.phase}, not Completed` };
    if (!covers(named, namespaces))
      return {
        reason: `backup ${name} does not hold ${namespaces.filter((n) => !named.includedNamespaces.includes(n)).join(", ")}`,
      };
    return { backup: named };
  }
  const candidates = backups.filter(
    (b) => b.phase === "Completed" && b.completedAt !== undefined && covers(b, namespaces),
  );
  if (candidates.length === 0)
    return {
      reason: `no Completed backup holding ${namespaces.join(", ") || "the imperative namespaces"} among ${backups.length} in the location`,
    };
  return { backup: candidates.reduce((a, b) => ((b.completedAt ?? "") > (a.completedAt ?? "") ? b : a)) };
}

/** One entry of a backup's resource list (`<b>-resource-list.json.gz`): `group/version/Kind` and `ns/name`. */
export interface ListedItem {
  readonly key: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Parses a backup's resource list (ungzipped): `{"apps/v1/Deployment": ["ns/name", ...], "v1/PersistentVolume": ["name"]}`. */
export function parseBackupResourceList(obj: unknown): ListedItem[] {
  return Object.entries(record(obj)).flatMap(([key, entries]) =>
    texts(entries).map((entry) => {
      const slash = entry.indexOf("/");
      return {
        key,
        kind: key.split("/").pop() ?? key,
        ...(slash >= 0 ? { namespace: entry.slice(0, slash) } : {}),
        name: slash >= 0 ? entry.slice(slash + 1) : entry,
      };
    }),
  );
}

/** A restore resource list entry: `ns/name(created)`, as Velero writes it. */
export interface RestoredItem {
  readonly key: string;
  readonly namespace?: string;
  readonly name: string;
  readonly result: "created" | "updated" | "failed" | "skipped" | "unknown";
}

/** Parses a restore's resource list (`restore-<r>-resource-list.json.gz`, ungzipped). */
export function parseRestoreResourceList(obj: unknown): RestoredItem[] {
  const items: RestoredItem[] = [];
  for (const [key, entries] of Object.entries(record(obj))) {
    for (const entry of texts(entries)) {
      const m = /^(.*?)(?:\((created|updated|failed|skipped)\))?$/.exec(entry) as RegExpExecArray;
      const [nsName, result] = [m[1], m[2]];
      const slash = nsName.indexOf("/");
      items.push({
        key,
        ...(slash >= 0 ? { namespace: nsName.slice(0, slash) } : {}),
        name: slash >= 0 ? nsName.slice(slash + 1) : nsName,
        result: (result ?? "unknown") as RestoredItem["result"],
      });
    }
  }
  return items;
}

/** Velero's restore results file: messages by scope. */
export interface RestoreMessages {
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

/** Flattens `restore-<r>-results.gz` (`{warnings: {velero, cluster, namespaces: {ns: [...]}}, errors: ...}`). */
export function parseRestoreResults(obj: unknown): RestoreMessages {
  const flatten = (v: unknown): string[] => {
    const r = record(v);
    return [
      ...texts(r.velero).map((m) => `velero: ${m}`),
      ...texts(r.cluster).map((m) => `cluster: ${m}`),
      ...Object.entries(record(r.namespaces)).flatMap(([ns, msgs]) => texts(msgs).map((m) => `${ns}: ${m}`)),
    ];
  };
  return { warnings: flatten(record(obj).warnings), errors: flatten(record(obj).errors) };
}

/**
 * What a restore does to objects that already exist. `none` (skip them, reported as
 * warnings): in a rebuilt cluster what exists came from Pulumi or Git minutes ago and is
 * authoritative, and `update` would overwrite it with the backup's older copy; the
 * verification then reports any skipped object whose content differs from the backup.
 */
export const EXISTING_RESOURCE_POLICY = "none";

/** The Restore Phoenix creates: the imperative namespaces of one backup, with the restore modifiers. */
export function restoreManifest(opts: {
  name: string;
  veleroNamespace: string;
  backup: string;
  namespaces: readonly string[];
  modifiersConfigMap: string;
}): Record<string, unknown> {
  return {
    apiVersion: `${VELERO_API.group}/${VELERO_API.version}`,
    kind: "Restore",
    metadata: {
      name: opts.name,
      namespace: opts.veleroNamespace,
      labels: { "app.kubernetes.io/managed-by": "phoenix" },
    },
    spec: {
      backupName: opts.backup,
      // Only the imperative namespaces, even from a backup that holds more.
      includedNamespaces: [...opts.namespaces],
      // includeClusterResources stays unset ("auto"): Velero then brings the cluster-scoped
      // items the namespaces need, a claim's volume among them. Set to false, it returns
      // early for every cluster-scoped item (pkg/restore/restore.go@v1.18.1,
      // restoreItem), so a claim whose volume is re-provisioned keeps the source's
      // spec.volumeName and stays Pending: proven in test/e2e/scenarios/backupRestore.e2e.ts.
      restorePVs: true,
      // A new cluster has none of these ports taken; kept, a NodePort Service comes back as it was.
      preserveNodePorts: true,
      existingResourcePolicy: EXISTING_RESOURCE_POLICY,
      // Strips Argo CD's tracking so Argo does not prune what was restored (velero #7848).
      resourceModifier: { kind: "ConfigMap", name: opts.modifiersConfigMap },
    },
  };
}

/**
 * A Restore's or PodVolumeRestore's phase: still running, or over, and how. A partly
 * failed restore is over: verification then shows what it left out.
 */
export function restorePhase(phase: string | undefined): "running" | "succeeded" | "partial" | "failed" {
  if (phase === "Completed") return "succeeded";
  if (phase === "PartiallyFailed") return "partial";
  // Canceled: a pod volume restore Velero gave up on (a terminal phase since Velero 1.17).
  if (phase === "Failed" || phase === "FailedValidation" || phase === "Canceled") return "failed";
  return "running";
}
