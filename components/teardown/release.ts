/**
 * Teardown: releases what Kubernetes created in AWS outside Pulumi, so that deleting a
 * platform stack can delete its VPC. Load balancers that controllers made for Services,
 * Ingresses and Gateways, and their network interfaces, are unknown to Pulumi; the VPC's
 * subnets and security groups cannot go while they exist, and `pulumi destroy` fails
 * with DependencyViolation after tearing down half the platform (pulumi-eks #194, #1226;
 * eksctl #253). The order matters:
 *
 * 1. Argo CD Applications (and the ApplicationSets that would make them again) are
 *    deleted with their resources, while Argo CD still runs to process the cascade;
 * 2. every LoadBalancer Service, Ingress and Gateway is deleted, while the controllers
 *    still run to delete their load balancers;
 * 3. the load balancers tagged for this cluster are awaited until AWS no longer lists them;
 * 4. the network interfaces Elastic Load Balancing owned in the VPC are awaited until
 *    they are released, which happens some time after their load balancer is gone;
 * 5. the security groups the controllers made for load balancers in the VPC, orphans
 *    by then, are deleted and awaited until gone.
 *
 * Each stage is a function of its own here, run by ./phase.ts, which does the waiting.
 * Only the order and the waiting are Phoenix's: Kubernetes and AWS are reached through
 * the narrow `TeardownKube` and `TeardownAws` interfaces, whose real implementations
 * (`openTeardownKube`, `openTeardownAws`) load their client libraries on first use.
 */
import { interfaceOwner } from "./ownership";
import { note, runPhase, type Pending, type PhaseClock, type PhaseSummary } from "./phase";

export {
  inTreeClusterTag,
  interfaceOwner,
  isClusterOwned,
  isLoadBalancerInterface,
  isLoadBalancerSecurityGroup,
  LBC_CLUSTER_TAG,
  LEGACY_LBC_CLUSTER_TAG,
} from "./ownership";

export {
  TeardownAbortedError,
  TeardownIncompleteError,
  TeardownTimeoutError,
  type PhaseSummary,
  type TeardownPhase,
} from "./phase";

/** The cluster whose AWS leftovers are released. */
export interface TeardownTarget {
  /** EKS cluster name: the value of the controllers' ownership tags. */
  readonly clusterName: string;
  readonly region: string;
  /** The cluster's VPC: its load balancer network interfaces and security groups are checked (skipped without it). */
  readonly vpcId?: string;
}

/** The Kubernetes kinds teardown deletes. */
export type KubeKind = "ApplicationSet" | "Application" | "Service" | "Ingress" | "Gateway";

/** Where each kind is served: the API group, version and plural a 404 on a list refers to. */
export const KUBE_APIS: Readonly<
  Record<KubeKind, { readonly group: string; readonly version: string; readonly plural: string }>
> = {
  ApplicationSet: { group: "argoproj.io", version: "v1alpha1", plural: "applicationsets" },
  Application: { group: "argoproj.io", version: "v1alpha1", plural: "applications" },
  Service: { group: "", version: "v1", plural: "services" },
  Ingress: { group: "networking.k8s.io", version: "v1", plural: "ingresses" },
  Gateway: { group: "gateway.networking.k8s.io", version: "v1", plural: "gateways" },
};

/** A namespaced object. */
export interface KubeRef {
  readonly namespace: string;
  readonly name: string;
}

/** What teardown needs to know of an object. */
export interface KubeItem extends KubeRef {
  readonly finalizers: readonly string[];
  /** Deletion has begun (metadata.deletionTimestamp is set): only finalizers keep it. */
  readonly deleting: boolean;
  /** A Service's `spec.type`. */
  readonly serviceType?: string;
}

/** Every object of a kind in every namespace, or `installed: false` when its API is not served (a CRD that is absent). */
export type KubeListing =
  { readonly installed: true; readonly items: readonly KubeItem[] } | { readonly installed: false };

