/** A backup bucket with its own KMS key: private, versioned, SSE-KMS, TLS-only, locked and logged. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogs } from "./accessLogs";
import type { BackupStorageArgs } from "./args";
import type { Principals, Side } from "./build";
import { backupBucketPolicy, storageKeyPolicy, type KeyUser } from "./policies";

/** A private, versioned, SSE-KMS, TLS-only, locked and logged bucket with its own key. */
export interface SecureBucket {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  /** Its settings: what must exist before anything is written to it. */
  readonly settings: pulumi.Resource[];
}

/** One statement of a bucket key's policy: who may use the key, for what, through which service. */
export interface KeyUse {
  sid: string;
  principals: pulumi.Input<string[]>;
  actions: KeyUser["actions"];
  viaService: pulumi.Input<string>;
}

/** One bucket with its own key, its lock, its policy and its access logs; the key must live as long as the bucket or every object becomes unreadable. */
export function secureBucket(
  parent: pulumi.ComponentResource,
  side: Side,
  args: BackupStorageArgs,
  who: Principals,
  replicationRole: aws.iam.Role | undefined,
  keyUsers: readonly KeyUse[],
): SecureBucket {
  const { name, purpose, provider, aliases } = side;
  const keep = { parent, retainOnDelete: true, provider, aliases };
  const tags = { ...args.tags, "phoenix:purpose": purpose };
  const key = new aws.kms.Key(
    name,
    {
      description: `SSE-KMS key of the ${purpose} bucket`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(who, keyUsers),
      tags,
    },
    keep,
  );
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags }, keep);
  const versioning = new aws.s3.BucketVersioning(
    name,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    keep,
  );
  const settings: pulumi.Resource[] = [
    new aws.s3.BucketOwnershipControls(
      name,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      keep,
    ),
    new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      keep,
    ),
    versioning,
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      // The bucket key cuts KMS requests (and cost) for kopia's many small objects.
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      keep,
    ),
    lifecycle(name, bucket, versioning, args, keep),
    accessLogs(parent, side, bucket, args, who),
  ];
  if (args.objectLock) {
    settings.push(
      // A resource of its own rather than `objectLockEnabled` on the bucket: that input
      // replaces the bucket, while PutObjectLockConfiguration enables Object Lock on an
      // existing versioned bucket in place (S3 API reference, PutObjectLockConfiguration).
      // GOVERNANCE by default: a stolen Velero identity cannot delete a locked version
      // (it has no s3:BypassGovernanceRetention, and the bucket policy denies it to all but
      // the administrators), while the administrators can still remove a backup that
      // must go (a leaked secret, an erasure request). COMPLIANCE would bind even the
      // account root until the retention ends (S3 user guide, "Object Lock retention
      // modes"); a stack file may choose it.
      new aws.s3.BucketObjectLockConfiguration(
        name,
        {
          bucket: bucket.id,
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
        },
        // Object Lock needs versioning on (S3 user guide, "Object Lock considerations").
        // New with Object Lock: no older name to alias.
        { ...keep, aliases: undefined, dependsOn: [versioning] },
      ),
    );
  }
  // Last: the policy denies every change of the protection to all but the
  // administrators, so it goes on once everything it guards is in place.
  const policy = pulumi
    .all([bucket.arn, who.velero, who.admins, replicationRole?.arn])
    .apply(([bucketArn, readers, admins, replicationRoleArn]) =>
      JSON.stringify(
        backupBucketPolicy({ bucketArn, readers: [...readers, ...who.restoreReaders], admins, replicationRoleArn }),
      ),
    );
  settings.push(new aws.s3.BucketPolicy(name, { bucket: bucket.id, policy }, { ...keep, dependsOn: [...settings] }));
  return { bucket, key, settings };
}

/** The key's policy: the administrators administer it, each of `keyUsers` uses it as its statement says. */
function keyPolicy(who: Principals, keyUsers: readonly KeyUse[]): pulumi.Output<string> {
  return pulumi
    .all([
      who.partition,
      who.accountId,
      who.admins,
      pulumi.all(keyUsers.map((u) => pulumi.all([u.principals, u.viaService]))),
    ])
    .apply(([partition, accountId, admins, users]) =>
      JSON.stringify(
        storageKeyPolicy({
          partition,
          accountId,
          admins,
          users: keyUsers.map((u, i) => ({
            sid: u.sid,
            actions: u.actions,
            principals: users[i][0],
            viaService: users[i][1],
          })),
        }),
      ),
    );
}

/** The bucket's lifecycle: noncurrent versions expire after `noncurrentVersionDays`, and the delete markers they leave go too. */
function lifecycle(
  name: string,
  bucket: aws.s3.Bucket,
  versioning: aws.s3.BucketVersioning,
  args: BackupStorageArgs,
  keep: pulumi.CustomResourceOptions,
): aws.s3.BucketLifecycleConfiguration {
  return new aws.s3.BucketLifecycleConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "noncurrent-versions",
          status: "Enabled",
          filter: {},
          // Lifecycle never removes a version that is still locked (S3 user guide,
          // "Managing S3 Lifecycle policies with Object Lock"): this expires a
          // noncurrent version once both its lock and these days have passed.
          noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
        // Delete markers left once all their noncurrent versions have expired.
        {
          id: "expired-delete-markers",
          status: "Enabled",
          filter: {},
          expiration: { expiredObjectDeleteMarker: true },
        },
      ],
    },
    // Lifecycle rules on a versioned bucket act on versions: versioning comes first.
    { ...keep, dependsOn: [versioning] },
  );
}

/** The key use of the restore readers, when there are any: decrypt through S3, nothing else. */
export function restoreReading(who: Principals, viaService: pulumi.Output<string>): KeyUse[] {
  return who.restoreReaders.length > 0
    ? [{ sid: "RestoreReadersDecrypt", principals: [...who.restoreReaders], actions: ["kms:Decrypt"], viaService }]
    : [];
}
