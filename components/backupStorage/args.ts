/** The backup storage's arguments, as a stack file gives them. */

/** Object Lock default retention (S3 user guide, "Object Lock retention modes"). */
export interface ObjectLockRetention {
  readonly mode: "GOVERNANCE" | "COMPLIANCE";
  readonly days: number;
}

/** Arguments of the backup storage. */
export interface BackupStorageArgs {
  /** AWS region of the primary bucket (the default provider's region). */
  readonly region: string;
  /** Region of the DR replica; no replica when absent. Must differ from `region`, same partition. */
  readonly replicaRegion?: string;
  /**
   * Days an overwritten or deleted backup object stays recoverable as a noncurrent
   * version before S3 expires it. Velero deleting an expired backup is such a delete.
   */
  readonly noncurrentVersionDays: number;
  /** Default retention of every object version in both buckets; none when absent. */
  readonly objectLock?: ObjectLockRetention;
  /** ARN patterns of the administrators; default: the account root and the deploying role. */
  readonly admins: readonly string[];
  /** Where `admins` is set, for the message that refuses a deployer who is not one of them. */
  readonly adminsSetting?: string;
  /** ARN patterns of the Velero roles that use the storage; default: the account's `role/phoenix/velero/*`. */
  readonly veleroRoles?: readonly string[];
  /** ARN patterns of roles that may read backups and the repository password, and nothing more (the drill's). */
  readonly restoreReaders?: readonly string[];
  /** Days S3 server access logs are kept. */
  readonly accessLogDays: number;
  /** Tags for every AWS resource. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Logical-name prefix these resources had inside the platform stack before
   * `pulumi state move` brought them here (docs/operations/destroy-and-recreate.md, "Moving an existing bucket"): each
   * resource gets an alias to its old root-level name, so the move replaces nothing. An
   * alias that matches no state is ignored.
   */
  readonly movedFromPrefix?: string;
}
