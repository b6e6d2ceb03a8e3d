/** The cluster's hardening builders as plain functions: the secrets key's policy, node volumes, the cluster role, the StorageClass. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clusterRolePolicies,
  clusterRoleTrust,
  defaultStorageClass,
  KEY_ADMIN_ACTIONS,
  nodeBlockDevices,
  secretsKeyPolicy,
} from "../../../components/cluster/hardening";
import { wildcardProblems } from "../../../policy/rules/iam";

describe("the secrets key's policy", () => {
  const doc = secretsKeyPolicy({
    partition: "aws-cn",
    accountId: "111122223333",
    region: "cn-north-1",
    dnsSuffix: "amazonaws.com.cn",
    clusterRoleArn: "arn:aws-cn:iam::111122223333:role/c1-cluster",
  });
  const sid = (s: string) => doc.Statement.find((x) => x.Sid === s);

  it("lets the account administer the key but never use it", () => {
    assert.deepEqual(sid("KeyAdministration")?.Principal, { AWS: "arn:aws-cn:iam::111122223333:root" });
    for (const use of ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:CreateGrant"])
      assert.ok(!(KEY_ADMIN_ACTIONS as readonly string[]).includes(use), use);
    assert.ok(!KEY_ADMIN_ACTIONS.some((a) => a.includes("*")), "no wildcard");
  });

  it("lets only the cluster role encrypt and decrypt, and lets EKS alone create grants for an AWS resource", () => {
    const users = doc.Statement.filter((s) =>
      [s.Action].flat().some((a) => a === "kms:Decrypt" || a === "kms:Encrypt"),
    );
    assert.deepEqual(
      users.map((s) => s.Principal),
      [{ AWS: "arn:aws-cn:iam::111122223333:role/c1-cluster" }],
    );
    assert.deepEqual(sid("GrantThroughEks")?.Condition, {
      StringEquals: { "kms:ViaService": "eks.cn-north-1.amazonaws.com.cn" },
      Bool: { "kms:GrantIsForAWSResource": "true" },
    });
    // In a key policy Resource "*" means this key (KMS developer guide, "Key policies"); the actions name no wildcard.
    for (const s of doc.Statement)
      assert.deepEqual(wildcardProblems({ ...s, Resource: "arn:aws-cn:kms:cn-north-1:111122223333:key/k" }), [], s.Sid);
  });
});

describe("node volumes", () => {
  it("AL2023: one encrypted gp3 root of the group's size; Bottlerocket: an encrypted OS volume and the sized data volume", () => {
    assert.deepEqual(nodeBlockDevices("AL2023_ARM_64_STANDARD", 80), [
      {
        deviceName: "/dev/xvda",
        ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true", volumeSize: 80 },
      },
    ]);
    assert.deepEqual(
      nodeBlockDevices("BOTTLEROCKET_x86_64", 80).map((d) => [d.deviceName, d.ebs.encrypted, d.ebs.volumeSize]),
      [
        ["/dev/xvda", "true", undefined],
        ["/dev/xvdb", "true", 80],
      ],
    );
  });
});

describe("cluster role and StorageClass", () => {
  it("Auto Mode adds the compute, storage, load balancing and networking policies and session tags", () => {
    assert.deepEqual(clusterRolePolicies(false), ["AmazonEKSClusterPolicy"]);
    assert.equal(clusterRolePolicies(true).length, 5);
    assert.deepEqual(clusterRoleTrust("amazonaws.com", true).Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
    assert.equal(defaultStorageClass(true).provisioner, "ebs.csi.eks.amazonaws.com");
    assert.equal(defaultStorageClass(false).parameters.encrypted, "true");
  });
});
