/**
 * Every rule of the policy pack with a resource that passes and one that fails, called
 * directly (`validateResource` / `validateStack` with hand-built args, as `@pulumi/policy`
 * hands them): constructing a PolicyPack would start its gRPC server.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { charts, kubernetesVersion } from "../../components/catalog";
import { podSecurityLabels } from "../../components/labels";
import { podIdentityTrustPolicy, irsaTrustPolicy } from "../../components/identity";
import { veleroPolicy } from "../../components/plugins/velero";
import { tlsOnlyBucketPolicy } from "../../components/backupStorage";
import { parse } from "yaml";
import { PHOENIX_POLICIES, type PhoenixPolicy } from "../../policy/rules";
import { ROOT } from "../helpers";
import { backupBucketsHardened } from "../../policy/rules/backupBuckets";
import { eksControlPlaneLogs, eksEndpointNotWorldOpen, eksSecretsEncrypted, nodeGroupsHardened } from "../../policy/rules/cluster";
import { iamNoWildcards, podIdentityTrustConditioned } from "../../policy/rules/iam";
import { helmReleasesPinned, namespacesPodSecurity, veleroSchedulesImperativeOnly } from "../../policy/rules/kubernetes";

class NotApplicable extends Error {}

const base = {
  stackTags: new Map<string, string>(),
  getConfig: <T extends object>(): T => ({}) as T,
  notApplicable: (reason?: string): never => {
    throw new NotApplicable(reason);
  },
};

/** What a resource rule reports for one resource. */
function resourceViolations(policy: PhoenixPolicy, type: string, props: Record<string, unknown>): string[] {
  const p = policy as ResourceValidationPolicy;
  assert.ok(p.validateResource, `${policy.name} is a resource policy`);
  const out: string[] = [];
  const report: ReportViolation = (m) => out.push(m);
  const args: ResourceValidationArgs = {
    ...base,
    type,
    props,
    urn: `urn:pulumi:test::phoenix::${type}::r`,
    name: "r",
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    isType: () => false,
    asType: () => undefined,
  };
  for (const v of [p.validateResource].flat()) void v?.(args, report);
  return out;
}

