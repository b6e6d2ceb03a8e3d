/**
 * The backup buckets (the storage project's, found by their role: `backupBuckets`):
 * the one copy of imperative state, so every guard is mandatory. The bucket's settings
 * are resources of their own in @pulumi/aws 7 (versioning, encryption, public access
 * block, policy, Object Lock configuration), found by what depends on the bucket.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import {
  dependenciesOfType,
  dependents,
  isRecord,
  list,
  policyDocument,
  record,
  statementsOf,
  strings,
  type PhoenixPolicy,
} from "./common";
import { TYPE_TOKENS } from "../../components/typeTokens";

/** Tag that names a bucket's purpose; backup buckets carry `velero-backups` or `velero-backups-replica` (their access-log buckets another). */
export const PURPOSE_TAG = "phoenix:purpose";
const BACKUP_PURPOSE = /^velero-backups(-replica)?$/;

const BUCKET = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const ENCRYPTION = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const BUCKET_POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];
const OBJECT_LOCK = [
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
];
const KMS_KEY = ["aws:kms/key:Key"];

const REPLICATION = ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"];
const LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
/** The storage component (components/backupStorage). */
const STORAGE_COMPONENT = TYPE_TOKENS.backupStorage;

/** Whether a bucket is tagged as a backup bucket. */
export function isBackupBucket(r: Pick<PolicyResource, "type" | "props">): boolean {
  const purpose = record(r.props.tags)[PURPOSE_TAG];
  return BUCKET.includes(r.type) && typeof purpose === "string" && BACKUP_PURPOSE.test(purpose);
}

/**
 * The backup buckets of a stack, by their role as well as their tag, so a missing or
 * mistyped tag hides none: a bucket tagged so; either end of a replication (only backups
 * replicate here); and a bucket the storage component creates that is not an access-log
 * target.
 */
export function backupBuckets(resources: readonly PolicyResource[]): PolicyResource[] {
  const buckets = resources.filter((r) => BUCKET.includes(r.type));
  const replicated = new Set(
    resources
      .filter((r) => REPLICATION.includes(r.type))
      .flatMap((r) => dependenciesOfType(r, BUCKET))
      .map((b) => b.urn),
  );
  // A real preview says which bucket is `targetBucket`; the offline plan has the tag only.
  const logTargets = new Set(
    resources
      .filter((r) => LOGGING.includes(r.type))
      .flatMap((r) => r.propertyDependencies.targetBucket ?? [])
      .map((b) => b.urn),
  );
  const isLogTarget = (b: PolicyResource): boolean =>
    logTargets.has(b.urn) || strings(record(b.props.tags)[PURPOSE_TAG]).some((t) => t.endsWith("-access-logs"));
  const inStorage = (b: PolicyResource): boolean => b.parent?.type === STORAGE_COMPONENT && !isLogTarget(b);
  return buckets.filter((b) => isBackupBucket(b) || replicated.has(b.urn) || inStorage(b));
}

/** A policy statement that denies every request made without TLS. */
function deniesPlainHttp(s: Record<string, unknown>): boolean {
  const secure = record(record(s.Condition).Bool)["aws:SecureTransport"];
  const everyone = s.Principal === "*" || strings(record(s.Principal).AWS).includes("*");
  return (
    s.Effect === "Deny" &&
    everyone &&
    strings(s.Action).some((a) => a === "s3:*" || a === "*") &&
    (secure === "false" || secure === false)
  );
}

