/**
 * The steps of a preview that could lose a cluster or its backups (pure): what each
 * replaces or deletes, why that is dangerous, and what protect or retainOnDelete make of it.
 */
import { BACKUP_STORAGE_PROJECT } from "../stacks/names";
import { shorterRetention, type Retaining } from "../shared/retention";
import { record } from "../shared/data";
import { logicalSteps, parseUrn, REPLACE_OPS, type Danger, type PreviewStep, type ResourceState } from "./steps";

const CLUSTER_TYPES = new Set([
  "eks:index:Cluster",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "eks:index:ManagedNodeGroup",
  "eks:index:NodeGroup",
  "eks:index:NodeGroupV2",
]);
/** The network a cluster runs in: replacing any of it takes the cluster's nodes (or the cluster) offline. */
const NETWORK_TYPES = new Set([
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/internetGateway:InternetGateway",
]);
const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const IDENTITY_TYPES = new Set(["aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:iam/role:Role"]);
/** One Velero schedule of a release's values: the namespaces it covers and how long it keeps them. */
type Schedule = Retaining;

/** The Velero schedules of a release's values; undefined when the release is not Velero's. */
function schedulesOf(state: ResourceState | undefined): Map<string, Schedule> | undefined {
  const inputs = record(state?.inputs);
  if (inputs.chart !== "velero") return undefined;
  const schedules = record(record(inputs.values).schedules);
  return new Map(
    Object.entries(schedules).map(([name, s]) => {
      const template = record(record(s).template);
      const ttl = template.ttl;
      return [
        name,
        {
          namespaces: (template.includedNamespaces as string[] | undefined) ?? [],
          ...(typeof ttl === "string" ? { ttl } : {}),
        },
      ];
    }),
  );
}

/**
 * What a Velero release change stops backing up: namespaces no schedule covers any more
 * (moving one between schedules is no loss), and namespaces whose backups are kept for
 * less, however that comes about (cli/shared/retention.ts).
 */
export function backupLosses(before: ReadonlyMap<string, Schedule>, after: ReadonlyMap<string, Schedule>): string[] {
  const covered = (m: ReadonlyMap<string, Schedule>): Set<string> =>
    new Set([...m.values()].flatMap((s) => s.namespaces));
  const now = covered(after);
  const lost = [...covered(before)].filter((n) => !now.has(n)).sort();
  const out =
    lost.length > 0
      ? [`no Velero schedule backs up ${lost.join(", ")} any more: their state would have no new backup`]
      : [];
  for (const r of shorterRetention([...before.values()], [...after.values()]))
    out.push(
      `${r.namespace}'s backups are kept for less (ttl: ${r.before} -> ${r.after}): older restore points expire`,
    );
  return out;
}

/** The purpose tag of Phoenix's backup buckets (components/backupStorage), wherever a bucket lives. */
const isBackupPurpose = (tag: unknown): boolean => typeof tag === "string" && tag.startsWith("velero-backups");

export function forcedBy(step: PreviewStep): string[] {
  const fromDiff = Object.entries(step.detailedDiff ?? {})
    .filter(([, d]) => d.kind.endsWith("-replace"))
    .map(([path]) => path);
  return [...new Set([...(step.replaceReasons ?? []), ...fromDiff])].sort();
}

function outcome(step: PreviewStep, operation: Danger["operation"], type: string): string {
  const old = step.oldState;
  if (operation === "update") return "the resource stays; what it covers changes";
  if (old?.protect) return "protected: the engine refuses this until someone runs `pulumi state unprotect`";
  // Where a retained resource stays: a Kubernetes object in its cluster, everything else in AWS.
  const where = type.startsWith("kubernetes:") ? "in the cluster" : "in AWS";
  if (old?.retainOnDelete)
    return operation === "replace"
      ? `retainOnDelete: the old one is left behind ${where} (orphaned) and a new, empty one is created`
      : `retainOnDelete: left behind ${where} (orphaned), removed from the stack`;
  return operation === "replace"
    ? "nothing stops it: the old one is deleted after the new one is created"
    : "nothing stops it: it is deleted";
}

/** The dangerous steps of one stack. */
export function dangers(stack: string, steps: readonly PreviewStep[]): Danger[] {
  const out: Danger[] = [];
  for (const step of logicalSteps(steps)) {
    const { type, name, project } = parseUrn(step.urn);
    const operation = REPLACE_OPS.has(step.op) ? "replace" : step.op === "delete" ? "delete" : undefined;
    const add = (op: Danger["operation"], why: string): void =>
      void out.push({
        stack,
        resource: name,
        type,
        operation: op,
        why,
        forcedBy: op === "replace" ? forcedBy(step) : [],
        outcome: outcome(step, op, type),
      });
    if (operation && CLUSTER_TYPES.has(type))
      add(
        operation,
        type.includes("Cluster")
          ? "the EKS control plane (and everything in it) would be rebuilt"
          : "a node group's nodes would all be replaced",
      );
    else if (operation && NETWORK_TYPES.has(type))
      add(
        operation,
        "the network the cluster runs in: its nodes lose their subnet or route until the new one exists, and a subnet change replaces the cluster (pulumi-eks #69)",
      );
    else if (operation && type === "aws:kms/key:Key")
      add(operation, "a KMS key: whatever it encrypted becomes unreadable once it is gone");
    else if (
      operation &&
      BUCKET_TYPES.has(type) &&
      (project === BACKUP_STORAGE_PROJECT ||
        isBackupPurpose(record(record(step.oldState?.inputs).tags)["phoenix:purpose"]))
    )
      add(operation, "a backup bucket: the backups in it");
    else if (operation === "replace" && IDENTITY_TYPES.has(type))
      add("replace", "an identity binding: its pods lose their AWS access between delete and create");
    else if (operation && type === "kubernetes:core/v1:Namespace")
      add(
        operation,
        step.oldState?.retainOnDelete
          ? "a namespace: Pulumi lets it go with what is in it, and deletes the policies and quotas it declared there"
          : "a namespace: everything in it is deleted with it",
      );
    else if (type === "kubernetes:helm.sh/v3:Release" && (step.op === "update" || operation)) {
      const before = schedulesOf(step.oldState);
      // A deleted release, or `backups.enabled: false`, leaves no schedule at all.
      const after = (step.op === "delete" ? undefined : schedulesOf(step.newState)) ?? new Map<string, Schedule>();
      for (const loss of before ? backupLosses(before, after) : []) add("update", loss);
    }
  }
  return out;
}
