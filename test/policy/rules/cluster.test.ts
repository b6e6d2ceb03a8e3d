/**
 * The EKS control plane and node group rules, each with a passing and a failing example.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  eksControlPlaneLogs,
  eksEndpointNotWorldOpen,
  eksSecretsEncrypted,
  nodeGroupsHardened,
} from "../../../policy/rules/cluster";
import { res, resourceViolations, stackViolations } from "./harness";

const eks = (extra: Record<string, unknown> = {}) => ({
  encryptionConfigKeyArn: "<computed: key arn>",
  enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
  endpointPublicAccess: true,
  publicAccessCidrs: ["203.0.113.0/24"],
  ...extra,
});

describe("EKS control plane rules", () => {
  it("eks-secrets-encrypted: passes a KMS key, fails without one (component and aws.eks.Cluster alike)", () => {
    assert.deepEqual(resourceViolations(eksSecretsEncrypted, "eks:index:Cluster", eks()), []);
    assert.match(
      resourceViolations(eksSecretsEncrypted, "eks:index:Cluster", eks({ encryptionConfigKeyArn: undefined }))[0],
      /not envelope-encrypted/,
    );
    assert.deepEqual(
      resourceViolations(eksSecretsEncrypted, "aws:eks/cluster:Cluster", {
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn" } },
      }),
      [],
    );
    assert.equal(resourceViolations(eksSecretsEncrypted, "aws:eks/cluster:Cluster", {}).length, 1);
  });
  it("eks-control-plane-logs (advisory): passes all five types, names the missing ones", () => {
    assert.deepEqual(resourceViolations(eksControlPlaneLogs, "eks:index:Cluster", eks()), []);
    assert.deepEqual(
      resourceViolations(eksControlPlaneLogs, "eks:index:Cluster", eks({ enabledClusterLogTypes: ["api", "audit"] })),
      ["control-plane log types off: authenticator, controllerManager, scheduler (phoenix:cluster.logTypes)"],
    );
  });
  it("eks-endpoint-not-world-open: passes named CIDRs or a private endpoint, fails 0.0.0.0/0 or a public endpoint without CIDRs", () => {
    assert.deepEqual(resourceViolations(eksEndpointNotWorldOpen, "eks:index:Cluster", eks()), []);
    assert.deepEqual(
      resourceViolations(
        eksEndpointNotWorldOpen,
        "eks:index:Cluster",
        eks({ endpointPublicAccess: false, publicAccessCidrs: undefined }),
      ),
      [],
    );
    assert.equal(
      resourceViolations(eksEndpointNotWorldOpen, "eks:index:Cluster", eks({ publicAccessCidrs: ["0.0.0.0/0"] }))
        .length,
      1,
    );
    assert.equal(
      resourceViolations(eksEndpointNotWorldOpen, "aws:eks/cluster:Cluster", { vpcConfig: {} }).length,
      1,
      "EKS defaults to a public endpoint open to all",
    );
  });
});

describe("node-groups-imdsv2-encrypted (stack)", () => {
  const template = (extra: Record<string, unknown> = {}) => ({
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }],
    ...extra,
  });
  const stack = (
    lt: Record<string, unknown>,
    group: Record<string, unknown> = { launchTemplate: { id: "<computed: lt id>", version: "1" } },
  ) => {
    const t = res("aws:ec2/launchTemplate:LaunchTemplate", "nodes", lt);
    return [t, res("aws:eks/nodeGroup:NodeGroup", "system", group, [t])];
  };
  const violations = (resources: ReturnType<typeof stack>): string[] => {
    const v = stackViolations(nodeGroupsHardened, resources);
    assert.ok(Array.isArray(v));
    return v;
  };
  it("passes a node group on the stack's launch template with IMDSv2 only, hop limit 1 and encrypted volumes", () => {
    assert.deepEqual(violations(stack(template())), []);
  });
  it("fails a node group without a launch template, and each weak template setting", () => {
    assert.match(
      violations(stack(template(), { diskSize: 50 })).join("\n"),
      /node group system has no launch template/,
    );
    const weak = violations(
      stack(template({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } })),
    );
    assert.deepEqual(weak.length, 3, "two template problems, and the node group on it");
    assert.match(weak.join("\n"), /node group system boots from launch template nodes, which is not hardened/);
    assert.match(
      violations(
        stack(template({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] })),
      )[0],
      /unencrypted EBS volume/,
    );
    assert.match(violations(stack(template({ blockDeviceMappings: [] })))[0], /AMI's defaults/);
  });
  it("fails a node group on any launch template the stack does not create, however it is named", () => {
    const elsewhere = [
      res("aws:eks/nodeGroup:NodeGroup", "system", {
        launchTemplate: { id: "lt-0123456789abcdef0", version: "$Latest" },
      }),
    ];
    assert.deepEqual(violations(elsewhere), [
      "node group system boots from launch template lt-0123456789abcdef0, which this stack does not create, so nothing checks its settings: use the cluster's hardened launch template",
    ]);
  });
  it("is not applicable without node groups (Auto Mode, the storage stack)", () => {
    assert.equal(stackViolations(nodeGroupsHardened, []), "not applicable");
  });
});