/** What is wrong with one backup bucket; `keyOwners` counts the buckets each key encrypts. */
function bucketProblems(
  bucket: PolicyResource,
  resources: readonly PolicyResource[],
  keyOwners: ReadonlyMap<string, number>,
): string[] {
  const problems: string[] = [];
  const attached = (types: readonly string[]) => dependents(resources, bucket, types);
  if (!bucket.opts.protect)
    problems.push(
      "is not protected: set the protect option, so destroying the stack fails before it can delete backups",
    );

  if (!attached(VERSIONING).some((v) => record(v.props.versioningConfiguration).status === "Enabled")) {
    problems.push(
      "is not versioned: add a BucketVersioning with status Enabled (an overwritten or deleted backup must stay recoverable)",
    );
  }
  const sse = attached(ENCRYPTION);
  const rules = sse.flatMap((e) =>
    list(e.props.rules)
      .filter(isRecord)
      .map((rule) => ({ e, d: record(rule.applyServerSideEncryptionByDefault) })),
  );
  const kms = rules.filter(
    ({ d }) =>
      typeof d.sseAlgorithm === "string" && d.sseAlgorithm.startsWith("aws:kms") && d.kmsMasterKeyId !== undefined,
  );
  if (kms.length === 0) {
    problems.push(
      "is not encrypted with a KMS key of its own: add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId",
    );
  } else {
    const keys = kms.flatMap(({ e }) => dependenciesOfType(e, KMS_KEY));
    if (keys.length === 0)
      problems.push("is encrypted with a key this stack does not create: give it its own aws.kms.Key");
    for (const k of keys)
      if ((keyOwners.get(k.urn) ?? 0) > 1)
        problems.push(`shares its KMS key ${k.name} with another backup bucket: give each bucket its own key`);
  }
  const blocks = attached(PUBLIC_ACCESS_BLOCK);
  const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
  if (!blocks.some((b) => flags.every((f) => b.props[f] === true))) {
    problems.push(`may become public: add a BucketPublicAccessBlock with ${flags.join(", ")} all true`);
  }
  const policies = attached(BUCKET_POLICY).map((p) => policyDocument(p.props.policy));
  if (!policies.some((doc) => statementsOf(doc).some(deniesPlainHttp))) {
    problems.push(
      'accepts plain HTTP: its bucket policy must deny s3:* to everyone when aws:SecureTransport is "false"',
    );
  }
  // Object Lock is on when the bucket was created with it, or when its lock
  // configuration enables it (S3 API reference, PutObjectLockConfiguration: an existing
  // versioned bucket can be locked in place). Either way a default retention must lock
  // every new backup object without Velero asking.
  const locks = attached(OBJECT_LOCK).filter(
    (l) =>
      bucket.props.objectLockEnabled === true ||
      l.props.objectLockEnabled === undefined ||
      l.props.objectLockEnabled === "Enabled",
  );
  const retained = locks.some((l) => {
    const retention = record(record(l.props.rule).defaultRetention);
    return typeof retention.mode === "string" && (retention.days !== undefined || retention.years !== undefined);
  });
  if (!retained) {
    problems.push(
      "is not locked: add a BucketObjectLockConfiguration that enables Object Lock with a default retention (mode and days), so a stolen identity cannot erase backups before their retention ends",
    );
  }
  return problems;
}

/** Mandatory: the backup buckets are encrypted with their own key, versioned, never public, TLS-only, locked and protected. */
export const backupBucketsHardened: PhoenixPolicy = {
  name: "backup-buckets-hardened",
  description:
    "Backup buckets are encrypted with their own KMS key, versioned, never public, TLS-only, locked (S3 Object Lock) and protected: they hold the only copy of imperative state, and must survive a destroyed cluster and a stolen identity.",
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const buckets = backupBuckets(args.resources);
    if (buckets.length === 0) args.notApplicable("no backup bucket in this stack");
    const keyOwners = new Map<string, number>();
    for (const b of buckets) {
      const own = new Set(
        dependents(args.resources, b, ENCRYPTION)
          .flatMap((e) => dependenciesOfType(e, KMS_KEY))
          .map((k) => k.urn),
      );
      for (const k of own) keyOwners.set(k, (keyOwners.get(k) ?? 0) + 1);
    }
    for (const b of buckets) {
      for (const p of bucketProblems(b, args.resources, keyOwners)) report(`backup bucket ${b.name} ${p}`, b.urn);
    }
  },
};