/** All teardown asks of Kubernetes. */
export interface TeardownKube {
  /** The API server, for messages. */
  readonly server: string;
  list(kind: KubeKind): Promise<KubeListing>;
  /** Deletes one object; resolves false when it was gone already (404). */
  delete(kind: KubeKind, ref: KubeRef): Promise<boolean>;
  /** Replaces an object's finalizers (a JSON merge patch of metadata.finalizers). */
  setFinalizers(kind: KubeKind, ref: KubeRef, finalizers: readonly string[]): Promise<void>;
}

/** A load balancer as AWS lists it. */
export interface AwsLoadBalancer {
  readonly kind: "application" | "network" | "gateway" | "classic";
  readonly name: string;
  /** The ARN of an ELBv2 load balancer; the name of a classic one. */
  readonly id: string;
}

/** A network interface as EC2 lists it. */
export interface AwsNetworkInterface {
  readonly id: string;
  readonly description: string;
  readonly status?: string;
}

/** A security group as EC2 lists it. */
export interface AwsSecurityGroup {
  readonly id: string;
  readonly name: string;
}

/** All teardown asks of AWS. */
export interface TeardownAws {
  /** Load balancers (ELBv2 and classic) that carry this cluster's ownership tags (`isClusterOwned`), in its VPC when given. */
  clusterLoadBalancers(target: TeardownTarget): Promise<readonly AwsLoadBalancer[]>;
  /** Network interfaces of load balancers in the VPC (`isLoadBalancerInterface`). */
  loadBalancerInterfaces(vpcId: string): Promise<readonly AwsNetworkInterface[]>;
  /** Security groups the controllers made for load balancers in the VPC (`isLoadBalancerSecurityGroup`); not checked when absent. */
  loadBalancerSecurityGroups?(
    target: TeardownTarget & { readonly vpcId: string },
  ): Promise<readonly AwsSecurityGroup[]>;
  /** Deletes a security group; resolves false when AWS refuses because something still uses it (DependencyViolation) or it is gone. */
  deleteSecurityGroup?(id: string): Promise<boolean>;
}

/** How long to wait, how often to look, where to report. */
export interface TeardownOptions {
  /** Budget of the whole teardown, all phases together (default 1200: Argo CD cascades and load balancer deletions take minutes). */
  readonly timeoutSeconds?: number;
  /** Pause between two looks (default 10). */
  readonly pollSeconds?: number;
  /** One line per step and per change of what is awaited. */
  readonly progress?: (line: string) => void;
  /** Stops the waiting: the call rejects with `TeardownAbortedError`. */
  readonly signal?: AbortSignal;
}

/** What a teardown did. */
export interface TeardownSummary {
  readonly target: TeardownTarget;
  readonly phases: readonly PhaseSummary[];
  readonly seconds: number;
}

/** What starts each line the teardown hook writes to Pulumi's log, so a command that drives the engine can show them. */
export const TEARDOWN_LOG_PREFIX = "teardown: ";

export const DEFAULT_TIMEOUT_SECONDS = 1200;
export const DEFAULT_POLL_SECONDS = 10;

/** Argo CD's cascade finalizer; a `/foreground` or `/background` suffix picks the deletion mode (Argo CD docs, "App Deletion"). */
export const ARGOCD_CASCADE_FINALIZER = "resources-finalizer.argocd.argoproj.io";

const ref = (r: KubeRef): string => `${r.namespace}/${r.name}`;
const resourceName = (kind: KubeKind): string => {
  const api = KUBE_APIS[kind];
  return api.group ? `${api.plural}.${api.group}` : api.plural;
};

function kubeByHand(kind: KubeKind, item: KubeRef): string {
  const del = `kubectl -n ${item.namespace} delete ${resourceName(kind)} ${item.name}`;
  if (kind === "Application") {
    // With Argo CD gone the cascade finalizer is never processed: dropping it lets the
    // Application go, and leaves its resources in the cluster.
    return `${del} (Argo CD must run to process it; if it cannot: kubectl -n ${item.namespace} patch ${resourceName(kind)} ${item.name} --type merge -p '{"metadata":{"finalizers":null}}')`;
  }
  return kind === "ApplicationSet" ? del : `${del} (its controller must run to delete its load balancer)`;
}

function loadBalancerByHand(lb: AwsLoadBalancer, region: string): string {
  return lb.kind === "classic"
    ? `aws elb delete-load-balancer --region ${region} --load-balancer-name ${lb.id}`
    : `aws elbv2 delete-load-balancer --region ${region} --load-balancer-arn ${lb.id}`;
}

