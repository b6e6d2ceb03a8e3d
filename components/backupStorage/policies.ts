/**
 * Pure IAM documents of the backup storage: the bucket policies, the replication role's
 * policy and the KMS key policies. Every principal is named by ARN pattern, built from
 * the partition and account the program looked up at run time.
 */
import type { PolicyDocument, PolicyStatement } from "../identity";

/** A bucket's TLS-only policy: every request over plain HTTP is denied, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** What the replication role is scoped to. */
export interface ReplicationScope {
  readonly sourceBucketArn: string;
  readonly sourceKeyArn: string;
  readonly sourceRegion: string;
  readonly replicaBucketArn: string;
  readonly replicaKeyArn: string;
  readonly replicaRegion: string;
  readonly dnsSuffix: string;
}

/**
 * The S3 replication role's policy (S3 user guide, "Setting up permissions" for
 * replication of SSE-KMS objects): read the source's versions, write replicas into the
 * replica bucket only, decrypt with the source key and encrypt with the replica key,
 * each only when S3 in that region asks on behalf of that bucket.
 */
export function replicationPolicy(s: ReplicationScope): PolicyDocument {
  const viaS3 = (region: string, bucketArn: string) => ({
    StringEquals: { "kms:ViaService": `s3.${region}.${s.dnsSuffix}` },
    // With S3 Bucket Keys the encryption context is the bucket ARN; without, the object's.
    StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "SourceBucket",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: s.sourceBucketArn,
      },
      {
        Sid: "SourceVersions",
        Effect: "Allow",
        // With Object Lock on the source, replication also reads each version's retention
        // and legal hold, so the replica keeps the same lock (S3 user guide, "Setting up
        // permissions for live replication").
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: `${s.sourceBucketArn}/*`,
      },
      {
        Sid: "ReplicaObjects",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: `${s.replicaBucketArn}/*`,
      },
      {
        Sid: "DecryptSource",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: s.sourceKeyArn,
        Condition: viaS3(s.sourceRegion, s.sourceBucketArn),
      },
      {
        Sid: "EncryptReplica",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: s.replicaKeyArn,
        Condition: viaS3(s.replicaRegion, s.replicaBucketArn),
      },
    ],
  };
}

/**
 * IAM path of every Velero role that may use backup storage. The storage project cannot
 * know the platform stacks' auto-named roles, so the contract is the path: the platform
 * creates Velero's role under it, and the storage's bucket and key policies admit
 * `role/phoenix/velero/*` of the account by default. `aws:PrincipalArn` of a role
 * session is the role's ARN with its path (IAM user guide, "AWS global condition context
 * keys"). Only principals allowed to create IAM roles can create one under this path.
 */
export const VELERO_ROLE_PATH = "/phoenix/velero/";

/** The default ARN pattern of the Velero roles that may use a storage stack's buckets and keys. */
export function veleroRolePattern(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role${VELERO_ROLE_PATH}*`;
}

/** The account's root principal: always an administrator of the storage (it can never be locked out of a bucket policy anyway). */
export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/**
 * Actions that would undo the protection of the backups: bypassing or changing the
 * Object Lock, deleting object versions for good, and rewriting the bucket's policy,
 * versioning, lifecycle, replication, encryption, logging or public access block. Only the
 * storage's administrators may call them; Velero needs none of them (Velero deletes with
 * `DeleteObject`, which on a versioned bucket only adds a delete marker).
 */
export const PROTECTION_ACTIONS = [
  "s3:BypassGovernanceRetention",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:PutBucketObjectLockConfiguration",
  "s3:DeleteObjectVersion",
  "s3:DeleteBucket",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketLogging",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketOwnershipControls",
] as const;

/** Actions that read a backup's content (the data itself, any version, or its replica copy). */
export const READ_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectAttributes",
  "s3:GetObjectVersionAttributes",
] as const;

/** Who may do what to one backup bucket. */
export interface BucketAccess {
  readonly bucketArn: string;
  /** ARN patterns (`ArnLike`) of the roles that read and write backups: the Velero roles. */
  readonly readers: readonly string[];
  /** ARN of the S3 replication role, when the bucket is a replication source or destination. */
  readonly replicationRoleArn?: string;
  /** ARN patterns of the administrators: the only principals that may change the protection. */
  readonly admins: readonly string[];
}

/**
 * The backup bucket's policy: TLS only; reads of backup content only by Velero, the
 * replication role and the administrators; the protection (lock, versions, policy,
 * lifecycle, ...) changeable only by the administrators. Denies with `aws:PrincipalArn`
 * conditions, so an identity policy elsewhere in the account cannot widen them (IAM
 * user guide, "Policy evaluation logic": an explicit deny wins). The bucket-owning
 * account's root user can still delete a bucket policy that locks everyone out (S3 user
 * guide, "Bucket policies").
 */
export function backupBucketPolicy(a: BucketAccess): PolicyDocument {
  const resources = [a.bucketArn, `${a.bucketArn}/*`];
  const readers = [...a.readers, ...(a.replicationRoleArn ? [a.replicationRoleArn] : []), ...a.admins];
  return {
    Version: "2012-10-17",
    Statement: [
      ...tlsOnlyBucketPolicy(a.bucketArn).Statement,
      {
        Sid: "DenyReadsButVeleroReplicationAdmins",
        Effect: "Deny",
        Principal: "*",
        Action: [...READ_ACTIONS],
        Resource: `${a.bucketArn}/*`,
        Condition: { ArnNotLike: { "aws:PrincipalArn": readers } },
      },
      {
        Sid: "DenyProtectionChangesButAdmins",
        Effect: "Deny",
        Principal: "*",
        Action: [...PROTECTION_ACTIONS],
        Resource: resources,
        Condition: { ArnNotLike: { "aws:PrincipalArn": [...a.admins] } },
      },
    ],
  };
}

/**
 * The access-log bucket's policy: TLS only, and S3's logging service may write server
 * access logs into it only for the given source buckets of this account (S3 user guide,
 * "Enabling Amazon S3 server access logging": with BucketOwnerEnforced the grant is a
 * bucket policy for `logging.s3.amazonaws.com`, conditioned on the source).
 */
export function accessLogBucketPolicy(
  logBucketArn: string,
  sourceBucketArns: readonly string[],
  accountId: string,
  dnsSuffix: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      ...tlsOnlyBucketPolicy(logBucketArn).Statement,
      {
        Sid: "S3ServerAccessLogs",
        Effect: "Allow",
        Principal: { Service: `logging.s3.${dnsSuffix}` },
        Action: "s3:PutObject",
        Resource: `${logBucketArn}/*`,
        Condition: {
          ArnLike: { "aws:SourceArn": [...sourceBucketArns] },
          StringEquals: { "aws:SourceAccount": accountId },
        },
      },
    ],
  };
}

