/**
 * The AWS a platform stack and its backup storage stack would make, as concrete policy
 * documents: the offline plans hold every policy Phoenix writes, with placeholders for
 * what only AWS decides (account, bucket names, key ids, role ARNs). This gives each a
 * stable example value, so an IAM evaluator can judge requests against the policies as
 * planned (pure).
 */
import type { PlanDocument, PlanResource } from "../plan/plan";

/** A policy document as the evaluator reads it. */
export type PolicyDocument = {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
};

/** The example values placeholders become. */
export interface Example {
  readonly account: string;
  /** The identity that deploys the storage stack (the "deploying session" of its policies). */
  readonly deployer: string;
}

/** Everything the access matrix judges, concrete. */
export interface World {
  readonly account: string;
  readonly buckets: { readonly primary: Bucket; readonly replica?: Bucket };
  readonly secret: { readonly arn: string; readonly policy?: PolicyDocument; readonly replicaArn?: string };
  /** The platform's EKS cluster, as EKS Pod Identity names it in its session tags. */
  readonly cluster?: { readonly arn: string; readonly name: string };
  /**
   * The service account Velero's server and node agent run as: the chart gives the
   * node-agent DaemonSet the server's (velero chart templates/node-agent-daemonset.yaml:64@12.1.0),
   * and the data-path pods inherit the node agent's (velero pkg/exposer/image.go:57,
   * pod_volume.go:528@v1.18.1).
   */
  readonly veleroServiceAccount?: string;
  /** Identity policies and paths of the roles both plans make, by resource name. */
  readonly roles: ReadonlyMap<
    string,
    { readonly arn: string; readonly policies: readonly PolicyDocument[]; readonly trust?: PolicyDocument }
  >;
}

/** One backup bucket with its policy and key. */
export interface Bucket {
  readonly name: string;
  readonly region: string;
  readonly policy?: PolicyDocument;
  readonly keyArn: string;
  readonly keyPolicy?: PolicyDocument;
}

const PLACEHOLDER = /<computed: ([^>]+)>/g;

/** Replaces every placeholder of a plan's text with its example value; an unknown one is an error naming it. */
function concretize(text: string, values: (what: string) => string | undefined): string {
  return text.replace(PLACEHOLDER, (whole, what: string) => {
    const v = values(what);
    if (v === undefined) throw new Error(`access matrix: no example value for ${whole}`);
    return v;
  });
}

function find(doc: PlanDocument, type: string, name: string): PlanResource | undefined {
  return doc.resources.find((r) => r.type === type && r.name === name);
}

/** Builds the world of a platform plan and the storage plan it writes to; role names carry the platform stack's name, as Pulumi's auto-naming makes each unique. */
export function worldOf(storage: PlanDocument, platforms: readonly PlanDocument[], ex: Example): World {
  const roles = [storage, ...platforms].flatMap((d) => d.resources.filter((r) => r.type === "aws:iam/role:Role"));
  const suffix = platforms[0]?.stack ?? storage.stack;
  const pathOf = (name: string): string => {
    const path = roles.find((r) => r.name === name)?.inputs.path;
    return typeof path === "string" ? path : "/";
  };
  const values = (what: string): string | undefined => {
    if (what === "account id") return ex.account;
    if (what === "role of the deploying session") return ex.deployer;
    let m = /^aws:s3\/bucket:Bucket (.+)\.(bucket|arn)$/.exec(what);
    if (m) return m[2] === "arn" ? `arn:aws:s3:::example-${m[1]}` : `example-${m[1]}`;
    m = /^aws:kms\/key:Key (.+)\.arn$/.exec(what);
    if (m)
      return `arn:aws:kms:${m[1].endsWith("-replica") ? String(storage.outputs.replicaRegion) : storage.region}:${ex.account}:key/example-${m[1]}`;
    m = /^aws:iam\/role:Role (.+)\.(arn|name)$/.exec(what);
    if (m)
      return m[2] === "arn" ? `arn:aws:iam::${ex.account}:role${pathOf(m[1])}${m[1]}-${suffix}` : `${m[1]}-${suffix}`;
    m = /^name of secret (.+)$/.exec(what);
    if (m) return `${m[1]}-AbCdEf`;
    // Anything else a policy names (a VPC, a hosted zone): an example of the right shape, never judged here.
    m = /^[a-z0-9-]+:[^ ]+ (.+)\.(id|arn|name)$/i.exec(what);
    if (m) return m[2] === "arn" ? `arn:aws:example:${storage.region}:${ex.account}:${m[1]}` : `example-${m[1]}`;
    return undefined;
  };
  const text = (v: unknown): string => concretize(typeof v === "string" ? v : JSON.stringify(v), values);
  const policy = (v: unknown): PolicyDocument | undefined =>
    v === undefined ? undefined : (JSON.parse(text(v)) as PolicyDocument);
  const bucket = (name: string, region: string): Bucket => ({
    name: text(`<computed: aws:s3/bucket:Bucket ${name}.bucket>`),
    region,
    policy: policy(find(storage, "aws:s3/bucketPolicy:BucketPolicy", name)?.inputs.policy),
    keyArn: text(`<computed: aws:kms/key:Key ${name}.arn>`),
    keyPolicy: policy(find(storage, "aws:kms/key:Key", name)?.inputs.policy),
  });
  const secret = storage.resources.find((r) => r.type === "aws:secretsmanager/secret:Secret");
  const replicaRegion = typeof storage.outputs.replicaRegion === "string" ? storage.outputs.replicaRegion : undefined;
  const rolePolicies = [storage, ...platforms].flatMap((d) =>
    d.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy"),
  );
  const eks = platforms[0]?.resources.find((r) => r.type === "eks:index:Cluster");
  const clusterName = typeof eks?.inputs.name === "string" ? eks.inputs.name : undefined;
  const veleroValues = platforms[0]?.helmReleases.find((r) => r.chart === "velero")?.values as
    { serviceAccount?: { server?: { name?: unknown } } } | undefined;
  const veleroServiceAccount = veleroValues?.serviceAccount?.server?.name;
  return {
    account: ex.account,
    ...(clusterName && platforms[0]
      ? {
          cluster: {
            name: clusterName,
            arn: `arn:aws:eks:${platforms[0].region}:${ex.account}:cluster/${clusterName}`,
          },
        }
      : {}),
    ...(typeof veleroServiceAccount === "string" ? { veleroServiceAccount } : {}),
    buckets: {
      primary: bucket("backups", storage.region),
      ...(replicaRegion ? { replica: bucket("backups-replica", replicaRegion) } : {}),
    },
    secret: {
      arn: text(storage.outputs.repositoryPasswordSecretArn),
      ...(secret ? { policy: policy(secret.inputs.policy) } : {}),
      ...(storage.outputs.replicaRepositoryPasswordSecretArn
        ? { replicaArn: text(storage.outputs.replicaRepositoryPasswordSecretArn) }
        : {}),
    },
    roles: new Map(
      roles.map((r) => [
        r.name,
        {
          arn: text(`<computed: aws:iam/role:Role ${r.name}.arn>`),
          policies: rolePolicies
            .filter((p) => text(p.inputs.role) === `${r.name}-${suffix}`)
            .map((p) => policy(p.inputs.policy) as PolicyDocument),
          ...(r.inputs.assumeRolePolicy ? { trust: policy(r.inputs.assumeRolePolicy) } : {}),
        },
      ]),
    ),
  };
}
