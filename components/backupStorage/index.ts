/**
 * Backup storage: the longest-lived layer. The Velero bucket with its own KMS key, and
 * optionally its DR replica (own key, own region) with the S3 replication role. It lives
 * in its own Pulumi project (stacks/backup-storage), so no destroy, recreate or drill of
 * a cluster ever touches it; every resource is `protect`ed and `retainOnDelete` on top.
 *
 * It is built to survive a stolen Velero identity: Object Lock on both buckets, a bucket
 * policy that lets only Velero, the replication role and the administrators read and only
 * the administrators change the protection, key policies that let each key be used only by
 * the roles that need it, server access logs, and the kopia repository password as a
 * secret of its own (docs/security.md, "The backups survive a stolen Velero identity").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStorageArgs, ObjectLockRetention } from "./args";
import { restoreReading, secureBucket } from "./bucket";
import { legacyAliases } from "./aliases";
import type { LegacyAlias, Side } from "./build";
import { replicaSecretArn } from "./policies";
import { principals } from "./principals";
import { makeReplicationRole, replicate } from "./replication";
import { repositoryPassword } from "./secret";
import { TYPE_TOKENS } from "../typeTokens";

export type { BackupStorageArgs, ObjectLockRetention } from "./args";
export * from "./policies";

/** Component type token. */
export const BACKUP_STORAGE_TYPE = TYPE_TOKENS.backupStorage;

/** Layer 0: the backups' bucket, key and DR replica, kept whatever happens to any cluster. */
export class BackupStorage extends pulumi.ComponentResource {
  /** Name of the bucket Velero writes to. */
  public readonly bucket: pulumi.Output<string>;
  /** Its region: a backup storage location's region is the bucket's (velero #6732). */
  public readonly region: string;
  /** ARN of the bucket's KMS key. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The Object Lock default retention of both buckets, if any. */
  public readonly objectLock?: ObjectLockRetention;
  /** ARN of the Secrets Manager secret holding the kopia repository password (this region). */
  public readonly repositoryPasswordSecretArn: pulumi.Output<string>;
  /** The DR replica, when configured: what another region restores from, read-only. */
  public readonly replica?: {
    readonly bucket: pulumi.Output<string>;
    readonly region: string;
    readonly kmsKeyArn: pulumi.Output<string>;
    /** The password secret's replica in the DR region, which a DR cluster's deployment reads. */
    readonly repositoryPasswordSecretArn: pulumi.Output<string>;
  };

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    // protect is inherited by every child: `pulumi destroy` of this stack fails until a
    // person unprotects it on purpose (`pulumi state unprotect`).
    super(BACKUP_STORAGE_TYPE, name, {}, { protect: true, ...opts });
    const alias: LegacyAlias = legacyAliases(args.movedFromPrefix);
    const who = principals(this, args);
    this.objectLock = args.objectLock;

    const primarySide: Side = { name, purpose: "velero-backups", region: args.region, aliases: alias("backups") };
    let replicaSide: Side | undefined;
    if (args.replicaRegion) {
      const provider = new aws.Provider(
        `${name}-replica-${args.replicaRegion}`,
        { region: args.replicaRegion as aws.Region, defaultTags: { tags: { ...args.tags } } },
        { parent: this, aliases: alias(`backups-replica-${args.replicaRegion}`) },
      );
      replicaSide = {
        name: `${name}-replica`,
        purpose: "velero-backups-replica",
        region: args.replicaRegion,
        provider,
        aliases: alias("backups-replica"),
      };
    }
    // The replication role exists before the keys and buckets whose policies name it.
    const replicationRole = replicaSide ? makeReplicationRole(this, name, who, args, alias) : undefined;
    const s3Via = (region: string): pulumi.Output<string> => pulumi.interpolate`s3.${region}.${who.dnsSuffix}`;
    const primary = secureBucket(this, primarySide, args, who, replicationRole, [
      {
        sid: "VeleroUse",
        principals: who.velero,
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        viaService: s3Via(args.region),
      },
      ...(replicationRole
        ? [
            {
              sid: "ReplicationReadsSource",
              principals: replicationRole.arn.apply((a) => [a]),
              actions: ["kms:Decrypt" as const],
              viaService: s3Via(args.region),
            },
          ]
        : []),
      ...restoreReading(who, s3Via(args.region)),
    ]);
    this.bucket = primary.bucket.bucket;
    this.region = args.region;
    this.kmsKeyArn = primary.key.arn;

    const secret = repositoryPassword(this, name, args, who);
    this.repositoryPasswordSecretArn = secret.arn;

    if (replicaSide && replicationRole && args.replicaRegion) {
      const replicaRegion = args.replicaRegion;
      // A DR region's Velero only reads the replica's backups (its location is read-only).
      const replica = secureBucket(this, replicaSide, args, who, replicationRole, [
        // GenerateDataKey: a restore from the replica writes its results under restores/ (components/plugins/velero/iam.ts, restoreResults).
        {
          sid: "VeleroUse",
          principals: who.velero,
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          viaService: s3Via(replicaRegion),
        },
        {
          sid: "ReplicationWritesReplica",
          principals: replicationRole.arn.apply((a) => [a]),
          actions: ["kms:Encrypt", "kms:GenerateDataKey"],
          viaService: s3Via(replicaRegion),
        },
        ...restoreReading(who, s3Via(replicaRegion)),
      ]);
      replicate(this, name, { primary, replica, role: replicationRole, replicaRegion }, args, who, alias);
      this.replica = {
        bucket: replica.bucket.bucket,
        region: replicaRegion,
        kmsKeyArn: replica.key.arn,
        repositoryPasswordSecretArn: secret.arn.apply((arn) => {
          const replicaArn = replicaSecretArn(arn, replicaRegion);
          if (replicaArn === undefined)
            throw new Error(
              `backup storage ${name}: ${arn} is not a Secrets Manager ARN, so its replica in ${replicaRegion} cannot be named`,
            );
          return replicaArn;
        }),
      };
    }
    this.registerOutputs({
      bucket: this.bucket,
      kmsKeyArn: this.kmsKeyArn,
      repositoryPasswordSecretArn: this.repositoryPasswordSecretArn,
      replicaBucket: this.replica?.bucket,
      replicaKeyArn: this.replica?.kmsKeyArn,
      replicaRepositoryPasswordSecretArn: this.replica?.repositoryPasswordSecretArn,
    });
  }
}
