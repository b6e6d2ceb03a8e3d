/**
 * Each core plugin's values and IAM policy, as plain functions: what the chart gets,
 * and exactly which actions each role may take on which resources.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, type PolicyDocument } from "../../../components/identity";
import { argocdSecretData, argocdSettingsSchema, argocdValues, RESOURCE_EXCLUSIONS } from "../../../components/plugins/argocd";
import { certManagerPolicy, certManagerValues, clusterIssuerSpec } from "../../../components/plugins/certManager";
import { externalDnsPolicy, externalDnsSettingsSchema, externalDnsValues, txtOwnerId } from "../../../components/plugins/externalDns";
import { loadBalancerControllerPolicy, loadBalancerControllerSettingsSchema, loadBalancerControllerValues } from "../../../components/plugins/loadBalancerController";
import { metricsServerSettingsSchema, metricsServerValues } from "../../../components/plugins/metricsServer";
import { at, grants, TEST_BCRYPT } from "../../helpers";

const zones = [
  { id: "Z111", domain: "example.com" },
  { id: "Z222", domain: "example.org" },
];
const zoneArns = ["arn:aws:route53:::hostedzone/Z111", "arn:aws:route53:::hostedzone/Z222"];

/** Every resource a policy names, flattened. */
function resources(doc: PolicyDocument): string[] {
  return doc.Statement.flatMap((s) => [s.Resource ?? []].flat());
}

