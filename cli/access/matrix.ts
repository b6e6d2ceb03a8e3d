/**
 * Who may do what to the backups, judged by an independent IAM evaluator
 * (`@cloud-copilot/iam-simulate`: identity and resource policies, explicit denies,
 * conditions) against the policies as planned (./world.ts), with the request context
 * the services send: `aws:PrincipalArn`, `aws:SecureTransport`, and, when S3 calls KMS
 * on the caller's behalf, `kms:ViaService` and the encryption context.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument, World } from "./world";

/** Who asks. */
export interface Principal {
  readonly id: string;
  readonly label: string;
  readonly arn: string;
  readonly policies: readonly PolicyDocument[];
}

/** What is asked of which resource. */
export interface Row {
  readonly who: string;
  readonly action: string;
  readonly on:
    | "primary object"
    | "primary kopia blob"
    | "primary bucket"
    | "replica object"
    | "replica bucket"
    | "replica restore record"
    | "primary key"
    | "replica key"
    | "password secret"
    | "replica password secret"
    | "velero role";
  /** `kms:ViaService` for a KMS call S3 makes on the caller's behalf. */
  readonly viaS3?: boolean;
  /** What else the service sends: EKS Pod Identity's session tags. */
  readonly context?: (w: World) => Readonly<Record<string, string>>;
  readonly expect: "Allow" | "Deny";
  readonly why: string;
  /** Expected but not yet true: the issue that will make it so. */
  readonly todo?: string;
}

/** One judged row. */
export interface Judged extends Row {
  readonly resource: string;
  readonly decision: "Allow" | "Deny";
  readonly detail: string;
}

const ADMINISTRATOR: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

/** The identity policy a restore reader (the drill's role in CI) holds: reads of both buckets, their keys through S3, and the password. */
export function restoreReaderPolicy(w: World): PolicyDocument {
  const buckets = [w.buckets.primary, ...(w.buckets.replica ? [w.buckets.replica] : [])];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBackups",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: buckets.map((b) => `arn:aws:s3:::${b.name}`),
      },
      {
        // `phoenix status` shows each bucket's Object Lock (GetObjectLockConfiguration needs this action).
        Sid: "ReadObjectLock",
        Effect: "Allow",
        Action: "s3:GetBucketObjectLockConfiguration",
        Resource: buckets.map((b) => `arn:aws:s3:::${b.name}`),
      },
      {
        Sid: "ReadBackups",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: buckets.map((b) => `arn:aws:s3:::${b.name}/*`),
      },
      {
        Sid: "DecryptThroughS3",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: buckets.map((b) => b.keyArn),
        Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
      },
      {
        Sid: "RepositoryPassword",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [w.secret.arn, ...(w.secret.replicaArn ? [w.secret.replicaArn] : [])],
      },
    ],
  };
}

/** AWS's ReadOnlyAccess, as far as the backups go: every read of settings, no secret value. */
const READ_ONLY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "s3:Get*",
        "s3:List*",
        "kms:Describe*",
        "kms:Get*",
        "kms:List*",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:ListSecrets",
        "iam:Get*",
        "iam:List*",
      ],
      Resource: "*",
    },
  ],
};

/** The principals of the matrix: the roles Phoenix makes, and the people and pipelines around them. */
export function principals(
  w: World,
  deployer: string,
  restoring?: World,
  restoreReader = `arn:aws:iam::${w.account}:role/phoenix-drill`,
  admin = deployer,
): Principal[] {
  const role = (world: World, name: string): { arn: string; policies: readonly PolicyDocument[] } => {
    const r = world.roles.get(name);
    if (!r) throw new Error(`access matrix: the plans make no role ${name}`);
    return r;
  };
  return [
    {
      id: "pod-identity",
      label: "EKS Pod Identity, for a pod's service account",
      arn: "pods.eks.amazonaws.com",
      policies: [],
    },
    { id: "velero", label: "Velero's server (or a thief of its credentials)", ...role(w, "plugins-velero") },
    {
      id: "node-agent",
      label: `Velero's node agent and its data-path pods (service account ${w.veleroServiceAccount ?? "?"}: Velero's role)`,
      ...role(w, "plugins-velero"),
    },
    ...(restoring
      ? [
          {
            id: "velero-restoring",
            label: "Velero of a stack restoring from the replica (a drill's)",
            ...role(restoring, "plugins-velero"),
          },
        ]
      : []),
    { id: "replication", label: "S3 replication", ...role(w, "backups-replication") },
    {
      id: "restore-reader",
      label: "a restore reader (the drill's role in CI)",
      arn: restoreReader,
      policies: [restoreReaderPolicy(w)],
    },
    {
      id: "preview",
      label: "the pull-request preview role (read-only)",
      arn: `arn:aws:iam::${w.account}:role/phoenix-preview`,
      policies: [READ_ONLY],
    },
    {
      id: "deploy",
      label: "the deploy role (`phoenix up` in CI; one of access.admins)",
      arn: deployer,
      policies: [ADMINISTRATOR],
    },
    { id: "admin", label: "another admin (break-glass)", arn: admin, policies: [ADMINISTRATOR] },
    {
      id: "account-admin",
      label: "an account administrator not among the admins",
      arn: `arn:aws:iam::${w.account}:role/AWSReservedSSO_AdministratorAccess_example`,
      policies: [ADMINISTRATOR],
    },
  ];
}

