/**
 * The rows of the access matrix: what each principal must be allowed, and what it must
 * not, on the backups. Every expected Allow and every expected Deny is a row.
 */
import type { Row } from "./matrix";
import type { World } from "./world";

const allow = (who: string, action: string, on: Row["on"], why: string, more: Partial<Row> = {}): Row => ({
  who,
  action,
  on,
  expect: "Allow",
  why,
  ...more,
});
const deny = (who: string, action: string, on: Row["on"], why: string, more: Partial<Row> = {}): Row => ({
  who,
  action,
  on,
  expect: "Deny",
  why,
  ...more,
});

/**
 * The replication role's KMS statements condition on `kms:EncryptionContext:aws:s3:arn`,
 * which iam-simulate 0.1.173 ignores as a request key (its variable-key match,
 * simulation_engine/simulationEngine.js `listHasVariableKeyMatch`, knows only keys whose
 * variable part follows a `/`), so it cannot judge them yet.
 */
const EVALUATOR_DROPS_ENCRYPTION_CONTEXT =
  "iam-simulate 0.1.173 ignores kms:EncryptionContext:<key> in the request: the evaluator cannot judge these rows yet";

/** What a thief of Velero's credentials must never do to the backups. */
const PROTECTION: [string, Row["on"], string][] = [
  ["s3:DeleteObjectVersion", "primary object", "delete a locked version"],
  ["s3:BypassGovernanceRetention", "primary object", "bypass the retention"],
  ["s3:PutObjectRetention", "primary object", "shorten the retention"],
  ["s3:PutBucketObjectLockConfiguration", "primary bucket", "change the lock"],
  ["s3:PutBucketPolicy", "primary bucket", "rewrite the bucket policy"],
  ["s3:PutReplicationConfiguration", "primary bucket", "stop or redirect replication"],
  ["s3:PutLifecycleConfiguration", "primary bucket", "expire every version"],
  ["kms:PutKeyPolicy", "primary key", "take the key"],
  ["kms:ScheduleKeyDeletion", "primary key", "schedule the key's deletion"],
];

/** The session tags EKS Pod Identity sends for a pod of `namespace`/`serviceAccount` in the cluster `arn` (EKS user guide, "Pod Identity session tags"). */
const podIdentity =
  (
    clusterArn: (w: World) => string,
    namespace: string,
    serviceAccount: string,
    account: (w: World) => string = (w) => w.account,
  ) =>
  (w: World): Record<string, string> => ({
    "aws:SourceAccount": account(w),
    "aws:RequestTag/eks-cluster-arn": clusterArn(w),
    "aws:RequestTag/eks-cluster-name": w.cluster?.name ?? "",
    "aws:RequestTag/kubernetes-namespace": namespace,
    "aws:RequestTag/kubernetes-service-account": serviceAccount,
  });
const thisCluster = (w: World): string => w.cluster?.arn ?? "";
/** The same cluster name in another region (the replica's, where a DR stack would run it): a name alone would let it in. */
const sameNameElsewhere = (w: World): string =>
  (w.cluster?.arn ?? "").replace(/^(arn:[^:]+:eks:)[^:]+/, `$1${w.buckets.replica?.region ?? "another-region-1"}`);
/** The same cluster name and region in another account. */
const OTHER_ACCOUNT = "444455556666";
const sameNameOtherAccount = (w: World): string =>
  (w.cluster?.arn ?? "").replace(`:${w.account}:`, `:${OTHER_ACCOUNT}:`);