describe("load balancer controller", () => {
  const scope = { partition: "aws-cn", region: "cn-north-1", accountId: "111122223333", vpcId: "vpc-0abc", clusterName: "blue" };
  const policy = loadBalancerControllerPolicy(scope);
  const g = grants(policy);

  it("scopes every ARN to this partition, region and account; only read calls stay on *", () => {
    for (const r of resources(policy).filter((r) => r !== "*")) {
      assert.match(r, /^arn:aws-cn:(ec2|elasticloadbalancing|wafv2):cn-north-1:111122223333:|^arn:aws-cn:iam::111122223333:role\/aws-service-role\//, r);
    }
    const onStar = Object.entries(g).filter(([, rs]) => rs.includes("*")).map(([a]) => a);
    for (const a of onStar) assert.match(a, /:(Describe|Get|List)/, `${a} is a read call`);
  });

  it("may only create load balancers, target groups and security groups tagged for this cluster, and only change its own", () => {
    const byAction = (action: string) => policy.Statement.filter((s) => [s.Action].flat().includes(action));
    const create = byAction("elasticloadbalancing:CreateLoadBalancer");
    assert.deepEqual(create.map((s) => s.Condition), [{ StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "blue" } }]);
    for (const a of ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup", "ec2:DeleteSecurityGroup"]) {
      assert.deepEqual(at(byAction(a)[0], "Condition", "StringEquals"), { "aws:ResourceTag/elbv2.k8s.aws/cluster": "blue" }, a);
    }
    // Rules on node security groups, which carry no controller tag: only inside this VPC.
    assert.deepEqual(byAction("ec2:AuthorizeSecurityGroupIngress")[0].Condition, { ArnEquals: { "ec2:Vpc": "arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0abc" } });
    assert.deepEqual(g["ec2:CreateSecurityGroup"], ["arn:aws-cn:ec2:cn-north-1:111122223333:security-group/*", "arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0abc"]);
    // The ownership tag can never be removed or rewritten after creation, on load
    // balancers, target groups or security groups.
    const retag = [...byAction("elasticloadbalancing:RemoveTags"), ...byAction("ec2:DeleteTags")].filter((x) => x.Condition);
    assert.equal(retag.length, 2);
    for (const s of retag) assert.deepEqual(at(s, "Condition", "Null"), { "aws:RequestTag/elbv2.k8s.aws/cluster": "true" });
    // A new security group must be tagged for this cluster; the VPC side is this VPC only.
    assert.deepEqual(
      byAction("ec2:CreateSecurityGroup").map((s) => [s.Resource, s.Condition]),
      [
        ["arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0abc", undefined],
        ["arn:aws-cn:ec2:cn-north-1:111122223333:security-group/*", { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "blue" } }],
      ],
    );
    // Listeners only on this cluster's load balancers.
    assert.deepEqual(byAction("elasticloadbalancing:CreateListener").map((s) => s.Condition), [{ StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "blue" } }]);
  });

  it("never lets an unconditioned statement touch a load balancer, target group or security group (IAM adds Allows up)", () => {
    const owned = /:(loadbalancer|targetgroup)\/|:security-group\//;
    for (const st of policy.Statement.filter((x) => !x.Condition)) {
      // WAF association also needs elasticloadbalancing:SetWebAcl on the load balancer,
      // which is conditioned.
      const writes = [st.Action].flat().filter((a) => !/:(Describe|Get|List)/.test(a) && !a.startsWith("wafv2:"));
      const ownedResources = [st.Resource ?? []].flat().filter((r) => owned.test(r));
      assert.ok(writes.length === 0 || ownedResources.length === 0, `${st.Sid}: ${writes.join(", ")} on ${ownedResources.join(", ")}`);
    }
  });

  it("grants no Shield or WAF classic, and creates the ELB service-linked role only", () => {
    assert.ok(!Object.keys(g).some((a) => a.startsWith("shield:") || a.startsWith("waf-regional:") || a.startsWith("waf:")));
    assert.deepEqual(g["iam:CreateServiceLinkedRole"], ["arn:aws-cn:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/*"]);
    const values = loadBalancerControllerValues(loadBalancerControllerSettingsSchema.parse({}), { clusterName: "blue", region: "cn-north-1", vpcId: "vpc-0abc", serviceAccountAnnotations: {}, tags: { team: "p" } });
    assert.deepEqual([at(values, "enableShield"), at(values, "enableWaf"), at(values, "enableWafv2")], [false, false, true]);
  });

  it("sets cluster, region and VPC explicitly, two replicas with a PDB, Gateway API on, and tags what it creates", () => {
    const values = loadBalancerControllerValues(loadBalancerControllerSettingsSchema.parse({}), { clusterName: "blue", region: "cn-north-1", vpcId: "vpc-0abc", serviceAccountAnnotations: {}, tags: { team: "p" } });
    assert.deepEqual([at(values, "clusterName"), at(values, "region"), at(values, "vpcId")], ["blue", "cn-north-1", "vpc-0abc"]);
    assert.deepEqual([at(values, "replicaCount"), at(values, "podDisruptionBudget")], [2, { maxUnavailable: 1 }]);
    assert.deepEqual(at(values, "controllerConfig", "featureGates"), { NLBGatewayAPI: true, ALBGatewayAPI: true });
    assert.deepEqual(at(values, "defaultTags"), { team: "p" });
    const off = loadBalancerControllerValues(loadBalancerControllerSettingsSchema.parse({ gatewayApi: false, replicas: 1 }), { clusterName: "b", region: "r", vpcId: "v", serviceAccountAnnotations: {}, tags: {} });
    assert.deepEqual([at(off, "controllerConfig", "featureGates", "ALBGatewayAPI"), at(off, "podDisruptionBudget")], [false, {}]);
  });
});

