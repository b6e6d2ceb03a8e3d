/** The load balancer controller plugin: its IAM policy scoped to this cluster's own load balancers, and its values. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PolicyDocument } from "../../../../components/identity";
import {
  loadBalancerControllerPolicy,
  loadBalancerControllerSettingsSchema,
  loadBalancerControllerValues,
} from "../../../../components/plugins/loadBalancerController";
import { at, grants } from "../../../helpers";

/** Every resource a policy names, flattened. */
function resources(doc: PolicyDocument): string[] {
  return doc.Statement.flatMap((s) => [s.Resource ?? []].flat());
}

describe("load balancer controller", () => {
  const scope = {
    partition: "aws-cn",
    region: "cn-north-1",
    accountId: "111122223333",
    vpcId: "vpc-0abc",
    clusterName: "blue",
  };
  const policy = loadBalancerControllerPolicy(scope);
  const g = grants(policy);

  it("scopes every ARN to this partition, region and account; only read calls stay on *", () => {
    for (const r of resources(policy).filter((r) => r !== "*")) {
      assert.match(
        r,
        /^arn:aws-cn:(ec2|elasticloadbalancing|wafv2):cn-north-1:111122223333:|^arn:aws-cn:iam::111122223333:role\/aws-service-role\//,
        r,
      );
    }
    const onStar = Object.entries(g)
      .filter(([, rs]) => rs.includes("*"))
      .map(([a]) => a);
    for (const a of onStar) assert.match(a, /:(Describe|Get|List)/, `${a} is a read call`);
  });

  it("may only create load balancers, target groups and security groups tagged for this cluster, and only change its own", () => {
    const byAction = (action: string) => policy.Statement.filter((s) => [s.Action].flat().includes(action));
    const create = byAction("elasticloadbalancing:CreateLoadBalancer");
    assert.deepEqual(
      create.map((s) => s.Condition),
      [{ StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "blue" } }],
    );
    for (const a of [
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyTargetGroup",
      "ec2:DeleteSecurityGroup",
    ]) {
      assert.deepEqual(
        at(byAction(a)[0], "Condition", "StringEquals"),
        { "aws:ResourceTag/elbv2.k8s.aws/cluster": "blue" },
        a,
      );
    }
    // Rules on node security groups, which carry no controller tag: only inside this VPC.
    assert.deepEqual(byAction("ec2:AuthorizeSecurityGroupIngress")[0].Condition, {
      ArnEquals: { "ec2:Vpc": "arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0abc" },
    });
    assert.deepEqual(g["ec2:CreateSecurityGroup"], [
      "arn:aws-cn:ec2:cn-north-1:111122223333:security-group/*",
      "arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0abc",
    ]);
    // The ownership tag can never be removed or rewritten after creation, on load
    // balancers, target groups or security groups.
    const retag = [...byAction("elasticloadbalancing:RemoveTags"), ...byAction("ec2:DeleteTags")].filter(
      (x) => x.Condition,
    );
    assert.equal(retag.length, 2);
    for (const s of retag)
      assert.deepEqual(at(s, "Condition", "Null"), { "aws:RequestTag/elbv2.k8s.aws/cluster": "true" });
    // A new security group must be tagged for this cluster; the VPC side is this VPC only.
    assert.deepEqual(
      byAction("ec2:CreateSecurityGroup").map((s) => [s.Resource, s.Condition]),
      [
        ["arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0abc", undefined],
        [
          "arn:aws-cn:ec2:cn-north-1:111122223333:security-group/*",
          { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "blue" } },
        ],
      ],
    );
    // Listeners only on this cluster's load balancers.
    assert.deepEqual(
      byAction("elasticloadbalancing:CreateListener").map((s) => s.Condition),
      [{ StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "blue" } }],
    );
  });

  it("never lets an unconditioned statement touch a load balancer, target group or security group (IAM adds Allows up)", () => {
    const owned = /:(loadbalancer|targetgroup)\/|:security-group\//;
    for (const st of policy.Statement.filter((x) => !x.Condition)) {
      // WAF association also needs elasticloadbalancing:SetWebAcl on the load balancer,
      // which is conditioned.
      const writes = [st.Action].flat().filter((a) => !/:(Describe|Get|List)/.test(a) && !a.startsWith("wafv2:"));
      const ownedResources = [st.Resource ?? []].flat().filter((r) => owned.test(r));
      assert.ok(
        writes.length === 0 || ownedResources.length === 0,
        `${st.Sid}: ${writes.join(", ")} on ${ownedResources.join(", ")}`,
      );
    }
  });

  it("grants no Shield or WAF classic, and creates the ELB service-linked role only", () => {
    assert.ok(
      !Object.keys(g).some((a) => a.startsWith("shield:") || a.startsWith("waf-regional:") || a.startsWith("waf:")),
    );
    assert.deepEqual(g["iam:CreateServiceLinkedRole"], [
      "arn:aws-cn:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/*",
    ]);
    const values = loadBalancerControllerValues(loadBalancerControllerSettingsSchema.parse({}), {
      clusterName: "blue",
      region: "cn-north-1",
      vpcId: "vpc-0abc",
      serviceAccountAnnotations: {},
      tags: { team: "p" },
    });
    assert.deepEqual(
      [at(values, "enableShield"), at(values, "enableWaf"), at(values, "enableWafv2")],
      [false, false, true],
    );
  });

  it("sets cluster, region and VPC explicitly, two replicas with a PDB, Gateway API on, and tags what it creates", () => {
    const values = loadBalancerControllerValues(loadBalancerControllerSettingsSchema.parse({}), {
      clusterName: "blue",
      region: "cn-north-1",
      vpcId: "vpc-0abc",
      serviceAccountAnnotations: {},
      tags: { team: "p" },
    });
    assert.deepEqual(
      [at(values, "clusterName"), at(values, "region"), at(values, "vpcId")],
      ["blue", "cn-north-1", "vpc-0abc"],
    );
    assert.deepEqual([at(values, "replicaCount"), at(values, "podDisruptionBudget")], [2, { maxUnavailable: 1 }]);
    assert.deepEqual(at(values, "controllerConfig", "featureGates"), { NLBGatewayAPI: true, ALBGatewayAPI: true });
    assert.deepEqual(at(values, "defaultTags"), { team: "p" });
    const off = loadBalancerControllerValues(
      loadBalancerControllerSettingsSchema.parse({ gatewayApi: false, replicas: 1 }),
      { clusterName: "b", region: "r", vpcId: "v", serviceAccountAnnotations: {}, tags: {} },
    );
    assert.deepEqual(
      [at(off, "controllerConfig", "featureGates", "ALBGatewayAPI"), at(off, "podDisruptionBudget")],
      [false, {}],
    );
  });
});
