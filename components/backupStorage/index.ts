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
import * as random from "@pulumi/random";
import {
  accessLogBucketPolicy,
  accountRootArn,
  deployerProblem,
  backupBucketPolicy,
  replicaSecretArn,
  replicationPolicy,
  repositorySecretPolicy,
  storageKeyPolicy,
  veleroRolePattern,
  type KeyUser,
} from "./policies";
import { TYPE_TOKENS } from "../typeTokens";

export * from "./policies";

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

/** A private, versioned, SSE-KMS, TLS-only, locked and logged bucket with its own key. */
interface SecureBucket {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  /** Its settings: what must exist before anything is written to it. */
  readonly settings: pulumi.Resource[];
}

/** Who uses and administers the storage, resolved at run time. */
interface Principals {
  readonly partition: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly dnsSuffix: pulumi.Output<string>;
  readonly admins: pulumi.Output<string[]>;
  readonly velero: pulumi.Output<string[]>;
  /** Roles that read backups and the password, and nothing more (`restoreReaders`). */
  readonly restoreReaders: readonly string[];
}

/** One region's side of the storage. */
interface Side {
  readonly name: string;
  readonly purpose: string;
  readonly region: string;
  readonly provider?: pulumi.ProviderResource;
  readonly aliases: pulumi.ResourceOptions["aliases"];
}

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
    const alias = (legacy: string): pulumi.ResourceOptions["aliases"] =>
      args.movedFromPrefix ? [{ name: `${args.movedFromPrefix}-${legacy}`, parent: pulumi.rootStackResource }] : undefined;
    const who = this.principals(args);
    this.objectLock = args.objectLock;

    const primarySide: Side = { name, purpose: "velero-backups", region: args.region, aliases: alias("backups") };
    let replicaSide: Side | undefined;
    if (args.replicaRegion) {
      const provider = new aws.Provider(
        `${name}-replica-${args.replicaRegion}`,
        { region: args.replicaRegion as aws.Region, defaultTags: { tags: { ...args.tags } } },
        { parent: this, aliases: alias(`backups-replica-${args.replicaRegion}`) },
      );
      replicaSide = { name: `${name}-replica`, purpose: "velero-backups-replica", region: args.replicaRegion, provider, aliases: alias("backups-replica") };
    }
    // The replication role exists before the keys and buckets whose policies name it.
    const replicationRole = replicaSide ? this.replicationRole(name, who, args, alias) : undefined;
    const s3Via = (region: string): pulumi.Output<string> => pulumi.interpolate`s3.${region}.${who.dnsSuffix}`;
    const primary = this.secureBucket(primarySide, args, who, replicationRole, [
      { sid: "VeleroUse", principals: who.velero, actions: ["kms:GenerateDataKey", "kms:Decrypt"], viaService: s3Via(args.region) },
      ...(replicationRole ? [{ sid: "ReplicationReadsSource", principals: replicationRole.arn.apply((a) => [a]), actions: ["kms:Decrypt" as const], viaService: s3Via(args.region) }] : []),
      ...restoreReading(who, s3Via(args.region)),
    ]);
    this.bucket = primary.bucket.bucket;
    this.region = args.region;
    this.kmsKeyArn = primary.key.arn;

    const secret = this.repositoryPassword(name, args, who);
    this.repositoryPasswordSecretArn = secret.arn;

    if (replicaSide && replicationRole && args.replicaRegion) {
      const replicaRegion = args.replicaRegion;
      // A DR region's Velero only reads the replica's backups (its location is read-only).
      const replica = this.secureBucket(replicaSide, args, who, replicationRole, [
        // GenerateDataKey: a restore from the replica writes its results under restores/ (components/plugins/velero/iam.ts, restoreResults).
        { sid: "VeleroUse", principals: who.velero, actions: ["kms:Decrypt", "kms:GenerateDataKey"], viaService: s3Via(replicaRegion) },
        { sid: "ReplicationWritesReplica", principals: replicationRole.arn.apply((a) => [a]), actions: ["kms:Encrypt", "kms:GenerateDataKey"], viaService: s3Via(replicaRegion) },
        ...restoreReading(who, s3Via(replicaRegion)),
      ]);
      this.replicate(name, primary, replica, replicationRole, args, replicaRegion, who, alias);
      this.replica = {
        bucket: replica.bucket.bucket,
        region: replicaRegion,
        kmsKeyArn: replica.key.arn,
        repositoryPasswordSecretArn: secret.arn.apply((arn) => {
          const replicaArn = replicaSecretArn(arn, replicaRegion);
          if (replicaArn === undefined) throw new Error(`backup storage ${name}: ${arn} is not a Secrets Manager ARN, so its replica in ${replicaRegion} cannot be named`);
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

  /**
   * The partition, account and principals, looked up at run time: nothing about the
   * account is written into the program. The deploying role is the issuer of the
   * caller's session (an assumed-role ARN names no path; the session context does).
   */
  private principals(args: BackupStorageArgs): Principals {
    const parent = { parent: this };
    const partition = aws.getPartitionOutput({}, parent);
    const caller = aws.getCallerIdentityOutput({}, parent);
    const deployer = aws.iam.getSessionContextOutput({ arn: caller.arn }, parent).issuerArn;
    const admins = pulumi.all([partition.partition, caller.accountId, deployer]).apply(([p, account, d]) => {
      const list = [...new Set([accountRootArn(p, account), ...args.admins])];
      // The policies written below refuse every change by anyone not listed: a deployer
      // outside the list would lock itself out of its own stack. Refused before anything
      // is written. (Offline, the deployer is a placeholder, not an ARN.)
      const problem = deployerProblem(d, list, args.adminsSetting);
      // A preview writes nothing, and a pull request's runs as the read-only preview
      // role, never an admin: it is told, and the update that would write is refused.
      if (problem && !pulumi.runtime.isDryRun()) throw new Error(problem);
      if (problem) void pulumi.log.warn(`${problem} (an update by this role is refused; a preview writes nothing, so it goes on)`, this);
      return list;
    });
    const velero = args.veleroRoles
      ? pulumi.output([...args.veleroRoles])
      : pulumi.all([partition.partition, caller.accountId]).apply(([p, account]) => [veleroRolePattern(p, account)]);
    return { partition: partition.partition, accountId: caller.accountId, dnsSuffix: partition.dnsSuffix, admins, velero, restoreReaders: [...(args.restoreReaders ?? [])] };
  }

  /** One bucket with its own key, its lock, its policy and its access logs; the key must live as long as the bucket or every object becomes unreadable. */
  private secureBucket(
    side: Side,
    args: BackupStorageArgs,
    who: Principals,
    replicationRole: aws.iam.Role | undefined,
    keyUsers: readonly { sid: string; principals: pulumi.Input<string[]>; actions: KeyUser["actions"]; viaService: pulumi.Input<string> }[],
  ): SecureBucket {
    const { name, purpose, provider, aliases } = side;
    const keep = { parent: this, retainOnDelete: true, provider, aliases };
    const tags = { ...args.tags, "phoenix:purpose": purpose };
    const keyPolicy = pulumi
      .all([who.partition, who.accountId, who.admins, pulumi.all(keyUsers.map((u) => pulumi.all([u.principals, u.viaService])))])
      .apply(([partition, accountId, admins, users]) =>
        JSON.stringify(
          storageKeyPolicy({
            partition,
            accountId,
            admins,
            users: keyUsers.map((u, i) => ({ sid: u.sid, actions: u.actions, principals: users[i][0], viaService: users[i][1] })),
          }),
        ),
      );
    const key = new aws.kms.Key(name, { description: `SSE-KMS key of the ${purpose} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, policy: keyPolicy, tags }, keep);
    const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags }, keep);
    const versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, keep);
    const settings: pulumi.Resource[] = [
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
      new aws.s3.BucketLifecycleConfiguration(
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
            { id: "expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
          ],
        },
        // Lifecycle rules on a versioned bucket act on versions: versioning comes first.
        { ...keep, dependsOn: [versioning] },
      ),
      this.accessLogs(side, bucket, args, who),
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
          { bucket: bucket.id, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } } },
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
      .apply(([bucketArn, readers, admins, replicationRoleArn]) => JSON.stringify(backupBucketPolicy({ bucketArn, readers: [...readers, ...who.restoreReaders], admins, replicationRoleArn })));
    settings.push(new aws.s3.BucketPolicy(name, { bucket: bucket.id, policy }, { ...keep, dependsOn: [...settings] }));
    return { bucket, key, settings };
  }

  /**
   * S3 server access logs of a backup bucket, into a log bucket of its own in the same
   * region (the destination must be in the source's region and account, and a bucket with
   * Object Lock cannot be a destination: S3 user guide, "Object Lock considerations" and
   * "Enabling Amazon S3 server access logging"). The log bucket is encrypted with SSE-S3:
   * that is the default encryption the S3 user guide documents for a log destination.
   */
  private accessLogs(side: Side, source: aws.s3.Bucket, args: BackupStorageArgs, who: Principals): pulumi.Resource {
    const name = `${side.name}-access-logs`;
    const keep = { parent: this, retainOnDelete: true, provider: side.provider };
    const logs = new aws.s3.Bucket(name, { forceDestroy: false, tags: { ...args.tags, "phoenix:purpose": `${side.purpose}-access-logs` } }, keep);
    const ownership = new aws.s3.BucketOwnershipControls(name, { bucket: logs.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, keep);
    const block = new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket: logs.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      keep,
    );
    const sse = new aws.s3.BucketServerSideEncryptionConfiguration(name, { bucket: logs.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, keep);
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
      name,
      { bucket: logs.id, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.accessLogDays } }] },
      keep,
    );
    const policy = new aws.s3.BucketPolicy(
      name,
      {
        bucket: logs.id,
        policy: pulumi
          .all([logs.arn, source.arn, who.accountId, who.dnsSuffix])
          .apply(([logArn, sourceArn, accountId, dnsSuffix]) => JSON.stringify(accessLogBucketPolicy(logArn, [sourceArn], accountId, dnsSuffix))),
      },
      { ...keep, dependsOn: [block] },
    );
    return new aws.s3.BucketLogging(
      side.name,
      {
        bucket: source.id,
        targetBucket: logs.id,
        targetPrefix: "s3-access/",
        // Date-partitioned keys, which Athena can prune by day.
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      },
      { ...keep, dependsOn: [ownership, sse, lifecycle, policy] },
    );
  }

  /**
   * The kopia repository password, as Phoenix's own secret: Velero writes the published
   * default `static-passw0rd` unless the secret `velero-repo-credentials` exists before its
   * first backup (velero #6443, #8137; pkg/repository/keys/keys.go). Generated once and
   * never rotated: a repository keeps the password it was created with, so a new value
   * would lock every existing backup away. Replicated to the DR region, where a DR
   * cluster's deployment reads it. Only the administrators may read it.
   */
  private repositoryPassword(name: string, args: BackupStorageArgs, who: Principals): aws.secretsmanager.Secret {
    const secretName = `${name}-repository-password`;
    // Letters and digits only: the value travels through a Kubernetes Secret and a shell.
    const password = new random.RandomPassword(secretName, { length: 48, special: false }, { parent: this });
    const secret = new aws.secretsmanager.Secret(
      secretName,
      {
        description: "Kopia repository password of the Velero backups (never rotate: existing backups keep the password they were written with)",
        recoveryWindowInDays: 30,
        policy: who.admins.apply((admins) => JSON.stringify(repositorySecretPolicy(admins, who.restoreReaders))),
        ...(args.replicaRegion ? { replicas: [{ region: args.replicaRegion }] } : {}),
        tags: { ...args.tags, "phoenix:purpose": "velero-repository-password" },
      },
      { parent: this, retainOnDelete: true },
    );
    new aws.secretsmanager.SecretVersion(
      secretName,
      { secretId: secret.id, secretString: pulumi.secret(password.result) },
      // Never rotated by a deployment: the first value stays, whatever the state says later.
      { parent: this, retainOnDelete: true, ignoreChanges: ["secretString"] },
    );
    return secret;
  }

  /** The S3 replication role: S3 assumes it, and the keys and bucket policies name it. */
  private replicationRole(name: string, who: Principals, args: BackupStorageArgs, alias: (legacy: string) => pulumi.ResourceOptions["aliases"]): aws.iam.Role {
    return new aws.iam.Role(
      `${name}-replication`,
      {
        description: "S3 replication of the Velero backup bucket to its DR replica",
        assumeRolePolicy: who.dnsSuffix.apply((suffix) =>
          JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: `s3.${suffix}` }, Action: "sts:AssumeRole" }] }),
        ),
        tags: { ...args.tags },
      },
      { parent: this, retainOnDelete: true, aliases: alias("replication") },
    );
  }

  /**
   * S3 Cross-Region Replication with its own role. Asynchronous, and it does not copy
   * objects written before the rule existed (S3 user guide, "Replicating objects"): the
   * docs/operations/backups.md says what that means for the first backups.
   */
  private replicate(
    name: string,
    primary: SecureBucket,
    replica: SecureBucket,
    role: aws.iam.Role,
    args: BackupStorageArgs,
    replicaRegion: string,
    who: Principals,
    alias: (legacy: string) => pulumi.ResourceOptions["aliases"],
  ): void {
    const policy = new aws.iam.RolePolicy(
      `${name}-replication`,
      {
        role: role.name,
        policy: pulumi
          .all([primary.bucket.arn, primary.key.arn, replica.bucket.arn, replica.key.arn, who.dnsSuffix])
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
      { parent: this, retainOnDelete: true, dependsOn: [...primary.settings, ...replica.settings, policy], aliases: alias("backups") },
    );
  }
}

/** The key use of the restore readers, when there are any: decrypt through S3, nothing else. */
function restoreReading(who: Principals, viaService: pulumi.Output<string>): { sid: string; principals: pulumi.Input<string[]>; actions: KeyUser["actions"]; viaService: pulumi.Input<string> }[] {
  return who.restoreReaders.length > 0 ? [{ sid: "RestoreReadersDecrypt", principals: [...who.restoreReaders], actions: ["kms:Decrypt"], viaService }] : [];
}