function target(
  w: World,
  on: Row["on"],
): { resource: string; policy?: PolicyDocument; region: string; bucket?: string } {
  const { primary, replica } = w.buckets;
  const other = replica ?? primary;
  switch (on) {
    case "primary object":
      return {
        resource: `arn:aws:s3:::${primary.name}/backups/b1/velero-backup.json`,
        policy: primary.policy,
        region: primary.region,
      };
    case "primary kopia blob":
      // Kopia's repository of one volume namespace (velero pkg/repository/provider/unified_repo.go:564@v1.18.1).
      return {
        resource: `arn:aws:s3:::${primary.name}/kopia/payments-ledger/p0123456789abcdef`,
        policy: primary.policy,
        region: primary.region,
      };
    case "primary bucket":
      return { resource: `arn:aws:s3:::${primary.name}`, policy: primary.policy, region: primary.region };
    case "replica object":
      return {
        resource: `arn:aws:s3:::${other.name}/backups/b1/velero-backup.json`,
        policy: other.policy,
        region: other.region,
      };
    case "replica restore record":
      return {
        resource: `arn:aws:s3:::${other.name}/restores/r1/restore-r1-results.gz`,
        policy: other.policy,
        region: other.region,
      };
    case "replica bucket":
      return { resource: `arn:aws:s3:::${other.name}`, policy: other.policy, region: other.region };
    case "primary key":
      return { resource: primary.keyArn, policy: primary.keyPolicy, region: primary.region, bucket: primary.name };
    case "replica key":
      return { resource: other.keyArn, policy: other.keyPolicy, region: other.region, bucket: other.name };
    case "velero role": {
      const role = w.roles.get("plugins-velero");
      return { resource: role?.arn ?? "", policy: role?.trust, region: primary.region };
    }
    case "password secret":
      return { resource: w.secret.arn, policy: w.secret.policy, region: primary.region };
    case "replica password secret":
      // Secrets Manager copies the secret's resource policy to its replicas.
      return { resource: w.secret.replicaArn ?? w.secret.arn, policy: w.secret.policy, region: other.region };
  }
}

/** Judges one row with the evaluator. */
export async function judge(w: World, who: readonly Principal[], row: Row): Promise<Judged> {
  const p = who.find((x) => x.id === row.who);
  if (!p) throw new Error(`access matrix: no principal ${row.who}`);
  const t = target(w, row.on);
  const simulation: Simulation = {
    identityPolicies: p.policies.map((policy, i) => ({ name: `${p.id}-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(t.policy ? { resourcePolicy: t.policy } : {}),
    request: {
      action: row.action,
      principal: p.arn,
      resource: { accountId: w.account, resource: t.resource },
      contextVariables: {
        "aws:PrincipalArn": p.arn,
        "aws:PrincipalAccount": w.account,
        "aws:SecureTransport": "true",
        // With an S3 Bucket Key (Phoenix enables it), S3's encryption context is the bucket's ARN (AWS S3 docs, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys").
        ...(row.context ? row.context(w) : {}),
        ...(row.viaS3
          ? {
              "kms:ViaService": `s3.${t.region}.amazonaws.com`,
              "kms:CallerAccount": w.account,
              ...(t.bucket ? { "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${t.bucket}` } : {}),
            }
          : {}),
      },
    },
  };
  const r = await runSimulation(simulation, {});
  if (r.resultType === "error")
    throw new Error(
      `access matrix: the evaluator refused ${row.who} ${row.action} on ${t.resource}: ${JSON.stringify(r.errors)}`,
    );
  return {
    ...row,
    resource: t.resource,
    decision: r.overallResult === "Allowed" ? "Allow" : "Deny",
    detail: r.overallResult,
  };
}