/** Every row, grouped by principal. */
export const ROWS: readonly Row[] = [
  allow(
    "pod-identity",
    "sts:AssumeRole",
    "velero role",
    "hands Velero's role to velero/velero-server of this cluster",
    { context: podIdentity(thisCluster, "velero", "velero-server") },
  ),
  deny("pod-identity", "sts:AssumeRole", "velero role", "but not to a same-named cluster in another region", {
    context: podIdentity(sameNameElsewhere, "velero", "velero-server"),
  }),
  deny("pod-identity", "sts:AssumeRole", "velero role", "nor to a same-named cluster in another account", {
    context: podIdentity(sameNameOtherAccount, "velero", "velero-server", () => OTHER_ACCOUNT),
  }),
  deny("pod-identity", "sts:AssumeRole", "velero role", "nor to another service account of Velero's namespace", {
    context: podIdentity(thisCluster, "velero", "default"),
  }),
  deny("pod-identity", "sts:AssumeRole", "velero role", "nor to a service account of that name in another namespace", {
    context: podIdentity(thisCluster, "payments-ledger", "velero-server"),
  }),
  allow(
    "pod-identity",
    "sts:AssumeRole",
    "velero role",
    "hands Velero's role to the node agent and its data-path pods, by the service account they run as",
    {
      context: (w) => podIdentity(thisCluster, "velero", w.veleroServiceAccount ?? "")(w),
    },
  ),
  allow("velero", "s3:PutObject", "primary object", "writes backups"),
  allow("velero", "s3:GetObject", "primary object", "reads backups"),
  allow("velero", "s3:ListBucket", "primary bucket", "syncs its location"),
  allow("velero", "s3:DeleteObject", "primary object", "expires backups: a delete marker, every locked version stays"),
  allow("velero", "kms:GenerateDataKey", "primary key", "encrypts through S3", { viaS3: true }),
  deny("velero", "kms:Decrypt", "primary key", "the key opens only through S3 (kms:ViaService)"),
  deny(
    "velero",
    "secretsmanager:GetSecretValue",
    "password secret",
    "the kopia password reaches the cluster through Pulumi, not Velero",
  ),
  ...PROTECTION.map(([action, on, what]) =>
    deny("velero", action, on, `a thief of Velero's credentials cannot ${what}`),
  ),
  allow("node-agent", "s3:PutObject", "primary kopia blob", "writes volume data into kopia's repository"),
  allow("node-agent", "s3:GetObject", "primary kopia blob", "reads it back for a restore"),
  allow(
    "node-agent",
    "s3:DeleteObject",
    "primary kopia blob",
    "kopia's maintenance drops unreferenced blobs: a delete marker, the locked version stays",
  ),
  allow("node-agent", "kms:GenerateDataKey", "primary key", "encrypts through S3", { viaS3: true }),
  deny(
    "node-agent",
    "s3:DeleteObjectVersion",
    "primary kopia blob",
    "a thief of the node agent's credentials cannot erase volume data",
  ),
  deny("node-agent", "s3:BypassGovernanceRetention", "primary kopia blob", "nor lift its retention"),
  deny(
    "node-agent",
    "secretsmanager:GetSecretValue",
    "password secret",
    "the kopia password reaches it as a Kubernetes Secret, never from Secrets Manager",
  ),
  allow("replication", "s3:GetObjectVersionForReplication", "primary object", "reads what it replicates"),
  allow("replication", "s3:ReplicateObject", "replica object", "writes the replica"),
  allow("replication", "kms:Decrypt", "primary key", "decrypts the source through S3", {
    viaS3: true,
    todo: EVALUATOR_DROPS_ENCRYPTION_CONTEXT,
  }),
  allow("replication", "kms:Encrypt", "replica key", "encrypts the replica through S3", {
    viaS3: true,
    todo: EVALUATOR_DROPS_ENCRYPTION_CONTEXT,
  }),
  deny("replication", "s3:PutBucketPolicy", "primary bucket", "replication changes no protection"),
  deny("replication", "s3:DeleteObjectVersion", "replica object", "replication deletes no version"),
  allow("velero-restoring", "s3:GetObject", "replica object", "reads the replica's backups"),
  allow("velero-restoring", "s3:ListBucket", "replica bucket", "syncs the read-only location"),
  allow("velero-restoring", "kms:Decrypt", "replica key", "opens the replica through S3", { viaS3: true }),
  allow(
    "velero-restoring",
    "s3:PutObject",
    "replica restore record",
    "writes the restore's log and results, even to a read-only location (velero #1978)",
  ),
  deny("velero-restoring", "s3:PutObject", "replica object", "writes no backup into the replica"),
  deny("velero-restoring", "s3:GetObject", "primary object", "has no right on the source's primary"),
  deny("velero-restoring", "s3:DeleteObjectVersion", "replica object", "deletes no version"),
  ...(["replica object", "primary object"] as const).map((on) =>
    allow("restore-reader", "s3:GetObject", on, "the drill reads every backup's metadata"),
  ),
  ...(["replica bucket", "primary bucket"] as const).map((on) =>
    allow("restore-reader", "s3:GetBucketObjectLockConfiguration", on, "phoenix status reads the Object Lock"),
  ),
  allow("restore-reader", "kms:Decrypt", "primary key", "phoenix status reads the primary's backups through S3", {
    viaS3: true,
  }),
  allow("restore-reader", "kms:Decrypt", "replica key", "and opens it through S3", { viaS3: true }),
  allow(
    "restore-reader",
    "secretsmanager:GetSecretValue",
    "replica password secret",
    "and checks the kopia password reads in the DR region",
  ),
  deny("restore-reader", "s3:BypassGovernanceRetention", "replica object", "a reader never lifts a retention"),
  deny("restore-reader", "s3:DeleteObjectVersion", "replica object", "nor deletes a version"),
  deny("restore-reader", "s3:PutBucketPolicy", "replica bucket", "nor changes the protection"),
  deny("preview", "secretsmanager:GetSecretValue", "password secret", "a pull request's preview reads no secret"),
  deny("preview", "s3:GetObject", "primary object", "nor any backup"),
  deny("preview", "s3:PutBucketPolicy", "primary bucket", "and changes nothing"),
  allow(
    "deploy",
    "secretsmanager:GetSecretValue",
    "password secret",
    "the platform's apply copies the kopia password into the cluster",
  ),
  allow("deploy", "s3:PutBucketPolicy", "primary bucket", "it deploys the storage stack first: its policies"),
  allow("deploy", "s3:PutReplicationConfiguration", "primary bucket", "its replication"),
  allow("deploy", "s3:PutBucketObjectLockConfiguration", "primary bucket", "its lock"),
  allow("deploy", "kms:PutKeyPolicy", "primary key", "its key policies"),
  allow("admin", "s3:BypassGovernanceRetention", "primary object", "the admins may lift GOVERNANCE retention"),
  allow("admin", "s3:PutBucketPolicy", "primary bucket", "the admins own the protection"),
  allow("admin", "kms:PutKeyPolicy", "primary key", "the admins administer the key"),
  allow("admin", "secretsmanager:GetSecretValue", "password secret", "the admins may read the kopia password"),
  deny("account-admin", "s3:GetObject", "primary object", "administering the account is not reading backups"),
  deny("account-admin", "s3:BypassGovernanceRetention", "primary object", "nor lifting their retention"),
  deny("account-admin", "s3:PutBucketPolicy", "primary bucket", "nor changing their protection"),
  deny("account-admin", "kms:Decrypt", "primary key", "nor opening their key", { viaS3: true }),
  deny("account-admin", "kms:PutKeyPolicy", "primary key", "nor taking the key"),
  deny("account-admin", "secretsmanager:GetSecretValue", "password secret", "nor reading the kopia password"),
];