describe("external-dns", () => {
  const settings = externalDnsSettingsSchema.parse({ enabled: true, hostedZones: zones });

  it("may change and read records in exactly the configured zones; only ListHostedZones is on *", () => {
    assert.deepEqual(grants(externalDnsPolicy("aws", zones)), {
      "route53:ChangeResourceRecordSets": zoneArns,
      "route53:ListResourceRecordSets": zoneArns,
      "route53:ListTagsForResources": zoneArns,
      "route53:ListHostedZones": ["*"],
    });
  });

  it("filters on the zones' domains and ids, never deletes by default, and owns records per cluster and region", async () => {
    const values = externalDnsValues(settings, { clusterName: "blue", region: "eu-west-1", serviceAccountAnnotations: {} });
    assert.deepEqual(at(values, "domainFilters"), ["example.com", "example.org"]);
    assert.deepEqual(at(values, "extraArgs"), ["--zone-id-filter=Z111", "--zone-id-filter=Z222"]);
    assert.equal(at(values, "policy"), "upsert-only");
    assert.deepEqual(at(values, "provider"), { name: "aws" });
    const owner = at(values, "txtOwnerId") as pulumi.Output<string>;
    assert.equal(await new Promise((r) => owner.apply(r)), "blue.eu-west-1");
  });

  it("gives two regions of one cluster name, and two clusters in one region, different owner ids", () => {
    const ids = new Set([txtOwnerId("blue", "eu-west-1"), txtOwnerId("blue", "eu-central-1"), txtOwnerId("green", "eu-west-1")]);
    assert.equal(ids.size, 3);
  });
});

describe("cert-manager", () => {
  it("installs its CRDs with the chart and keeps them on uninstall, highly available, leases in its own namespace", () => {
    const values = certManagerValues({});
    assert.deepEqual(at(values, "crds"), { enabled: true, keep: true });
    assert.equal(at(values, "global", "leaderElection", "namespace"), "cert-manager");
    for (const part of [[], ["webhook"], ["cainjector"]]) {
      assert.equal(at(values, ...part, "replicaCount"), 2, `${part.join(".") || "controller"} replicas`);
      assert.deepEqual(at(values, ...part, "podDisruptionBudget"), { enabled: true });
    }
  });

  it("may write only _acme-challenge TXT records in the configured zones, and read its own changes", () => {
    const policy = certManagerPolicy("aws", zones);
    assert.deepEqual(grants(policy), {
      "route53:GetChange": ["arn:aws:route53:::change/*"],
      "route53:ChangeResourceRecordSets": zoneArns,
      "route53:ListResourceRecordSets": zoneArns,
    });
    const change = policy.Statement.find((s) => s.Action === "route53:ChangeResourceRecordSets");
    assert.deepEqual(change?.Condition, {
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
  });

  it("issues through one DNS-01 solver per zone, named by id, with ambient credentials", () => {
    const spec = clusterIssuerSpec({ email: "ops@example.com", hostedZones: zones, acmeServer: "staging" }, "eu-west-1");
    assert.match(String(at(spec, "acme", "server")), /acme-staging-v02/);
    assert.deepEqual(at(spec, "acme", "solvers"), [
      { selector: { dnsZones: ["example.com"] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: "Z111" } } },
      { selector: { dnsZones: ["example.org"] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: "Z222" } } },
    ]);
  });
});

