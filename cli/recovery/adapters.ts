/**
 * The seams of recovery: what the drill, `recover` and `restore verify` ask of the
 * bucket, of the restored cluster and of AWS. The real implementations are ./s3.ts
 * (`@aws-sdk/client-s3`), ./kube.ts (`@kubernetes/client-node`) and ./aws.ts; tests drive
 * them against a local S3 server and a local Kubernetes API server, and drive the
 * phases with scripted ones.
 */
import type { Rewrite } from "../backup/portability";
import type { LiveObject, VolumeRestore } from "./compare";
import type { BackupObject } from "./backupTarball";
import type {
  BackupSummary,
  ListedItem,
  PodVolumeBackupEntry,
  RestoreMessages,
  RestoredItem,
  StoredBlob,
} from "./velero";

/** A Velero backup storage location's bucket, read-only. */
export interface BackupStore {
  /** `s3://bucket (region)`, for messages. */
  readonly location: string;
  /** Every backup's summary (`backups/<b>/velero-backup.json`). */
  listBackups(): Promise<BackupSummary[]>;
  /**
   * Whether a backup's contents and resource list are there too: replication copies
   * objects independently, so a replica can hold a backup's metadata before its tarball.
   */
  isComplete(name: string): Promise<boolean>;
  /** A backup's pod volume backups (`backups/<b>/<b>-podvolumebackups.json.gz`). */
  podVolumeBackups(name: string): Promise<PodVolumeBackupEntry[]>;
  /** A backup's volumes moved by the data mover, from its volume info (`backups/<b>/<b>-volumeinfo.json.gz`). */
  dataMovedVolumes(name: string): Promise<PodVolumeBackupEntry[]>;
  /** The blobs of a namespace's kopia repository (`kopia/<namespace>/`). */
  kopiaBlobs(namespace: string): Promise<StoredBlob[]>;
  /** A backup's resource list (`backups/<b>/<b>-resource-list.json.gz`): what Velero says it holds. */
  resourceList(name: string): Promise<ListedItem[]>;
  /** The objects of one backup (`backups/<b>/<b>.tar.gz`). */
  backupObjects(name: string): Promise<BackupObject[]>;
  /** The bytes of a backup's own objects (`backups/<b>/`: its metadata, tarball and lists; volume data is kopia's, shared). */
  objectBytes(name: string): Promise<number>;
  /** The bucket's Object Lock default retention, as S3 answers `GetObjectLockConfiguration`. */
  objectLock(): Promise<ObjectLockState>;
  /** A restore's results and resource list, when Velero could write them (never to a read-only location). */
  restoreRecord(
    restore: string,
  ): Promise<{ readonly messages?: RestoreMessages; readonly items?: readonly RestoredItem[] }>;
}

/** A bucket's Object Lock: off, on without a default retention, or on with one. */
export interface ObjectLockState {
  readonly enabled: boolean;
  readonly mode?: string;
  readonly days?: number;
  readonly years?: number;
}

/** Where a backup store is. */
export interface StoreLocation {
  readonly bucket: string;
  readonly region: string;
  /** The location's prefix (Phoenix's locations have none). */
  readonly prefix?: string;
}

/** A Restore as it ended. */
export interface RestoreOutcome {
  readonly phase: string;
  readonly warnings: number;
  readonly errors: number;
  readonly failureReason?: string;
  /** Why Velero refused the Restore before starting it (phase FailedValidation; `status.validationErrors`, pkg/apis/velero/v1/restore_types.go:328@v1.18.1). */
  readonly validationErrors?: readonly string[];
  readonly volumeRestores: readonly VolumeRestore[];
}

/** The result of a command run in a restored pod. */
export interface ExecResult {
  readonly pod: string;
  readonly exitCode: number;
  /** The last lines of its output (the check's own words; never Phoenix's data). */
  readonly output: string;
}

/** A resource type as the API serves it: `apps/v1`, `deployments`, `Deployment`. */
export interface ResourceType {
  readonly apiVersion: string;
  readonly plural: string;
  /** The kind: list items from the API server carry none of their own. */
  readonly kind: string;
}

/** Stops a wait: the drill was interrupted or timed out. */
export interface Wait {
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
  readonly progress?: (status: string) => void;
}

/** What recovery asks of the restored cluster. */
export interface RecoveryCluster {
  /** Waits until every Argo CD Application is Synced and Healthy; throws naming those that are not. */
  waitApplications(wait: Wait): Promise<{ readonly total: number }>;
  /** Waits until Velero has synced `backup` from its location into the cluster. */
  /**
   * Waits until Velero has synced a backup from its location and, after it, the backup's
   * `podVolumeBackups` PodVolumeBackups: the sync creates the Backup first and its pod
   * volume backups after (pkg/controller/backup_sync_controller.go:194-230@v1.18.1), and
   * a Restore made in between restores no volume data.
   */
  waitBackup(veleroNamespace: string, backup: string, podVolumeBackups: number, wait: Wait): Promise<void>;
  /** Creates a Velero Restore. */
  createRestore(manifest: Record<string, unknown>): Promise<void>;
  /** Creates (or replaces) a ConfigMap: a restore's resource modifiers. */
  applyConfigMap(manifest: Record<string, unknown>): Promise<void>;
  /** The rewrites Phoenix recorded on a Restore's resource modifiers (none for modifiers it did not generate). */
  restoreRewrites(veleroNamespace: string, restore: string): Promise<readonly Rewrite[]>;
  /** Waits until the Restore and its pod volume restores are over. */
  waitRestore(veleroNamespace: string, restore: string, wait: Wait): Promise<RestoreOutcome>;
  /** The Restore objects of a backup, newest first (verify-restore finds what restored it). */
  restoresOf(veleroNamespace: string, backup: string): Promise<readonly string[]>;
  /** Live objects of the given resources (`apiVersion` and plural) in the given namespaces; a resource the server does not serve has none. */
  listObjects(namespaces: readonly string[], resources: readonly ResourceType[]): Promise<LiveObject[]>;
  /**
   * Deletes what one restore made in `namespaces`: the objects of `resources` that Velero
   * labelled with its name (`velero.io/restore-name`, pkg/restore/restore.go:2138-2148@v1.18.1);
   * answers how many. What Pulumi or Argo CD made carries no such label and stays.
   */
  deleteRestored(namespaces: readonly string[], resources: readonly ResourceType[], restore: string): Promise<number>;
  /** Runs a command in one running pod matching `pods` (any pod when empty) in `namespace`. */
  exec(
    namespace: string,
    pods: Readonly<Record<string, string>>,
    container: string,
    command: readonly string[],
    timeoutSeconds: number,
  ): Promise<ExecResult>;
}

/** What recovery asks of AWS directly. */
export interface AwsAccess {
  /** Reads a secret in a region (its value is dropped): proves the caller may read and decrypt it there. */
  readSecret(secretArn: string, region: string): Promise<void>;
}

/** Releases what Kubernetes made in AWS (load balancers, their interfaces) before a stack is destroyed. */
export type ReleaseExternal = (
  kubeconfig: string,
  target: { readonly clusterName: string; readonly region: string; readonly vpcId?: string },
  wait: Wait,
) => Promise<string>;
