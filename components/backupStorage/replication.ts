/** S3 Cross-Region Replication of the backup bucket to its DR replica, with its own role. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStorageArgs } from "./args";
import type { SecureBucket } from "./bucket";
import type { LegacyAlias, Principals } from "./build";
import { replicationPolicy } from "./policies";

/** The S3 replication role: S3 assumes it, and the keys and bucket policies name it. */
export function makeReplicationRole(
  parent: pulumi.ComponentResource,
  name: string,
  who: Principals,
  args: BackupStorageArgs,
  alias: LegacyAlias,
): aws.iam.Role {
  return new aws.iam.Role(
    `${name}-replication`,
    {
      description: "S3 replication of the Velero backup bucket to its DR replica",
      assumeRolePolicy: who.dnsSuffix.apply((suffix) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: `s3.${suffix}` }, Action: "sts:AssumeRole" }],
        }),
      ),
      tags: { ...args.tags },
    },
    { parent, retainOnDelete: true, aliases: alias("replication") },
  );
}

/** What one replication connects: the primary bucket to its replica, through the role. */
export interface Replication {
  readonly primary: SecureBucket;
  readonly replica: SecureBucket;
  readonly role: aws.iam.Role;
  readonly replicaRegion: string;
}

/**
 * S3 Cross-Region Replication with its own role. Asynchronous, and it does not copy
 * objects written before the rule existed (S3 user guide, "Replicating objects"): the
 * docs/operations/backups.md says what that means for the first backups.
 */
export function replicate(
  parent: pulumi.ComponentResource,
  name: string,
  { primary, replica, role, replicaRegion }: Replication,
  args: BackupStorageArgs,
  who: Principals,
  alias: LegacyAlias,
): void {
  const policy = new aws.iam.RolePolicy(
    `${name}-replication`,
    {
      role: role.name,
      policy: pulumi
        .all([primary.bucket.arn, primary.key.arn, replica.bucket.arn, replica.key.arn, who.dnsSuffix])
        .apply(([sourceBucketArn, sourceKeyArn, replicaBucketArn, replicaKeyArn, suffix]) =>
          JSON.stringify(
            replicationPolicy({
              sourceBucketArn,
              sourceKeyArn,
              sourceRegion: args.region,
              replicaBucketArn,
              replicaKeyArn,
              replicaRegion,
              dnsSuffix: suffix,
            }),
          ),
        ),
    },
    { parent, retainOnDelete: true, aliases: alias("replication") },
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
          // recoverable on both sides for noncurrentVersionDays, and locked until their
          // retention ends (a replica keeps its source's retention).
          deleteMarkerReplication: { status: "Enabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: { bucket: replica.bucket.arn, encryptionConfiguration: { replicaKmsKeyId: replica.key.arn } },
        },
      ],
    },
    // Replication needs versioning on both sides, Object Lock on the destination when
    // the source has it (S3 replication failure reasons, DstBucketObjectLockConfigMissing),
    // and the role's permissions in place.
    {
      parent,
      retainOnDelete: true,
      dependsOn: [...primary.settings, ...replica.settings, policy],
      aliases: alias("backups"),
    },
  );
}