/** A stack resource for stack rules, with its dependencies. */
function res(type: string, name: string, props: Record<string, unknown>, dependencies: PolicyResource[] = [], protect = false): PolicyResource {
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:test::phoenix::${type}::${name}`,
    opts: { protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    dependencies,
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

/** What a stack rule reports, or "not applicable". */
function stackViolations(policy: PhoenixPolicy, resources: PolicyResource[]): string[] | "not applicable" {
  const p = policy as StackValidationPolicy;
  const out: string[] = [];
  const args: StackValidationArgs = { ...base, resources };
  try {
    void p.validateStack(args, (m) => out.push(m));
  } catch (err) {
    if (err instanceof NotApplicable) return "not applicable";
    throw err;
  }
  return out;
}

describe("the pack", () => {
  it("holds every rule the issue lists, each mandatory or advisory with a reason", () => {
    assert.equal(PHOENIX_POLICIES.length, 10);
    assert.equal(new Set(PHOENIX_POLICIES.map((p) => p.name)).size, PHOENIX_POLICIES.length);
    for (const p of PHOENIX_POLICIES) {
      assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel), p.name);
      assert.ok(p.description.length > 60, `${p.name} says why`);
    }
    assert.deepEqual(PHOENIX_POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name), ["eks-control-plane-logs"]);
  });

  it("is a Node.js pack Pulumi loads from policy/, whose entry hands PolicyPack exactly these rules", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8")) as { runtime: { name: string }; version: string };
    assert.equal(project.runtime.name, "nodejs");
    assert.match(project.version, /^\d+\.\d+\.\d+$/);
    const entry = fs.readFileSync(path.join(ROOT, "policy", "index.ts"), "utf8");
    assert.match(entry, /new PolicyPack\("phoenix", \{ policies: \[\.\.\.PHOENIX_POLICIES\] \}\)/);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.match(pkg.dependencies["@pulumi/policy"], /^\d+\.\d+\.\d+$/, "pinned exactly");
  });

  it("runs in every pull request's previews, found by an absolute path (the preview runs with --cwd in the project's folder)", () => {
    const workflow = fs.readFileSync(path.join(ROOT, ".github", "workflows", "preview.yml"), "utf8");
    assert.ok(workflow.includes('if [ -f policy/PulumiPolicy.yaml ]; then args+=(--policy-pack "$GITHUB_WORKSPACE/policy"); fi'));
    assert.ok(workflow.includes('args=(preview --json --non-interactive --stack "$STACK" --cwd "$WORK_DIR")'));
    assert.ok(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")), "so the condition holds");
  });
});

/** A hardened backup bucket and its settings, as the storage project declares them. */
function backupStack(overrides: { objectLock?: boolean; protect?: boolean; sharedKeyWith?: boolean; plainHttp?: boolean; versioning?: string; publicAccess?: boolean } = {}): PolicyResource[] {
  const key = res("aws:kms/key:Key", "backups", {});
  const bucket = res("aws:s3/bucket:Bucket", "backups", { tags: { "phoenix:purpose": "velero-backups" }, ...(overrides.objectLock === false ? {} : { objectLockEnabled: true }) }, [], overrides.protect ?? true);
  const on = [bucket];
  const resources = [
    key,
    bucket,
    res("aws:s3/bucketVersioning:BucketVersioning", "backups", { versioningConfiguration: { status: overrides.versioning ?? "Enabled" } }, on),
    res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "backups", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "<computed: key arn>" } }] }, [bucket, key]),
    res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "backups", { blockPublicAcls: true, blockPublicPolicy: overrides.publicAccess !== true, ignorePublicAcls: true, restrictPublicBuckets: true }, on),
    res("aws:s3/bucketPolicy:BucketPolicy", "backups", { policy: JSON.stringify(overrides.plainHttp ? { Version: "2012-10-17", Statement: [] } : tlsOnlyBucketPolicy("arn:aws:s3:::b")) }, on),
  ];
  if (overrides.objectLock !== false) resources.push(res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "backups", { rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } }, on));
  if (overrides.sharedKeyWith) {
    const other = res("aws:s3/bucket:Bucket", "replica", { tags: { "phoenix:purpose": "velero-backups-replica" }, objectLockEnabled: true }, [], true);
    resources.push(other, res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "replica", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }] }, [other, key]));
  }
  return resources;
}

describe("backup-buckets-hardened (stack)", () => {
  it("passes a bucket with its own key, versioning, a public access block, a TLS-only policy, Object Lock and protect", () => {
    assert.deepEqual(stackViolations(backupBucketsHardened, backupStack()), []);
  });
  it("passes a lock enabled by the lock configuration alone (S3 locks an existing versioned bucket in place)", () => {
    const stack = backupStack().map((r) => (r.type === "aws:s3/bucket:Bucket" ? { ...r, props: { tags: r.props.tags as unknown } } : r));
    const lock = stack.find((r) => r.type.includes("ObjectLock"));
    if (lock) lock.props = { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 35 } } };
    assert.deepEqual(stackViolations(backupBucketsHardened, stack), []);
    // A lock configuration without a default retention locks nothing Velero writes.
    if (lock) lock.props = { objectLockEnabled: "Enabled" };
    assert.match((stackViolations(backupBucketsHardened, stack) as string[]).join("\n"), /is not locked: .*default retention/);
  });

  it("fails each missing guard, naming it", () => {
    const one = (o: Parameters<typeof backupStack>[0]): string => {
      const v = stackViolations(backupBucketsHardened, backupStack(o));
      assert.ok(Array.isArray(v) && v.length >= 1, JSON.stringify(o));
      return v.join("\n");
    };
    assert.match(one({ objectLock: false }), /is not locked/);
    assert.match(one({ protect: false }), /is not protected/);
    assert.match(one({ versioning: "Suspended" }), /is not versioned/);
    assert.match(one({ publicAccess: true }), /may become public/);
    assert.match(one({ plainHttp: true }), /accepts plain HTTP/);
    assert.match(one({ sharedKeyWith: true }), /shares its KMS key backups with another backup bucket/);
  });
  it("is not applicable where there is no backup bucket (the platform stack; an access-log bucket is none)", () => {
    assert.equal(stackViolations(backupBucketsHardened, [res("aws:s3/bucket:Bucket", "logs", { tags: { "phoenix:purpose": "velero-backups-access-logs" } })]), "not applicable");
  });
});

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
    assert.match(resourceViolations(eksSecretsEncrypted, "eks:index:Cluster", eks({ encryptionConfigKeyArn: undefined }))[0], /not envelope-encrypted/);
    assert.deepEqual(resourceViolations(eksSecretsEncrypted, "aws:eks/cluster:Cluster", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn" } } }), []);
    assert.equal(resourceViolations(eksSecretsEncrypted, "aws:eks/cluster:Cluster", {}).length, 1);
  });
  it("eks-control-plane-logs (advisory): passes all five types, names the missing ones", () => {
    assert.deepEqual(resourceViolations(eksControlPlaneLogs, "eks:index:Cluster", eks()), []);
    assert.deepEqual(resourceViolations(eksControlPlaneLogs, "eks:index:Cluster", eks({ enabledClusterLogTypes: ["api", "audit"] })), ["control-plane log types off: authenticator, controllerManager, scheduler (phoenix:cluster.logTypes)"]);
  });
  it("eks-endpoint-not-world-open: passes named CIDRs or a private endpoint, fails 0.0.0.0/0 or a public endpoint without CIDRs", () => {
    assert.deepEqual(resourceViolations(eksEndpointNotWorldOpen, "eks:index:Cluster", eks()), []);
    assert.deepEqual(resourceViolations(eksEndpointNotWorldOpen, "eks:index:Cluster", eks({ endpointPublicAccess: false, publicAccessCidrs: undefined })), []);
    assert.equal(resourceViolations(eksEndpointNotWorldOpen, "eks:index:Cluster", eks({ publicAccessCidrs: ["0.0.0.0/0"] })).length, 1);
    assert.equal(resourceViolations(eksEndpointNotWorldOpen, "aws:eks/cluster:Cluster", { vpcConfig: {} }).length, 1, "EKS defaults to a public endpoint open to all");
  });
});

describe("node-groups-imdsv2-encrypted", () => {
  const template = (extra: Record<string, unknown> = {}) => ({
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }],
    ...extra,
  });
  it("passes a node group on a launch template with IMDSv2 only, hop limit 1 and encrypted volumes", () => {
    assert.deepEqual(resourceViolations(nodeGroupsHardened, "aws:eks/nodeGroup:NodeGroup", { launchTemplate: { id: "<computed: lt id>", version: "1" } }), []);
    assert.deepEqual(resourceViolations(nodeGroupsHardened, "aws:ec2/launchTemplate:LaunchTemplate", template()), []);
  });
  it("fails a node group without a launch template, and each weak template setting", () => {
    assert.match(resourceViolations(nodeGroupsHardened, "aws:eks/nodeGroup:NodeGroup", { diskSize: 50 })[0], /has no launch template/);
    assert.deepEqual(resourceViolations(nodeGroupsHardened, "aws:ec2/launchTemplate:LaunchTemplate", template({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } })).length, 2);
    assert.match(resourceViolations(nodeGroupsHardened, "aws:ec2/launchTemplate:LaunchTemplate", template({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] }))[0], /unencrypted EBS volume/);
    assert.match(resourceViolations(nodeGroupsHardened, "aws:ec2/launchTemplate:LaunchTemplate", template({ blockDeviceMappings: [] }))[0], /AMI's defaults/);
  });
});

describe("namespaces-pod-security", () => {
  const ns = (labels: Record<string, string>) => ({ metadata: { name: "shop", labels } });
  const bootstrap = (labels: Record<string, string>) => ({
    chart: charts.argocdApps.chart,
    values: { applications: { shop: { syncPolicy: { syncOptions: ["CreateNamespace=true"], managedNamespaceMetadata: { labels } } } } },
  });
  it("passes namespaces, and namespaces Argo CD creates, that enforce a level", () => {
    assert.deepEqual(resourceViolations(namespacesPodSecurity, "kubernetes:core/v1:Namespace", ns(podSecurityLabels("restricted", kubernetesVersion))), []);
    assert.deepEqual(resourceViolations(namespacesPodSecurity, "kubernetes:helm.sh/v3:Release", bootstrap(podSecurityLabels("baseline", kubernetesVersion))), []);
  });
  it("fails a namespace without a level or with an unknown one, and an Application's namespace without one", () => {
    assert.match(resourceViolations(namespacesPodSecurity, "kubernetes:core/v1:Namespace", ns({}))[0], /namespace shop carries no pod-security\.kubernetes\.io\/enforce label/);
    assert.match(resourceViolations(namespacesPodSecurity, "kubernetes:core/v1:Namespace", ns({ "pod-security.kubernetes.io/enforce": "strict" }))[0], /not one of restricted, baseline, privileged/);
    assert.match(resourceViolations(namespacesPodSecurity, "kubernetes:helm.sh/v3:Release", bootstrap({ owner: "x" }))[0], /Application shop creates/);
  });
});

describe("helm-releases-pinned", () => {
  const release = (extra: Record<string, unknown>) => ({ chart: charts.velero.chart, version: charts.velero.version, repositoryOpts: { repo: charts.velero.repository }, ...extra });
  it("passes a release of the catalog's chart, version and repository", () => {
    assert.deepEqual(resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({})), []);
  });
  it("fails another version, a missing one, another repository and a chart the catalog does not pin", () => {
    assert.match(resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({ version: "12.0.0" }))[0], /the catalog pins 12\.1\.0/);
    assert.match(resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({ version: undefined }))[0], /\(latest\)/);
    assert.match(resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({ repositoryOpts: { repo: "https://charts.example.com" } }))[0], /the catalog pins https:\/\/vmware-tanzu/);
    assert.match(resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", { chart: "ingress-nginx", version: "4.0.0" })[0], /does not pin/);
  });
});

describe("velero-schedules-imperative-only (stack)", () => {
  const namespace = (name: string, cls: string) => res("kubernetes:core/v1:Namespace", name, { metadata: { name, labels: { "phoenix.platform/namespace-class": cls } } });
  const velero = (included: unknown[]) =>
    res("kubernetes:helm.sh/v3:Release", "velero", { chart: charts.velero.chart, values: { schedules: { daily: { template: { includedNamespaces: included } } } } });
  const stack = (included: unknown[]) => [namespace("ledger", "imperative"), namespace("shop", "gitops"), namespace("velero", "platform"), velero(included)];
  it("passes schedules that name imperative namespaces only", () => {
    assert.deepEqual(stackViolations(veleroSchedulesImperativeOnly, stack(["ledger"])), []);
  });
  it("fails a GitOps or platform namespace, a pattern, and an empty list (which Velero reads as every namespace)", () => {
    assert.deepEqual(stackViolations(veleroSchedulesImperativeOnly, stack(["ledger", "shop"])), ["schedule daily includes shop, which is not an imperative namespace of this stack"]);
    assert.match((stackViolations(veleroSchedulesImperativeOnly, stack(["*"])) as string[])[0], /never a pattern/);
    assert.match((stackViolations(veleroSchedulesImperativeOnly, stack([])) as string[])[0], /names no namespace/);
  });
  it("is not applicable without Velero (the storage stack)", () => {
    assert.equal(stackViolations(veleroSchedulesImperativeOnly, [namespace("ledger", "imperative")]), "not applicable");
  });
});

describe("iam-no-wildcards", () => {
  const rolePolicy = (doc: unknown) => ({ policy: JSON.stringify(doc) });
  it("passes Velero's scoped policy, and describes that AWS cannot scope", () => {
    const velero = veleroPolicy({ bucketArn: "arn:aws:s3:::b", keyArn: "arn:aws:kms:eu-west-1:111122223333:key/k", ebsSnapshots: true });
    assert.deepEqual(resourceViolations(iamNoWildcards, "aws:iam/rolePolicy:RolePolicy", rolePolicy(velero)), []);
    assert.deepEqual(resourceViolations(iamNoWildcards, "aws:iam/rolePolicy:RolePolicy", rolePolicy({ Statement: [{ Effect: "Allow", Action: ["ec2:DescribeVolumes", "route53:ListHostedZones"], Resource: "*" }] })), []);
  });
  it("fails a wildcard action on a sensitive service, every action, NotAction, and a wildcard resource where IAM can scope", () => {
    const fails = (statement: Record<string, unknown>, type = "aws:iam/rolePolicy:RolePolicy"): string[] =>
      resourceViolations(iamNoWildcards, type, type === "aws:iam/role:Role" ? { inlinePolicies: [rolePolicy({ Statement: [statement] })] } : rolePolicy({ Statement: [statement] }));
    assert.match(fails({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" })[0], /wildcard on the sensitive service s3/);
    assert.match(fails({ Effect: "Allow", Action: "kms:Get*", Resource: "arn:aws:kms:x:1:key/k" })[0], /kms:Get\*/);
    assert.match(fails({ Effect: "Allow", Action: "*", Resource: "*" })[0], /every action/);
    assert.match(fails({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })[0], /NotAction/);
    assert.match(fails({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })[0], /s3:GetObject on every resource/);
    assert.match(fails({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }, "aws:iam/role:Role")[0], /iam:PassRole on every resource/);
    assert.deepEqual(fails({ Effect: "Deny", Action: "*", Resource: "*" }), [], "a Deny is never too wide");
    // IAM reads action names case-insensitively, and so does the rule.
    assert.match(fails({ Effect: "Allow", Action: "S3:*", Resource: "arn:aws:s3:::b/*" })[0], /wildcard on the sensitive service s3/);
    assert.match(fails({ Effect: "Allow", Action: "IAM:PassRole", Resource: "*" })[0], /on every resource/);
    assert.deepEqual(fails({ Effect: "Allow", Action: "S3:ListAllMyBuckets", Resource: "*" }), [], "an action IAM cannot scope, in any case");
  });
});

describe("pod-identity-trust-conditioned", () => {
  const C1 = { arn: "arn:aws:eks:eu-west-1:111122223333:cluster/c1", accountId: "111122223333" };
  const role = (doc: unknown) => ({ assumeRolePolicy: JSON.stringify(doc) });
  it("passes Phoenix's Pod Identity trust (cluster, namespace, service account) and its IRSA trust (sub, aud)", () => {
    assert.deepEqual(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(podIdentityTrustPolicy(C1, "velero", "velero-server"))), []);
    assert.deepEqual(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(irsaTrustPolicy("arn:aws:iam::1:oidc-provider/x", "https://oidc.x/id/1", "velero", "velero-server"))), []);
    assert.deepEqual(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] })), [], "not a workload role");
  });
  it("fails a Pod Identity trust open to any association, one without sts:TagSession, and an IRSA trust without sub", () => {
    const open = { Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] };
    assert.match(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(open))[0], /aws:RequestTag\/eks-cluster-arn, aws:RequestTag\/kubernetes-namespace, aws:RequestTag\/kubernetes-service-account, aws:SourceAccount/);
    // The name alone matches a same-named cluster in another region or account.
    const byName = { Statement: [{ ...open.Statement[0], Condition: { StringEquals: { "aws:RequestTag/eks-cluster-name": "c1", "aws:RequestTag/kubernetes-namespace": "ns", "aws:RequestTag/kubernetes-service-account": "sa" } } }] };
    assert.match(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(byName))[0], /add StringEquals conditions on aws:RequestTag\/eks-cluster-arn, aws:SourceAccount$/);
    const untagged = podIdentityTrustPolicy(C1, "ns", "sa");
    const noTag = { ...untagged, Statement: [{ ...untagged.Statement[0], Action: "sts:AssumeRole" }] };
    assert.match(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(noTag))[0], /lacks sts:TagSession/);
    const irsa = { Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::1:oidc-provider/x" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "oidc.x:aud": "sts.amazonaws.com" } } }] };
    assert.match(resourceViolations(podIdentityTrustConditioned, "aws:iam/role:Role", role(irsa))[0], /any service account of the OIDC issuer/);
  });
});