/** Actions that administer a KMS key without using it: no Encrypt, Decrypt, ReEncrypt or GenerateDataKey. */
export const KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
] as const;

/** One group of principals that may use a key, and only through S3 in one region. */
export interface KeyUser {
  readonly sid: string;
  /** ARN patterns (`ArnLike` on `aws:PrincipalArn`). */
  readonly principals: readonly string[];
  readonly actions: readonly (
    "kms:Encrypt" | "kms:Decrypt" | "kms:GenerateDataKey" | "kms:ReEncrypt*" | "kms:DescribeKey"
  )[];
  /** The service endpoint the use must come through, such as `s3.eu-west-1.amazonaws.com`. */
  readonly viaService: string;
}

/** What a storage key's policy is built from. */
export interface KeyPolicyScope {
  readonly partition: string;
  readonly accountId: string;
  /** ARN patterns of the key's administrators. */
  readonly admins: readonly string[];
  readonly users: readonly KeyUser[];
}

/**
 * An explicit key policy (KMS developer guide, "Key policies in AWS KMS"): the
 * administrators administer the key and cannot use it; each user group uses it only for
 * its own actions and only through S3. Principals are the account with an
 * `aws:PrincipalArn` condition, so each also needs its own IAM permission: the key
 * policy narrows, the identity policy grants.
 */
export function storageKeyPolicy(k: KeyPolicyScope): PolicyDocument {
  const account = { AWS: accountRootArn(k.partition, k.accountId) };
  const statements: PolicyStatement[] = [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: account,
      Action: [...KEY_ADMIN_ACTIONS],
      Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalArn": [...k.admins] } },
    },
    ...k.users.map((u): PolicyStatement => ({
      Sid: u.sid,
      Effect: "Allow",
      Principal: account,
      Action: [...u.actions],
      Resource: "*",
      Condition: {
        ArnLike: { "aws:PrincipalArn": [...u.principals] },
        StringEquals: { "kms:ViaService": u.viaService },
      },
    })),
  ];
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The repository password secret's resource policy: only the administrators and the
 * restore readers read the value (the platform's deployment copies it into the cluster;
 * a drill checks it reads in the DR region); only the administrators change it; nobody
 * else in the account, whatever their identity policy, and never Velero's role. Secrets
 * Manager copies the policy to the replicas.
 */
export function repositorySecretPolicy(admins: readonly string[], readers: readonly string[] = []): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyReadsButAdminsAndReaders",
        Effect: "Deny",
        Principal: "*",
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": [...admins, ...readers] } },
      },
      {
        Sid: "DenyChangesButAdmins",
        Effect: "Deny",
        Principal: "*",
        // Rotation would change the password under existing repositories; stopping or
        // narrowing replication would cut the DR region off from it.
        Action: [
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecret",
          "secretsmanager:DeleteSecret",
          "secretsmanager:PutResourcePolicy",
          "secretsmanager:DeleteResourcePolicy",
          "secretsmanager:RotateSecret",
          "secretsmanager:StopReplicationToReplica",
          "secretsmanager:RemoveRegionsFromReplication",
        ],
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": [...admins] } },
      },
    ],
  };
}

/**
 * The ARN of a secret's replica: a replica keeps the primary's name and suffix in
 * another region (Secrets Manager user guide, "Replicate a secret to other Regions").
 * Undefined when `arn` is not a Secrets Manager ARN.
 */
export function replicaSecretArn(arn: string, replicaRegion: string): string | undefined {
  const m = /^(arn:[^:]+:secretsmanager:)([a-z]{2}(?:-[a-z]+)+-\d+)(:.+:secret:.+)$/.exec(arn);
  return m ? `${m[1]}${replicaRegion}${m[3]}` : undefined;
}

/** Whether an ARN matches an ARN pattern as `ArnLike` does (`*` and `?` wildcards). */
export function arnMatches(pattern: string, arn: string): boolean {
  const escaped = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")));
  return new RegExp(`^${escaped.join("")}$`).test(arn);
}

/**
 * Why a deployer may not write the storage's policies, or undefined: they refuse every
 * change by anyone not among the administrators, so a deployer outside the list would
 * lock itself out of its own stack. An issuer that is not an ARN (the offline plan's
 * placeholder) is not checked.
 */
export function deployerProblem(
  deployer: string | undefined,
  admins: readonly string[],
  setting = "the administrators",
): string | undefined {
  if (!deployer?.startsWith("arn:") || admins.some((a) => arnMatches(a, deployer))) return undefined;
  return `the role deploying this stack, ${deployer}, is not among the backup storage administrators (${admins.join(", ")}): the bucket, key and secret policies would refuse it every later change. Add it to ${setting}, or deploy as one of them`;
}
