/**
 * The waits of a fresh `pulumi up`, read from the plan's dependency edges (explicit
 * dependsOn, inputs, explicit providers), both ways: what must wait for what
 * correctness needs, and what must not wait for what it does not need.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Planner } from "../../../cli/plan/planner";
import type { PlanDocument } from "../../../cli/plan/plan";
import { projects } from "../../../cli/stacks/projects";
import { ROOT } from "../../helpers";
import { waitsFor } from "./planGraph";

const keysOf = (doc: PlanDocument, type: string): string[] =>
  doc.resources.filter((r) => r.type === type).map((r) => `${r.type}::${r.name}`);
const COREDNS = "aws:eks/addon:Addon::phoenix-prod-coredns";
const EBS_CSI = "aws:eks/addon:Addon::phoenix-prod-aws-ebs-csi-driver";
const CNI = "aws:eks/addon:Addon::phoenix-prod-vpc-cni";
const NODES = "aws:eks/nodeGroup:NodeGroup::phoenix-prod-system";
const CLUSTER = "eks:index:Cluster::phoenix-prod-eks";
const LBC = "kubernetes:helm.sh/v3:Release::loadBalancerController";

describe("dependencies of a fresh pulumi up (prod)", () => {
  let doc: PlanDocument;
  before(async () => {
    doc = await new Planner(ROOT).plan(projects(ROOT).platform, { stack: "prod" });
  });

  it("every resource lists its dependencies, and they name resources of the plan", () => {
    const keys = new Set(doc.resources.map((r) => `${r.type}::${r.name}`));
    for (const r of doc.resources) for (const d of r.dependencies) assert.ok(keys.has(d), `${r.name} -> ${d}`);
    assert.ok(doc.resources.find((r) => r.name === "phoenix-prod-k8s")?.dependencies.includes(CLUSTER));
  });

  it("must wait: nodes for the CNI and their egress; every chart for nodes and CNI; every other chart for the fail-closed webhook", () => {
    const nodes = waitsFor(doc, NODES);
    assert.ok(nodes.has(CNI), "nodes turn Ready only with the CNI");
    assert.ok(
      nodes.has("aws:ec2/routeTableAssociation:RouteTableAssociation::phoenix-prod-private-0"),
      "nodes pull images through the private subnets' NAT route",
    );
    for (const release of keysOf(doc, "kubernetes:helm.sh/v3:Release")) {
      const waits = waitsFor(doc, release);
      assert.ok(waits.has(NODES) && waits.has(CNI), `${release} waits for nodes and the CNI`);
      if (release !== LBC) assert.ok(waits.has(LBC), `${release} waits for the load balancer controller's webhook`);
    }
    assert.ok(waitsFor(doc, "kubernetes:helm.sh/v3:Release::bootstrap").has("kubernetes:helm.sh/v3:Release::argocd"));
    // Nothing orders CoreDNS's add-on against the controller's fail-closed webhook: kube-dns is kept out of its reach instead.
    const lbc = doc.helmReleases.find((h) => h.name === "aws-load-balancer-controller");
    assert.deepEqual((lbc?.values as { serviceMutatorWebhookConfig: unknown }).serviceMutatorWebhookConfig, {
      failurePolicy: "Fail",
      objectSelector: { matchExpressions: [{ key: "k8s-app", operator: "NotIn", values: ["kube-dns"] }] },
    });
  });

  it("must not wait: namespaces, secrets and ConfigMaps need only the API server; no chart waits for CoreDNS's or EBS CSI's add-on status", () => {
    const apiOnly = [
      ...keysOf(doc, "kubernetes:core/v1:Namespace"),
      ...keysOf(doc, "kubernetes:core/v1:Secret"),
      ...keysOf(doc, "kubernetes:core/v1:ConfigMap"),
      ...keysOf(doc, "kubernetes:core/v1:ResourceQuota"),
    ];
    assert.ok(
      apiOnly.length >= 9,
      "the scan sees the plugin and imperative namespaces, the Argo CD secret and the restore modifiers",
    );
    assert.ok(apiOnly.includes("kubernetes:core/v1:ConfigMap::plugins-velero-restore-modifiers"));
    for (const key of apiOnly) {
      const waits = waitsFor(doc, key);
      assert.ok(waits.has(CLUSTER), `${key} waits for the API server`);
      const needless = [...waits].filter(
        (w) =>
          w.startsWith("aws:eks/addon:Addon") ||
          w.startsWith("aws:eks/nodeGroup:NodeGroup") ||
          w.startsWith("kubernetes:helm.sh/v3:Release"),
      );
      assert.deepEqual(needless, [], `${key} waits for nothing but the API server`);
    }
    for (const release of keysOf(doc, "kubernetes:helm.sh/v3:Release")) {
      const waits = waitsFor(doc, release);
      assert.ok(!waits.has(COREDNS) && !waits.has(EBS_CSI), `${release} does not wait for add-on status`);
    }
  });
});
