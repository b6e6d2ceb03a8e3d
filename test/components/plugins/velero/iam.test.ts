/** Velero's IAM policy and Pod Identity trust. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterArnOf, podIdentityTrustPolicy } from "../../../../components/identity";
import { veleroPolicy } from "../../../../components/plugins/velero";
import { grants } from "../../../helpers";

describe("Velero IAM", () => {
  const bucket = "arn:aws:s3:::velero-backups";
  const key = "arn:aws:kms:eu-west-1:111122223333:key/k";
  const policy = (ebsSnapshots: boolean) => veleroPolicy({ bucketArn: bucket, keyArn: key, ebsSnapshots });
  it("grants object access in the backup bucket only, listing of that bucket only, and its own KMS key", () => {
    assert.deepEqual(grants(policy(false)), {
      "s3:GetObject": [`${bucket}/*`],
      "s3:DeleteObject": [`${bucket}/*`],
      "s3:PutObject": [`${bucket}/*`],
      "s3:AbortMultipartUpload": [`${bucket}/*`],
      "s3:ListMultipartUploadParts": [`${bucket}/*`],
      "s3:ListBucket": [bucket],
      "kms:GenerateDataKey": [key],
      "kms:Decrypt": [key],
    });
  });
  it("reads another region's replica, when restoring from it, writing only a restore's results there (restores/), never a backup", () => {
    const source = { bucketArn: "arn:aws:s3:::prod-replica", keyArn: "arn:aws:kms:eu-central-1:111122223333:key/r" };
    assert.deepEqual(
      grants(veleroPolicy({ bucketArn: bucket, keyArn: key, ebsSnapshots: false, restoreFrom: source })),
      {
        ...grants(policy(false)),
        "s3:GetObject": [`${bucket}/*`, `${source.bucketArn}/*`].sort(),
        "s3:ListBucket": [bucket, source.bucketArn].sort(),
        "s3:PutObject": [`${bucket}/*`, `${source.bucketArn}/restores/*`].sort(),
        "kms:Decrypt": [key, source.keyArn].sort(),
        "kms:GenerateDataKey": [key, source.keyArn].sort(),
      },
    );
  });

  it("with backups off: its own bucket read-only but for restore results, or no right on it at all when it restores from a replica", () => {
    assert.deepEqual(grants(veleroPolicy({ bucketArn: bucket, keyArn: key, ebsSnapshots: false, ownBucket: "read" })), {
      "s3:GetObject": [`${bucket}/*`],
      "s3:ListBucket": [bucket],
      "s3:PutObject": [`${bucket}/restores/*`],
      "kms:Decrypt": [key],
      "kms:GenerateDataKey": [key],
    });
    const source = { bucketArn: "arn:aws:s3:::prod-replica", keyArn: "arn:aws:kms:eu-central-1:111122223333:key/r" };
    assert.deepEqual(
      grants(
        veleroPolicy({ bucketArn: bucket, keyArn: key, ebsSnapshots: false, restoreFrom: source, ownBucket: "none" }),
      ),
      {
        "s3:GetObject": [`${source.bucketArn}/*`],
        "s3:ListBucket": [source.bucketArn],
        "s3:PutObject": [`${source.bucketArn}/restores/*`],
        "kms:Decrypt": [source.keyArn],
        "kms:GenerateDataKey": [source.keyArn],
      },
    );
  });

  it("adds the EC2 snapshot actions only for EBS-snapshot backups", () => {
    const g = grants(policy(true));
    const ec2 = Object.keys(g)
      .filter((a) => a.startsWith("ec2:"))
      .sort();
    assert.deepEqual(ec2, [
      "ec2:CreateSnapshot",
      "ec2:CreateTags",
      "ec2:CreateVolume",
      "ec2:DeleteSnapshot",
      "ec2:DescribeSnapshots",
      "ec2:DescribeVolumes",
    ]);
    assert.ok(!Object.keys(grants(policy(false))).some((a) => a.startsWith("ec2:")));
  });
  it("the Pod Identity trust names only the EKS Pod Identity service, for one cluster's one service account (IRSA trust: test/components/identity.test.ts)", () => {
    const arn = clusterArnOf("aws", "eu-west-1", "111122223333", "phoenix-prod");
    const trust = podIdentityTrustPolicy({ arn, accountId: "111122223333" }, "velero", "velero-server");
    assert.deepEqual(
      trust.Statement.map((s) => [s.Principal, [s.Action].flat().sort()]),
      [[{ Service: "pods.eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"]]],
    );
    assert.deepEqual(trust.Statement[0].Condition, {
      StringEquals: {
        "aws:SourceAccount": "111122223333",
        "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:111122223333:cluster/phoenix-prod",
        "aws:RequestTag/kubernetes-namespace": "velero",
        "aws:RequestTag/kubernetes-service-account": "velero-server",
      },
    });
  });
});
