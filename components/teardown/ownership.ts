/**
 * Teardown: how the cluster's controllers mark what they create in AWS (their ownership
 * tags, the names of their security groups, the descriptions of load balancer network
 * interfaces), so that ./release.ts releases this cluster's leftovers and nothing else.
 */

/** Tag key the AWS Load Balancer Controller puts on everything it creates, valued with the cluster name (aws-load-balancer-controller pkg/deploy/tracking/provider.go). */
export const LBC_CLUSTER_TAG = "elbv2.k8s.aws/cluster";
/** The same, as the controller's predecessor (AWS ALB Ingress Controller v1.1.3+) wrote it. */
export const LEGACY_LBC_CLUSTER_TAG = "ingress.k8s.aws/cluster";
/** Tag the in-tree service controller (classic ELB, NLB) puts on its load balancers: `kubernetes.io/cluster/<name>` = `owned` (kubernetes legacy-cloud-providers aws). */
export const inTreeClusterTag = (clusterName: string): string => `kubernetes.io/cluster/${clusterName}`;

/** Whether a load balancer's tags say this cluster's controllers made it. */
export function isClusterOwned(tags: Readonly<Record<string, string>>, clusterName: string): boolean {
  return (
    tags[LBC_CLUSTER_TAG] === clusterName ||
    tags[LEGACY_LBC_CLUSTER_TAG] === clusterName ||
    tags[inTreeClusterTag(clusterName)] === "owned"
  );
}

/**
 * Whether a security group was made for a load balancer by this cluster's controllers:
 * the AWS Load Balancer Controller's (frontend groups, and the shared backend group
 * `k8s-traffic-<cluster>-<hash>`) carry its cluster tag; the in-tree controller's classic
 * ELB groups are named `k8s-elb-<name>` and tagged owned (eksctl pkg/elb/cleanup.go). The
 * EKS cluster security group is tagged owned as well, but EKS deletes it with the
 * cluster: it is never waited for.
 */
export function isLoadBalancerSecurityGroup(
  name: string,
  tags: Readonly<Record<string, string>>,
  clusterName: string,
): boolean {
  return (
    tags[LBC_CLUSTER_TAG] === clusterName ||
    (name.startsWith("k8s-elb-") && tags[inTreeClusterTag(clusterName)] === "owned")
  );
}

/**
 * Whether a network interface belongs to a load balancer: Elastic Load Balancing
 * describes its interfaces as `ELB app/<name>/<id>` (ALB), `ELB net/<name>/<id>` (NLB),
 * `ELB gwy/<name>/<id>` (GWLB) or `ELB <name>` (classic).
 */
export function isLoadBalancerInterface(description: string): boolean {
  return /^ELB \S+/.test(description);
}

/** The load balancer an interface's description names: `app/<name>/<id>` or a classic name. */
export function interfaceOwner(description: string): string {
  return description.replace(/^ELB /, "");
}
