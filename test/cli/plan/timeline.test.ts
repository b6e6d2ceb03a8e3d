/** The modeled `pulumi up` timeline: longest chain through the dependency graph, with durations from one table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlanResource } from "../../../cli/plan/plan";
import { DURATIONS, durationOf, minutes, modelTimeline, renderTimeline } from "../../../cli/plan/timeline";

function res(
  type: string,
  name: string,
  dependencies: string[] = [],
  inputs: Record<string, unknown> = {},
): PlanResource {
  return { type, name, parent: null, layer: "cluster", depth: 0, dependencies, inputs };
}

describe("modeled timeline", () => {
  it("starts each resource when its slowest dependency ends, and follows the longest chain", () => {
    const t = modelTimeline([
      res("aws:ec2/vpc:Vpc", "vpc"),
      res("aws:ec2/natGateway:NatGateway", "nat", ["aws:ec2/vpc:Vpc::vpc"]),
      res("eks:index:Cluster", "eks", ["aws:ec2/vpc:Vpc::vpc"]),
      res("aws:eks/addon:Addon", "cni", ["eks:index:Cluster::eks"], { addonName: "vpc-cni" }),
      res("aws:eks/nodeGroup:NodeGroup", "nodes", ["aws:eks/addon:Addon::cni", "aws:ec2/natGateway:NatGateway::nat"]),
      res("kubernetes:core/v1:Namespace", "ns", ["eks:index:Cluster::eks"]),
    ]);
    const at = (k: string) => t.entries.find((e) => e.key === k)!;
    assert.equal(at("eks:index:Cluster::eks").start, 24);
    assert.equal(at("aws:eks/nodeGroup:NodeGroup::nodes").start, 24 + 900 + 60);
    assert.equal(at("kubernetes:core/v1:Namespace::ns").start, 924);
    assert.equal(t.total, 24 + 900 + 60 + 300);
    assert.deepEqual(
      t.critical.map((e) => e.name),
      ["vpc", "eks", "cni", "nodes"],
    );
  });

  it("labels every figure published (with its source) or assumption, and takes the slow add-ons from their own row", () => {
    for (const d of DURATIONS)
      assert.ok(d.source.length > 10 && (d.basis === "published" || d.basis === "assumption"), d.what);
    assert.equal(durationOf(res("aws:eks/addon:Addon", "x", [], { addonName: "coredns" })).seconds, 900);
    assert.equal(durationOf(res("aws:eks/addon:Addon", "x", [], { addonName: "kube-proxy" })).basis, "assumption");
    const text = renderTimeline(modelTimeline([res("aws:ec2/vpc:Vpc", "vpc")]), "p/s");
    assert.match(text, /a model: durations per resource type/);
    assert.match(text, /Modeled total: 24s/);
    assert.equal(minutes(3 * 60 + 5), "3m 05s");
  });

  it("refuses a dependency cycle instead of looping", () => {
    assert.throws(
      () => modelTimeline([res("aws:x:X", "a", ["aws:x:X::b"]), res("aws:x:X", "b", ["aws:x:X::a"])]),
      /dependency cycle/,
    );
  });
});
