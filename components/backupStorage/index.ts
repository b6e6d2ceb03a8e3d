/**
 * Backup storage: the longest-lived layer. The Velero bucket with its own KMS key, and
 * optionally its DR replica (own key, own region) with the S3 replication role. It lives
 * in its own Pulumi project (stacks/backup-storage), so no destroy, recreate or drill of
 * a cluster ever touches it; every resource is `protect`ed and `retainOnDelete` on top.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { replicationPolicy, tlsOnlyBucketPolicy } from "./policies";

export { replicationPolicy, tlsOnlyBucketPolicy, type ReplicationScope } from "./policies";

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
  /** Tags for every AWS resource. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Logical-name prefix these resources had inside the platform stack before
   * `pulumi state move` brought them here (README, "Moving an existing bucket"): each
   * resource gets an alias to its old root-level name, so the move replaces nothing. An
   * alias that matches no state is ignored.
   */
  readonly movedFromPrefix?: string;
}

/** A private, versioned, SSE-KMS, TLS-only bucket with its own key. */
interface SecureBucket {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  /** Its settings: what must exist before anything is written to it. */
  readonly settings: pulumi.Resource[];
}

/** Component type token. */
export const BACKUP_STORAGE_TYPE = "phoenix:backupStorage:BackupStorage";

/** Layer 0: the backups' bucket, key and DR replica, kept whatever happens to any cluster. */
export class BackupStorage extends pulumi.ComponentResource {
  /** Name of the bucket Velero writes to. */
  public readonly bucket: pulumi.Output<string>;
  /** Its region: a backup storage location's region is the bucket's (velero #6732). */
  public readonly region: string;
  /** ARN of the bucket's KMS key. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The DR replica, when configured: what another region restores from, read-only. */
  public readonly replica?: { readonly bucket: pulumi.Output<string>; readonly region: string; readonly kmsKeyArn: pulumi.Output<string> };

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    // protect is inherited by every child: `pulumi destroy` of this stack fails until a
    // person unprotects it on purpose (`pulumi state unprotect`).
    super(BACKUP_STORAGE_TYPE, name, {}, { protect: true, ...opts });
    const alias = (legacy: string): pulumi.ResourceOptions["aliases"] =>
      args.movedFromPrefix ? [{ name: `${args.movedFromPrefix}-${legacy}`, parent: pulumi.rootStackResource }] : undefined;
    const primary = this.secureBucket(name, "velero-backups", args, undefined, alias("backups"));
    this.bucket = primary.bucket.bucket;
    this.region = args.region;
    this.kmsKeyArn = primary.key.arn;

    if (args.replicaRegion) {
      const replicaName = `${name}-replica`;
      const provider = new aws.Provider(
        `${replicaName}-${args.replicaRegion}`,
        { region: args.replicaRegion as aws.Region, defaultTags: { tags: { ...args.tags } } },
        { parent: this, aliases: alias(`backups-replica-${args.replicaRegion}`) },
      );
      const replica = this.secureBucket(replicaName, "velero-backups-replica", args, provider, alias("backups-replica"));
      this.replicate(name, primary, replica, args, args.replicaRegion, alias);
      this.replica = { bucket: replica.bucket.bucket, region: args.replicaRegion, kmsKeyArn: replica.key.arn };
    }
    this.registerOutputs({ bucket: this.bucket, kmsKeyArn: this.kmsKeyArn, replicaBucket: this.replica?.bucket, replicaKeyArn: this.replica?.kmsKeyArn });
  }

  /** One bucket and its own key; the key must live as long as the bucket or every object becomes unreadable. */
  private secureBucket(
    name: string,
    purpose: string,
    args: BackupStorageArgs,
    provider: pulumi.ProviderResource | undefined,
    aliases: pulumi.ResourceOptions["aliases"],
  ): SecureBucket {
    const keep = { parent: this, retainOnDelete: true, provider, aliases };
    const tags = { ...args.tags, "phoenix:purpose": purpose };
    const key = new aws.kms.Key(name, { description: `SSE-KMS key of the ${purpose} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, tags }, keep);
    const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags }, keep);
    const versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, keep);
    const settings = [
      new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, keep),
      new aws.s3.BucketPublicAccessBlock(
        name,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        keep,
      ),
      versioning,
      new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        // The bucket key cuts KMS requests (and cost) for kopia's many small objects.
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
        keep,
      ),
      new aws.s3.BucketPolicy(name, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) }, keep),
      new aws.s3.BucketLifecycleConfiguration(
        name,
        {
          bucket: bucket.id,
          rules: [
            {
              id: "noncurrent-versions",
              status: "Enabled",
              filter: {},
              noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
            // Delete markers left once all their noncurrent versions have expired.
            { id: "expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
          ],
        },
        // Lifecycle rules on a versioned bucket act on versions: versioning comes first.
        { ...keep, dependsOn: [versioning] },
      ),
    ];
    return { bucket, key, settings };
  }

  /**
   * S3 Cross-Region Replication with its own role. Asynchronous, and it does not copy
   * objects written before the rule existed (S3 user guide, "Replicating objects"): the
   * README says what that means for the first backups.
   */
  private replicate(
    name: string,
    primary: SecureBucket,
    replica: SecureBucket,
    args: BackupStorageArgs,
    replicaRegion: string,
    alias: (legacy: string) => pulumi.ResourceOptions["aliases"],
  ): void {
    const dnsSuffix = aws.getPartitionOutput({}, { parent: this }).dnsSuffix;
    const role = new aws.iam.Role(
      `${name}-replication`,
      {
        description: "S3 replication of the Velero backup bucket to its DR replica",
        assumeRolePolicy: dnsSuffix.apply((suffix) =>
          JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: `s3.${suffix}` }, Action: "sts:AssumeRole" }] }),
        ),
        tags: { ...args.tags },
      },
      { parent: this, retainOnDelete: true, aliases: alias("replication") },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-replication`,
      {
        role: role.name,
        policy: pulumi
          .all([primary.bucket.arn, primary.key.arn, replica.bucket.arn, replica.key.arn, dnsSuffix])
          .apply(([sourceBucketArn, sourceKeyArn, replicaBucketArn, replicaKeyArn, suffix]) =>
            JSON.stringify(replicationPolicy({ sourceBucketArn, sourceKeyArn, sourceRegion: args.region, replicaBucketArn, replicaKeyArn, replicaRegion, dnsSuffix: suffix })),
          ),
      },
      { parent: this, retainOnDelete: true, aliases: alias("replication") },
    );
    new aws.s3.BucketReplicationConfig(
      name,
      {
        bucket: primary.bucket.id,
        role: role.arn,
        rules: [
          {
            id: "dr-replica",
            status: "Enabled",
            filter: {},
            // Velero deleting an expired backup is replicated too, so the DR cluster's
            // read-only location lists the same backups as the primary; the versions stay
            // recoverable on both sides for noncurrentVersionDays.
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: replica.bucket.arn, encryptionConfiguration: { replicaKmsKeyId: replica.key.arn } },
          },
        ],
      },
      // Replication needs versioning on both sides and the role's permissions in place.
      { parent: this, retainOnDelete: true, dependsOn: [...primary.settings, ...replica.settings, policy], aliases: alias("backups") },
    );
  }
}