describe("metrics-server", () => {
  it("runs two replicas behind a PDB by default, one without", () => {
    assert.deepEqual(metricsServerValues(metricsServerSettingsSchema.parse({})), { replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
    assert.deepEqual(metricsServerValues(metricsServerSettingsSchema.parse({ replicas: 1 })), { replicas: 1, podDisruptionBudget: { enabled: false } });
  });
});

describe("Argo CD production values", () => {
  const withAdmin = argocdSettingsSchema.parse({ admin: { passwordBcrypt: TEST_BCRYPT } });
  const ssoOnly = argocdSettingsSchema.parse({
    url: "https://argocd.example.com",
    admin: { enabled: false },
    sso: { issuer: "https://sso.example.com", clientId: "argocd", clientSecret: "s3cret", adminGroups: ["platform"], readonlyGroups: ["devs"] },
    ha: true,
  });

  it("keeps the admin hash and the OIDC client secret out of the Helm values, in argocd-secret's data", () => {
    for (const settings of [withAdmin, ssoOnly]) {
      const text = JSON.stringify(argocdValues(settings));
      assert.ok(!text.includes(TEST_BCRYPT) && !text.includes("s3cret"), "no secret in the values");
      assert.deepEqual(at(argocdValues(settings), "configs", "secret"), { createSecret: false });
    }
    assert.deepEqual(argocdSecretData(withAdmin), { "admin.password": TEST_BCRYPT });
    assert.deepEqual(argocdSecretData(ssoOnly), { "oidc.clientSecret": "s3cret" });
    assert.doesNotMatch(JSON.stringify(at(argocdValues(ssoOnly), "configs", "cm")), /s3cret/, "argocd-cm only references the secret");
  });

  it("disables the admin user with SSO, binds groups to roles, and grants nothing by default", () => {
    const v = argocdValues(ssoOnly);
    assert.equal(at(v, "configs", "cm", "admin.enabled"), false);
    assert.equal(at(v, "configs", "cm", "url"), "https://argocd.example.com");
    const oidc = JSON.parse(String(at(v, "configs", "cm", "oidc.config"))) as Record<string, unknown>;
    assert.deepEqual([oidc.issuer, oidc.clientID, oidc.clientSecret], ["https://sso.example.com", "argocd", "$oidc.clientSecret"]);
    assert.equal(at(v, "configs", "rbac", "policy.default"), "");
    assert.equal(at(v, "configs", "rbac", "policy.csv"), "g, platform, role:admin\ng, devs, role:readonly");
    const pkce = argocdValues(argocdSettingsSchema.parse({ ...ssoOnly, sso: { ...ssoOnly.sso, clientSecret: undefined } }));
    assert.equal((JSON.parse(String(at(pkce, "configs", "cm", "oidc.config"))) as Record<string, unknown>).enablePKCEAuthentication, true);
  });

  it("has no insecure defaults: TLS at the server, no anonymous users, no exec, no Dex", () => {
    const v = argocdValues(withAdmin);
    assert.equal(at(v, "configs", "params", "server.insecure"), false);
    assert.equal(at(v, "configs", "cm", "users.anonymous.enabled"), false);
    assert.equal(at(v, "configs", "cm", "exec.enabled"), false);
    assert.equal(at(v, "dex", "enabled"), false);
    assert.equal(at(v, "configs", "cm", "application.resourceTrackingMethod"), "annotation");
  });

  it("keeps VolumeSnapshots and Velero's objects out of Argo CD's reach, and the high-churn kinds too", () => {
    const exclusions = JSON.parse(String(at(argocdValues(withAdmin), "configs", "cm", "resource.exclusions"))) as typeof RESOURCE_EXCLUSIONS;
    const excluded = (group: string, kind: string) => exclusions.some((e) => (e.apiGroups as readonly string[]).includes(group) && (e.kinds as readonly string[]).includes(kind));
    for (const [group, kind] of [
      ["snapshot.storage.k8s.io", "VolumeSnapshot"],
      ["snapshot.storage.k8s.io", "VolumeSnapshotContent"],
      ["velero.io", "Backup"],
      ["velero.io", "Restore"],
      ["", "Endpoints"],
      ["coordination.k8s.io", "Lease"],
    ]) {
      assert.ok(excluded(group, kind), `${group}/${kind} is excluded`);
    }
  });

  it("turns on Redis HA and two replicas with PDBs in HA mode only", () => {
    const ha = argocdValues(ssoOnly);
    assert.deepEqual([at(ha, "redis-ha", "enabled"), at(ha, "redis", "enabled"), at(ha, "server", "replicas"), at(ha, "repoServer", "pdb", "enabled")], [true, false, 2, true]);
    const single = argocdValues(withAdmin);
    assert.deepEqual([at(single, "redis-ha", "enabled"), at(single, "redis", "enabled"), at(single, "server", "replicas")], [false, true, 1]);
  });
});

describe("IRSA trust", () => {
  it("trusts one service account of one issuer, for STS only", () => {
    const doc = irsaTrustPolicy("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC", "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", "velero", "velero-server");
    assert.deepEqual(doc.Statement[0].Condition, {
      StringEquals: {
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:velero:velero-server",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
      },
    });
    assert.equal(doc.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
  });
});
