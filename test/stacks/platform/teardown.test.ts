/**
 * Where the teardown hook sits in the platform's delete order, read from the offline
 * plan (prod). Pulumi deletes a resource before everything it depends on: the marker
 * that carries the `beforeDelete` hook must depend, directly or through what it depends
 * on, on everything the teardown needs to be running (the load balancer controller and
 * its AWS identity, Argo CD and the apps, the nodes, the NAT egress with the public
 * routes it leaves through, the cluster, the VPC), and nothing may depend on the marker.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Planner } from "../../../cli/plan/planner";
import type { PlanDocument } from "../../../cli/plan/plan";
import { projects } from "../../../cli/stacks/projects";
import { TEARDOWN_TYPE } from "../../../components/teardown";
import { ROOT } from "../../helpers";
import { waitsFor } from "./planGraph";

const MARKER = `${TEARDOWN_TYPE}::teardown`;

describe("the teardown marker in the platform plan (prod)", () => {
  let doc: PlanDocument;
  before(async () => {
    doc = await new Planner(ROOT).plan(projects(ROOT).platform, { stack: "prod" });
  });

  it("carries the beforeDelete hook, at the top of the stack, with no children", () => {
    const marker = doc.resources.find((r) => `${r.type}::${r.name}` === MARKER) ?? assert.fail("no marker");
    assert.deepEqual(marker.options?.hooks, { beforeDelete: ["teardown-release-cluster-resources"] });
    assert.equal(marker.parent, null);
    assert.deepEqual(
      doc.resources.filter((r) => r.parent === MARKER),
      [],
    );
    assert.deepEqual(
      doc.resources.filter((r) => r.options?.hooks).map((r) => `${r.type}::${r.name}`),
      [MARKER],
      "no other resource carries a hook",
    );
  });

  it("is deleted before everything the teardown needs: it depends on all of it", () => {
    const deps = waitsFor(doc, MARKER);
    const of = (type: string): string[] =>
      doc.resources.filter((r) => r.type === type).map((r) => `${r.type}::${r.name}`);
    const needed = [
      ...of("kubernetes:helm.sh/v3:Release"), // the controllers, Argo CD (and the bootstrap with its AppProjects)
      ...of("aws:eks/podIdentityAssociation:PodIdentityAssociation"), // the controller's AWS identity
      ...of("aws:iam/rolePolicy:RolePolicy"),
      ...of("kubernetes:yaml/v2:ConfigFile"), // the Gateway API CRDs
      ...of("aws:eks/nodeGroup:NodeGroup"),
      ...of("aws:ec2/natGateway:NatGateway"), // the nodes reach AWS's APIs through it
      ...of("aws:ec2/routeTableAssociation:RouteTableAssociation"), // public ones too: the NAT gateways' route out
      ...of("aws:ec2/routeTable:RouteTable"),
      ...of("aws:ec2/internetGateway:InternetGateway"),
      ...of("aws:ec2/subnet:Subnet"),
      ...of("aws:ec2/vpc:Vpc"),
      ...of("eks:index:Cluster"),
      ...of("pulumi:providers:kubernetes"),
    ];
    assert.ok(
      needed.includes("kubernetes:helm.sh/v3:Release::loadBalancerController") &&
        needed.includes("kubernetes:helm.sh/v3:Release::argocd") &&
        needed.includes("kubernetes:helm.sh/v3:Release::bootstrap"),
    );
    assert.ok(needed.length >= 20, needed.join("\n"));
    assert.deepEqual(
      needed.filter((k) => !deps.has(k)),
      [],
      "deleted after the marker",
    );
    // In fact everything is: the marker is the first thing a destroy deletes. Only the
    // layer components themselves are not listed (nothing to delete; they go after their children).
    const layers = ["phoenix:cluster:Cluster", "phoenix:plugins:Plugins", "phoenix:apps:Apps"];
    const rest = doc.resources
      .map((r) => `${r.type}::${r.name}`)
      .filter((k) => k !== MARKER && !layers.some((l) => k.startsWith(`${l}::`)));
    assert.deepEqual(
      rest.filter((k) => !deps.has(k)),
      [],
    );
  });

  it("holds nothing back: no resource depends on it", () => {
    assert.deepEqual(
      doc.resources.filter((r) => r.dependencies.includes(MARKER)).map((r) => r.name),
      [],
    );
  });
});
