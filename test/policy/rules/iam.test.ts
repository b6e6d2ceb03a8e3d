/**
 * The IAM rules, each with a passing and a failing example.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { podIdentityTrustPolicy, irsaTrustPolicy } from "../../../components/identity";
import { veleroPolicy } from "../../../components/plugins/velero";
import { iamNoWildcards, podIdentityTrustConditioned } from "../../../policy/rules/iam";
import { resourceViolations } from "./harness";

describe("iam-no-wildcards", () => {
  const rolePolicy = (doc: unknown) => ({ policy: JSON.stringify(doc) });
  it("passes Velero's scoped policy, and describes that AWS cannot scope", () => {
    const velero = veleroPolicy({
      bucketArn: "arn:aws:s3:::b",
      keyArn: "arn:aws:kms:eu-west-1:111122223333:key/k",
      ebsSnapshots: true,
    });
    assert.deepEqual(resourceViolations(iamNoWildcards, "aws:iam/rolePolicy:RolePolicy", rolePolicy(velero)), []);
    assert.deepEqual(
      resourceViolations(
        iamNoWildcards,
        "aws:iam/rolePolicy:RolePolicy",
        rolePolicy({
          Statement: [{ Effect: "Allow", Action: ["ec2:DescribeVolumes", "route53:ListHostedZones"], Resource: "*" }],
        }),
      ),
      [],
    );
  });
  it("fails a wildcard action on a sensitive service, every action, NotAction, and a wildcard resource where IAM can scope", () => {
    const fails = (statement: Record<string, unknown>, type = "aws:iam/rolePolicy:RolePolicy"): string[] =>
      resourceViolations(
        iamNoWildcards,
        type,
        type === "aws:iam/role:Role"
          ? { inlinePolicies: [rolePolicy({ Statement: [statement] })] }
          : rolePolicy({ Statement: [statement] }),
      );
    assert.match(
      fails({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" })[0],
      /wildcard on the sensitive service s3/,
    );
    assert.match(fails({ Effect: "Allow", Action: "kms:Get*", Resource: "arn:aws:kms:x:1:key/k" })[0], /kms:Get\*/);
    assert.match(fails({ Effect: "Allow", Action: "*", Resource: "*" })[0], /every action/);
    assert.match(fails({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })[0], /NotAction/);
    assert.match(
      fails({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::other/*" })[0],
      /every resource but its NotResource/,
    );
    assert.match(
      fails({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })[0],
      /s3:GetObject on every resource/,
    );
    assert.match(
      fails({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }, "aws:iam/role:Role")[0],
      /iam:PassRole on every resource/,
    );
    assert.deepEqual(fails({ Effect: "Deny", Action: "*", Resource: "*" }), [], "a Deny is never too wide");
    // IAM reads action names case-insensitively, and so does the rule.
    assert.match(
      fails({ Effect: "Allow", Action: "S3:*", Resource: "arn:aws:s3:::b/*" })[0],
      /wildcard on the sensitive service s3/,
    );
    assert.match(fails({ Effect: "Allow", Action: "IAM:PassRole", Resource: "*" })[0], /on every resource/);
    assert.deepEqual(
      fails({ Effect: "Allow", Action: "S3:ListAllMyBuckets", Resource: "*" }),
      [],
      "an action IAM cannot scope, in any case",
    );
  });
});

describe("iam-no-wildcards: attached managed policies", () => {
  const attachment = (arn: string) =>
    resourceViolations(iamNoWildcards, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
      role: "r",
      policyArn: arn,
    });
  it("passes the EKS managed policies Phoenix attaches, in any partition, and a policy the stack creates", () => {
    assert.deepEqual(attachment("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"), []);
    assert.deepEqual(attachment("arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy"), []);
    assert.deepEqual(
      attachment("<computed: policy arn>"),
      [],
      "the aws:iam/policy:Policy it comes from is checked itself",
    );
  });
  it("fails an AWS managed policy off the allow-list, wherever it is attached; leaves the account's own policies to their documents", () => {
    assert.match(
      attachment("arn:aws:iam::aws:policy/AdministratorAccess")[0],
      /AWS managed policy AdministratorAccess, which is not on the allow-list/,
    );
    assert.match(attachment("arn:aws:iam::aws:policy/service-role/AmazonS3FullAccess")[0], /AmazonS3FullAccess/);
    assert.deepEqual(
      attachment("arn:aws:iam::111122223333:policy/phoenix-prod-velero"),
      [],
      "the stack's own policy after its first deploy: its document is what is checked",
    );
    const role = resourceViolations(iamNoWildcards, "aws:iam/role:Role", {
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/PowerUserAccess"],
    });
    assert.deepEqual(role.length, 1);
    assert.match(role[0], /PowerUserAccess/);
    const exclusive = resourceViolations(
      iamNoWildcards,
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
      { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"] },
    );
    assert.match(exclusive[0], /IAMFullAccess/);
  });
});

describe("pod-identity-trust-conditioned", () => {
  const C1 = { arn: "arn:aws:eks:eu-west-1:111122223333:cluster/c1", accountId: "111122223333" };
  const role = (doc: unknown) => ({ assumeRolePolicy: JSON.stringify(doc) });
  it("passes Phoenix's Pod Identity trust (cluster, namespace, service account) and its IRSA trust (sub, aud)", () => {
    assert.deepEqual(
      resourceViolations(
        podIdentityTrustConditioned,
        "aws:iam/role:Role",
        role(podIdentityTrustPolicy(C1, "velero", "velero-server")),
      ),
      [],
    );
    assert.deepEqual(
      resourceViolations(
        podIdentityTrustConditioned,
        "aws:iam/role:Role",
        role(irsaTrustPolicy("arn:aws:iam::1:oidc-provider/x", "https://oidc.x/id/1", "velero", "velero-server")),
      ),
      [],
    );
    assert.deepEqual(
      resourceViolations(
        podIdentityTrustConditioned,
        "aws:iam/role:Role",
        role({
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      ),
      [],
      "not a workload role",
    );
  });
  it("fails a Pod Identity trust open to any association, one without sts:TagSession, and an IRSA trust without sub", () => {
    const open = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    };
    assert.match(
      resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(open))[0],
      /aws:RequestTag\/eks-cluster-arn, aws:RequestTag\/kubernetes-namespace, aws:RequestTag\/kubernetes-service-account, aws:SourceAccount/,
    );
    // The name alone matches a same-named cluster in another region or account.
    const byName = {
      Statement: [
        {
          ...open.Statement[0],
          Condition: {
            StringEquals: {
              "aws:RequestTag/eks-cluster-name": "c1",
              "aws:RequestTag/kubernetes-namespace": "ns",
              "aws:RequestTag/kubernetes-service-account": "sa",
            },
          },
        },
      ],
    };
    assert.match(
      resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(byName))[0],
      /add StringEquals conditions on aws:RequestTag\/eks-cluster-arn, aws:SourceAccount$/,
    );
    const untagged = podIdentityTrustPolicy(C1, "ns", "sa");
    const noTag = { ...untagged, Statement: [{ ...untagged.Statement[0], Action: "sts:AssumeRole" }] };
    assert.match(
      resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(noTag))[0],
      /lacks sts:TagSession/,
    );
    const irsa = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::1:oidc-provider/x" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { "oidc.x:aud": "sts.amazonaws.com" } },
        },
      ],
    };
    assert.match(
      resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(irsa))[0],
      /any service account of the OIDC issuer/,
    );
  });
  it('fails a trust open to every principal (Principal "*" or AWS "*"), conditions or not', () => {
    const anyone = (principal: unknown, extra: Record<string, unknown> = {}) =>
      role({ Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }] });
    assert.match(
      resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", anyone({ AWS: "*" }))[0],
      /any AWS principal of any account/,
    );
    assert.match(
      resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", anyone("*"))[0],
      /any AWS principal of any account/,
    );
    const org = anyone(
      { AWS: ["arn:aws:iam::111122223333:root", "*"] },
      { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } },
    );
    assert.match(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", org)[0], /any AWS principal/);
    assert.deepEqual(
      resourceViolations(
        podIdentityTrustConditioned,
        "aws:iam/role:Role",
        anyone({ AWS: "arn:aws:iam::111122223333:role/ci" }),
      ),
      [],
      "a named role is fine",
    );
  });
});
