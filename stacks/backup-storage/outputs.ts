/**
 * The contract between the backup storage project and its readers: the project's name,
 * how its stacks are named, and the outputs each exports. The platform reads them through
 * a `pulumi.StackReference`; the offline plan answers that reference from the storage
 * stack's own offline plan.
 */

/** `name` in stacks/backup-storage/Pulumi.yaml (a test holds the two together). */
export const BACKUP_STORAGE_PROJECT = "phoenix-backup-storage";

/** What a backup storage stack exports. */
export interface BackupStorageOutputs {
  /** The bucket Velero writes to. */
  readonly bucket: string;
  /** Its region (a backup storage location's region is the bucket's: velero #6732). */
  readonly region: string;
  /** ARN of its KMS key. */
  readonly kmsKeyArn: string;
  /**
   * ARN of the Secrets Manager secret holding the kopia repository password, in the
   * bucket's region. The platform copies it into Velero's `velero-repo-credentials`
   * before Velero's first backup.
   */
  readonly repositoryPasswordSecretArn: string;
  /** Object Lock default retention of both buckets, when on: no schedule TTL may outlast it. */
  readonly objectLockMode?: "GOVERNANCE" | "COMPLIANCE";
  readonly objectLockDays?: number;
  /** The DR replica, when the stack replicates: what another region restores from. */
  readonly replicaBucket?: string;
  readonly replicaRegion?: string;
  readonly replicaKeyArn?: string;
  /** The password secret's replica in the DR region: what a DR cluster's deployment reads. */
  readonly replicaRepositoryPasswordSecretArn?: string;
}

/** Output names of the primary bucket and of the replica, as a reader asks for them. */
export const PRIMARY_OUTPUTS = {
  bucket: "bucket",
  region: "region",
  kmsKeyArn: "kmsKeyArn",
  repositoryPasswordSecretArn: "repositoryPasswordSecretArn",
} as const;
export const REPLICA_OUTPUTS = {
  bucket: "replicaBucket",
  region: "replicaRegion",
  kmsKeyArn: "replicaKeyArn",
  repositoryPasswordSecretArn: "replicaRepositoryPasswordSecretArn",
} as const;
/** Output names of the Object Lock retention (absent when the stack turns the default retention off). */
export const LOCK_OUTPUTS = { mode: "objectLockMode", days: "objectLockDays" } as const;

/**
 * The fully qualified name of a storage stack. The organization is the backend's: the
 * fixed `organization` on DIY backends (file://, s3://), the Pulumi Cloud org otherwise
 * (`pulumi.getOrganization()` answers it at run time).
 */
export function storageStackName(organization: string, stack: string): string {
  return `${organization}/${BACKUP_STORAGE_PROJECT}/${stack}`;
}

/** The parts of a stack name; `<project>/<stack>` names no organization. */
export function parseStackName(name: string): { organization?: string; project: string; stack: string } | undefined {
  const m = /^(?:([^/]+)\/)?([^/]+)\/([^/]+)$/.exec(name);
  return m ? { ...(m[1] ? { organization: m[1] } : {}), project: m[2], stack: m[3] } : undefined;
}

/** A stack name with the backend's organization filled in where it names none. */
export function qualifyStackName(name: string, organization: string): string {
  const parts = parseStackName(name);
  return parts && parts.organization === undefined ? `${organization}/${name}` : name;
}