/** One teardown under way: its target, and the clock its phases run on. */
interface TeardownRun extends PhaseClock {
  readonly target: TeardownTarget;
}

/** Starts the clock of a teardown. */
function startRun(target: TeardownTarget, opts: TeardownOptions): TeardownRun {
  const timeout = opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const started = Date.now();
  return {
    target,
    where: `cluster ${target.clusterName} (${target.region}${target.vpcId ? `, ${target.vpcId}` : ""})`,
    timeout,
    pollMs: (opts.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000,
    started,
    deadline: started + timeout * 1000,
    ...(opts.signal ? { signal: opts.signal } : {}),
    progress: opts.progress ?? (() => undefined),
    phases: [],
  };
}

/** Lists a kind; a kind that is not served is noted once and has nothing pending. */
async function listed(kube: TeardownKube, kind: KubeKind, notes: string[]): Promise<readonly KubeItem[]> {
  const l = await kube.list(kind);
  if (l.installed) return l.items;
  note(notes, `${kind}: not installed (${resourceName(kind)} is not served)`);
  return [];
}

/** Deletes every listed object not yet being deleted (again, should a controller have made it anew). */
async function deleteAll(
  run: TeardownRun,
  kube: TeardownKube,
  kind: KubeKind,
  items: readonly KubeItem[],
  deleted: string[],
): Promise<void> {
  for (const item of items.filter((i) => !i.deleting)) {
    if (await kube.delete(kind, item)) {
      const label = `${kind} ${ref(item)}`;
      if (!deleted.includes(label)) deleted.push(label);
      run.progress(`  deleted ${label}`);
    }
  }
}

/** What of the kinds is still there (those `keep` takes), with how to delete each by hand. */
async function remaining(
  kube: TeardownKube,
  kinds: readonly KubeKind[],
  notes: string[],
  keep: (kind: KubeKind, i: KubeItem) => boolean = () => true,
): Promise<Pending[]> {
  const out: Pending[] = [];
  for (const kind of kinds) {
    for (const i of await listed(kube, kind, notes))
      if (keep(kind, i)) out.push({ label: `${kind} ${ref(i)}`, byHand: kubeByHand(kind, i) });
  }
  return out;
}

/**
 * 1. Argo CD Applications with their resources. Each gets the cascade finalizer first
 * (an Application without it is deleted alone and leaves its resources behind), then
 * the ApplicationSets go, so they cannot make the Applications again, then the
 * Applications.
 */
function releaseApplications(run: TeardownRun, kube: TeardownKube): Promise<void> {
  return runPhase(run, "applications", "deleting Argo CD Applications with their resources", async (deleted, notes) => {
    const apps = await listed(kube, "Application", notes);
    for (const app of apps.filter(
      (a) => !a.deleting && !a.finalizers.some((f) => f.startsWith(ARGOCD_CASCADE_FINALIZER)),
    )) {
      await kube.setFinalizers("Application", app, [...app.finalizers, ARGOCD_CASCADE_FINALIZER]);
    }
    await deleteAll(run, kube, "ApplicationSet", await listed(kube, "ApplicationSet", notes), deleted);
    await deleteAll(run, kube, "Application", apps, deleted);
    return remaining(kube, ["ApplicationSet", "Application"], notes);
  });
}

/** 2. What makes load balancers: their controllers delete them once the object goes. */
function releaseTraffic(run: TeardownRun, kube: TeardownKube): Promise<void> {
  const isTraffic = (kind: KubeKind, i: KubeItem): boolean => kind !== "Service" || i.serviceType === "LoadBalancer";
  const trafficKinds: readonly KubeKind[] = ["Service", "Ingress", "Gateway"];
  return runPhase(run, "traffic", "deleting LoadBalancer Services, Ingresses and Gateways", async (deleted, notes) => {
    for (const kind of trafficKinds)
      await deleteAll(
        run,
        kube,
        kind,
        (await listed(kube, kind, notes)).filter((i) => isTraffic(kind, i)),
        deleted,
      );
    return remaining(kube, trafficKinds, notes, isTraffic);
  });
}

/**
 * 3. The load balancers themselves: a controller removes an object's finalizer when its
 * deletion call returns, but AWS may list the load balancer a little longer, and one
 * whose object was deleted while its controller was down is still there.
 */
function awaitLoadBalancers(run: TeardownRun, aws: TeardownAws): Promise<void> {
  const { target } = run;
  return runPhase(run, "load-balancers", "waiting for the cluster's AWS load balancers to be deleted", async () =>
    (await aws.clusterLoadBalancers(target)).map((lb) => ({
      label: `${lb.kind} load balancer ${lb.name}`,
      byHand: loadBalancerByHand(lb, target.region),
    })),
  );
}

/**
 * 4. Their network interfaces, which Elastic Load Balancing releases after the load
 * balancer is gone: while one exists, its subnet and security groups cannot be deleted.
 */
function awaitNetworkInterfaces(run: TeardownRun, aws: TeardownAws): Promise<void> {
  const { target } = run;
  return runPhase(
    run,
    "network-interfaces",
    "waiting for load balancer network interfaces to be released",
    async (_deleted, notes) => {
      if (!target.vpcId) {
        note(notes, "no VPC id given: load balancer network interfaces not checked");
        return [];
      }
      return (await aws.loadBalancerInterfaces(target.vpcId)).map((eni) => ({
        label: `network interface ${eni.id} (${interfaceOwner(eni.description)})`,
        byHand: `aws ec2 delete-network-interface --region ${target.region} --network-interface-id ${eni.id} (once its load balancer is gone)`,
      }));
    },
  );
}

/**
 * 5. The security groups the controllers made for load balancers. With every load
 * balancer and its interfaces gone they are orphans, and one left behind keeps the VPC:
 * the controllers do not always delete them (the load balancer controller forgets its
 * shared backend group across a restart; kubernetes #79994 for the in-tree one), so
 * they are deleted here, as eksctl does (pkg/elb/cleanup.go). One still in use (a rule
 * of another group refers to it) is retried until the time runs out.
 */
function deleteSecurityGroups(run: TeardownRun, aws: TeardownAws): Promise<void> {
  const { target } = run;
  return runPhase(
    run,
    "security-groups",
    "deleting the load balancers' leftover security groups",
    async (deleted, notes) => {
      const vpcId = target.vpcId;
      const list = aws.loadBalancerSecurityGroups?.bind(aws);
      if (!vpcId || !list) {
        note(
          notes,
          vpcId
            ? "security groups not checked (the AWS adapter cannot list them)"
            : "no VPC id given: load balancer security groups not checked",
        );
        return [];
      }
      const label = (sg: AwsSecurityGroup): string => `security group ${sg.id} (${sg.name})`;
      const groups = await list({ ...target, vpcId });
      if (groups.length === 0) return [];
      for (const sg of groups) {
        if (aws.deleteSecurityGroup && (await aws.deleteSecurityGroup(sg.id)) && !deleted.includes(label(sg))) {
          deleted.push(label(sg));
          run.progress(`  deleted ${label(sg)}`);
        }
      }
      return (await list({ ...target, vpcId })).map((sg) => ({
        label: label(sg),
        byHand: `aws ec2 delete-security-group --region ${target.region} --group-id ${sg.id} (after removing the rules of other groups that refer to it)`,
      }));
    },
  );
}

/**
 * Releases what the cluster's controllers created in AWS, in the order the file comment
 * gives, and waits until each phase's leftovers are gone. Throws `TeardownTimeoutError`
 * naming what is left and how to delete it by hand when the time runs out.
 */
export async function releaseClusterResources(
  target: TeardownTarget,
  kube: TeardownKube,
  aws: TeardownAws,
  opts: TeardownOptions = {},
): Promise<TeardownSummary> {
  const run = startRun(target, opts);
  await releaseApplications(run, kube);
  await releaseTraffic(run, kube);
  await awaitLoadBalancers(run, aws);
  await awaitNetworkInterfaces(run, aws);
  await deleteSecurityGroups(run, aws);
  return { target, phases: run.phases, seconds: (Date.now() - run.started) / 1000 };
}
