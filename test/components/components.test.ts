/**
 * Each layer on its own under the offline mock runtime: what it declares, how it is
 * ordered, and that layers 2 and 3 work against whatever provider they are given.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addons, crdManifests, kubernetesVersion } from "../../components/catalog";
import { IRSA_ROLE_ANNOTATION, type PolicyDocument, type WorkloadIdentityProvider } from "../../components/identity";
import { Cluster, type ClusterArgs } from "../../components/cluster";
import { Plugins, type PluginId } from "../../components/plugins";
import { plugins as registeredPlugins } from "../../components/plugins/registry";
import type { VeleroInputs } from "../../components/plugins/velero";
import type { BackupScope } from "../../components/types";
import { COMPUTED, evaluateOffline, resolve, SECRET, type RecordedResource } from "../../cli/plan/runtime";
import { parsePluginSettings } from "../../stacks/platform/config";
import { at, ofType, one, TEST_BCRYPT } from "../helpers";

const config = { "aws:region": "ap-southeast-2" };
const run = <T>(program: () => T) => evaluateOffline({ project: "phoenix", stack: "unit", config }, program);

const clusterArgs: ClusterArgs = {
  clusterName: "c1",
  vpcCidr: "10.9.0.0/16",
  natGateways: "perAz",
  endpoint: { privateAccess: true, publicAccess: false, publicAccessCidrs: [] },
  deletionProtection: true,
  logRetentionDays: 365,
  logTypes: ["api", "audit"],
  compute: {
    mode: "managedNodeGroups",
    nodeGroups: [
      {
        name: "system",
        instanceTypes: ["m7i.large"],
        capacityType: "ON_DEMAND",
        amiType: "AL2023_x86_64_STANDARD",
        minSize: 3,
        desiredSize: 3,
        maxSize: 6,
        diskSizeGiB: 50,
        labels: {},
      },
      {
        name: "batch",
        instanceTypes: ["c7i.xlarge"],
        capacityType: "SPOT",
        amiType: "AL2023_x86_64_STANDARD",
        minSize: 0,
        desiredSize: 0,
        maxSize: 10,
        diskSizeGiB: 100,
        labels: { pool: "batch" },
      },
    ],
  },
  accessEntries: [{ principalArn: "arn:aws:iam::111122223333:role/admins", policy: "cluster-admin" }],
  tags: { team: "platform" },
};

const urnOf = (rs: readonly RecordedResource[], type: string, name: string): string => one(rs, type, name).urn;

describe("cluster layer", () => {
  it("builds the VPC over three looked-up AZs with tagged public and private subnets", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    assert.equal(at(one(resources, "aws:ec2/vpc:Vpc", "c1-vpc").inputs, "cidrBlock"), "10.9.0.0/16");
    const subnets = ofType(resources, "aws:ec2/subnet:Subnet");
    assert.equal(subnets.length, 6);
    for (const s of subnets) {
      const az = String(at(s.inputs, "availabilityZone"));
      assert.ok(
        az.startsWith(COMPUTED) && az.includes("ap-southeast-2"),
        `AZ comes from the lookup, not from code: ${az}`,
      );
      const tags = at(s.inputs, "tags") as Record<string, string>;
      assert.equal(
        tags[s.name.includes("public") ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"],
        "1",
        s.name,
      );
      assert.equal(tags.team, "platform");
    }
    const azs = new Set(subnets.filter((s) => s.name.includes("private")).map((s) => at(s.inputs, "availabilityZone")));
    assert.equal(azs.size, 3, "one private subnet per AZ");
    assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 3, "a NAT gateway per AZ by default");
  });

  it("routes every private subnet through one NAT gateway in single-NAT mode", async () => {
    const { resources } = await run(() => new Cluster("c1", { ...clusterArgs, natGateways: "single" }));
    const nats = ofType(resources, "aws:ec2/natGateway:NatGateway");
    assert.equal(nats.length, 1);
    const privateTables = ofType(resources, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
    assert.equal(privateTables.length, 3);
    for (const rt of privateTables)
      assert.equal(
        at(rt.inputs, "routes", 0, "natGatewayId"),
        `${COMPUTED} aws:ec2/natGateway:NatGateway c1-nat-0.id>`,
      );
  });

  it("opens the cluster security group on 443 to a self-hosted runner's ranges, and to nothing without them", async () => {
    const withRunner = await run(
      () =>
        new Cluster("c1", {
          ...clusterArgs,
          endpoint: { ...clusterArgs.endpoint, privateClientCidrs: ["10.100.0.0/24"] },
        }),
    );
    const rules = ofType(withRunner.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    assert.deepEqual(
      rules.map((r) => [r.name, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort, r.inputs.securityGroupId]),
      [["c1-api-client-0", "10.100.0.0/24", 443, 443, `${COMPUTED} eks:index:Cluster c1-eks.clusterSecurityGroupId>`]],
    );
    const without = await run(() => new Cluster("c1", clusterArgs));
    assert.deepEqual(ofType(without.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), []);
  });

  it("declares the EKS control plane with API access entries, KMS secrets encryption, logs and a pinned version", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    const eks = one(resources, "eks:index:Cluster", "c1-eks").inputs;
    assert.equal(eks.name, "c1");
    assert.equal(eks.version, kubernetesVersion);
    assert.equal(eks.authenticationMode, "API");
    assert.equal(eks.encryptionConfigKeyArn, `${COMPUTED} aws:kms/key:Key c1-secrets.arn>`);
    assert.equal(at(one(resources, "aws:kms/key:Key", "c1-secrets").inputs, "enableKeyRotation"), true);
    assert.deepEqual(eks.enabledClusterLogTypes, ["api", "audit"]);
    assert.deepEqual(
      [eks.endpointPrivateAccess, eks.endpointPublicAccess, eks.publicAccessCidrs],
      [true, false, undefined],
    );
    assert.equal(eks.deletionProtection, true);
    const [entry] = Object.values(eks.accessEntries as Record<string, unknown>);
    assert.equal(at(entry, "principalArn"), "arn:aws:iam::111122223333:role/admins");
    assert.equal(
      at(entry, "accessPolicies", "cluster-admin", "policyArn"),
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    );
    assert.deepEqual(
      [eks.skipDefaultNodeGroup, eks.bootstrapSelfManagedAddons],
      [true, false],
      "compute and add-ons are Phoenix's, visible in the plan",
    );
    assert.equal(eks.skipDefaultSecurityGroups, true);
  });

  it("pins the five managed add-ons to the catalog and orders them around the node groups", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    const found = ofType(resources, "aws:eks/addon:Addon");
    assert.deepEqual(
      found.map((a) => `${String(a.inputs.addonName)}@${String(a.inputs.addonVersion)}`).sort(),
      Object.values(addons)
        .filter((p) => p !== addons.snapshotController)
        .map((p) => `${p.name}@${p.version}`)
        .sort(),
      "the snapshot controller only when volumeSnapshots asks for it",
    );
    const addonUrn = (n: string): string => urnOf(resources, "aws:eks/addon:Addon", `c1-${n}`);
    for (const ng of ["c1-system", "c1-batch"]) {
      const deps = one(resources, "aws:eks/nodeGroup:NodeGroup", ng).dependencies;
      for (const before of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"])
        assert.ok(deps.includes(addonUrn(before)), `${ng} waits for ${before}`);
      assert.ok(
        one(resources, "aws:eks/addon:Addon", "c1-coredns").dependencies.includes(
          urnOf(resources, "aws:eks/nodeGroup:NodeGroup", ng),
        ),
        `coredns waits for ${ng}`,
      );
    }
    const ebs = one(resources, "aws:eks/addon:Addon", "c1-aws-ebs-csi-driver");
    const ebsAssoc = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "c1-ebs-csi");
    assert.deepEqual(
      [ebsAssoc.inputs.namespace, ebsAssoc.inputs.serviceAccount],
      ["kube-system", "ebs-csi-controller-sa"],
    );
    assert.ok(ebs.dependencies.includes(ebsAssoc.urn), "the EBS CSI add-on starts with its identity in place");
    assert.equal(
      one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "c1-ebs-csi").inputs.policyArn,
      "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2",
    );
    // The provider waits for the API server alone; what needs nodes waits for workloadsReady.
    const provider = one(resources, "pulumi:providers:kubernetes", "c1-k8s");
    for (const a of found)
      assert.ok(!provider.dependencies.includes(a.urn), `the provider does not wait for ${a.name}`);
    assert.ok(provider.dependencies.includes(urnOf(resources, "eks:index:Cluster", "c1-eks")));
  });

  it("adds the snapshot-controller add-on when volumeSnapshots asks, after the nodes, and says which driver snapshots", async () => {
    let cluster: Cluster | undefined;
    const { resources } = await run(() => {
      cluster = new Cluster("c1", { ...clusterArgs, volumeSnapshots: true });
    });
    const controller = one(resources, "aws:eks/addon:Addon", "c1-snapshot-controller");
    assert.equal(controller.inputs.addonVersion, addons.snapshotController.version);
    for (const ng of ["c1-system", "c1-batch"])
      assert.ok(
        controller.dependencies.includes(urnOf(resources, "aws:eks/nodeGroup:NodeGroup", ng)),
        `the controller is a Deployment: it waits for ${ng}`,
      );
    assert.equal(cluster?.volumeSnapshots?.driver, "ebs.csi.aws.com");
    assert.equal(cluster?.volumeSnapshots?.ready.length, 1);
  });

  it("offers workloadsReady: node groups and the add-ons nodes need, not the add-ons that need nodes", async () => {
    let cluster: Cluster | undefined;
    const { resources } = await run(() => (cluster = new Cluster("c1", clusterArgs)));
    const urns = await Promise.all(
      (cluster?.workloadsReady ?? []).map((r) => new Promise<string>((ok) => r.urn.apply(ok))),
    );
    const named = urns.map((u) => u.split("::").pop()).sort();
    assert.deepEqual(named, [
      "c1-batch",
      "c1-eks",
      "c1-eks-pod-identity-agent",
      "c1-kube-proxy",
      "c1-system",
      "c1-vpc-cni",
    ]);
    assert.ok(resources.length > 0);
  });

  it("declares node groups in the private subnets, sized by the stack file", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    const batch = one(resources, "aws:eks/nodeGroup:NodeGroup", "c1-batch");
    assert.equal(batch.inputs.capacityType, "SPOT");
    assert.deepEqual(batch.inputs.scalingConfig, { minSize: 0, desiredSize: 0, maxSize: 10 });
    assert.ok((batch.inputs.subnetIds as string[]).every((s) => s.includes("private")));
    assert.deepEqual(batch.options.ignoreChanges, [], "no autoscaler yet: the stack file owns desiredSize");
    const policies = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) =>
      String(r.inputs.policyArn),
    );
    assert.ok(policies.includes("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"));
    assert.ok(!policies.some((p) => p.endsWith("/AdministratorAccess")));
  });

  it("in Auto Mode declares no node groups and no add-ons: EKS runs them", async () => {
    const { resources } = await run(
      () => new Cluster("c1", { ...clusterArgs, compute: { mode: "autoMode", nodePools: ["system"] } }),
    );
    assert.equal(ofType(resources, "aws:eks/nodeGroup:NodeGroup").length, 0);
    assert.equal(ofType(resources, "aws:eks/addon:Addon").length, 0);
    const autoMode = at(one(resources, "eks:index:Cluster", "c1-eks").inputs, "autoMode");
    assert.equal(at(autoMode, "enabled"), true);
    assert.deepEqual(at(autoMode, "computeConfig", "nodePools"), ["system"]);
  });

  it("with IRSA creates the OIDC provider and trusts only the EBS CSI service account, with no Pod Identity association", async () => {
    const { resources, outputs } = await run(() => new Cluster("c1", { ...clusterArgs, identityMode: "irsa" }));
    assert.equal(one(resources, "eks:index:Cluster", "c1-eks").inputs.createOidcProvider, true);
    assert.equal(ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
    const trust = JSON.parse(String(one(resources, "aws:iam/role:Role", "c1-ebs-csi").inputs.assumeRolePolicy)) as {
      Statement: { Principal: unknown; Condition: { StringEquals: Record<string, string> } }[];
    };
    assert.deepEqual(trust.Statement[0].Principal, {
      Federated: `${COMPUTED} eks:index:Cluster c1-eks.oidcProviderArn>`,
    });
    assert.ok(
      Object.values(trust.Statement[0].Condition.StringEquals).includes(
        "system:serviceaccount:kube-system:ebs-csi-controller-sa",
      ),
    );
    assert.equal(
      one(resources, "aws:eks/addon:Addon", "c1-aws-ebs-csi-driver").inputs.serviceAccountRoleArn,
      `${COMPUTED} aws:iam/role:Role c1-ebs-csi.arn>`,
    );
    assert.equal(outputs.identity.mode, "irsa");
  });

  it("boots every node group from its own launch template: IMDSv2 only, hop limit 1, encrypted gp3 of the group's size", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    for (const [group, size] of [
      ["system", 50],
      ["batch", 100],
    ] as const) {
      const template = one(resources, "aws:ec2/launchTemplate:LaunchTemplate", `c1-${group}`);
      assert.deepEqual(template.inputs.metadataOptions, {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      assert.deepEqual(template.inputs.blockDeviceMappings, [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true", volumeSize: size },
        },
      ]);
      const ng = one(resources, "aws:eks/nodeGroup:NodeGroup", `c1-${group}`);
      assert.deepEqual(ng.inputs.launchTemplate, {
        id: `${COMPUTED} aws:ec2/launchTemplate:LaunchTemplate c1-${group}.id>`,
        version: `${COMPUTED} aws:ec2/launchTemplate:LaunchTemplate c1-${group}.latestVersion>`,
      });
      assert.equal(ng.inputs.diskSize, undefined, "EKS refuses diskSize beside a launch template");
    }
  });

  it("gives the VPC CNI its own identity with the CNI policy, takes that policy off the node role, and turns network policy enforcement on", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    const node = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith("c1-node-"))
      .map((a) => String(a.inputs.policyArn).split("/").pop());
    assert.deepEqual(node.sort(), [
      "AmazonEC2ContainerRegistryPullOnly",
      "AmazonEKSWorkerNodePolicy",
      "AmazonSSMManagedInstanceCore",
    ]);
    assert.equal(
      one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "c1-vpc-cni").inputs.policyArn,
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    );
    const assoc = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "c1-vpc-cni");
    assert.deepEqual([assoc.inputs.namespace, assoc.inputs.serviceAccount], ["kube-system", "aws-node"]);
    const cni = one(resources, "aws:eks/addon:Addon", "c1-vpc-cni");
    assert.ok(cni.dependencies.includes(assoc.urn), "the CNI starts with its identity in place");
    assert.deepEqual(JSON.parse(String(cni.inputs.configurationValues)), { enableNetworkPolicy: "true" });
    const irsa = await run(() => new Cluster("c1", { ...clusterArgs, identityMode: "irsa" }));
    assert.equal(
      one(irsa.resources, "aws:eks/addon:Addon", "c1-vpc-cni").inputs.serviceAccountRoleArn,
      `${COMPUTED} aws:iam/role:Role c1-vpc-cni.arn>`,
    );
  });

  it("names its own cluster role in the secrets key's policy, and creates the control-plane log group with its retention before the cluster", async () => {
    const { resources } = await run(() => new Cluster("c1", clusterArgs));
    const key = JSON.parse(String(one(resources, "aws:kms/key:Key", "c1-secrets").inputs.policy)) as PolicyDocument;
    const use = key.Statement.find((s) => s.Sid === "ClusterRoleUse");
    assert.deepEqual(use?.Principal, { AWS: `${COMPUTED} aws:iam/role:Role c1-cluster.arn>` });
    const eks = one(resources, "eks:index:Cluster", "c1-eks");
    assert.equal(eks.inputs.serviceRole, "<resource reference>");
    const logs = one(resources, "aws:cloudwatch/logGroup:LogGroup", "c1-control-plane");
    assert.deepEqual(
      [logs.inputs.name, logs.inputs.retentionInDays, logs.inputs.kmsKeyId],
      ["/aws/eks/c1/cluster", 365, `${COMPUTED} aws:kms/key:Key c1-logs.arn>`],
    );
    const logsKey = JSON.parse(String(one(resources, "aws:kms/key:Key", "c1-logs").inputs.policy)) as PolicyDocument;
    const logsUse = logsKey.Statement.find((s) => s.Sid === "CloudWatchLogsUse");
    assert.match(JSON.stringify(logsUse?.Principal), /"Service":"logs\.[a-z0-9-]+\.amazonaws\.com"/);
    assert.match(
      JSON.stringify(logsUse?.Condition),
      /"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:[a-z0-9-]+:.+:log-group:\/aws\/eks\/c1\/cluster"/,
      "this log group only",
    );
    assert.ok(
      !logsKey.Statement.some(
        (s) =>
          s.Sid === "KeyAdministration" && [s.Action].flat().some((a) => /Decrypt|Encrypt|GenerateDataKey/.test(a)),
      ),
      "administration apart from use",
    );
    assert.ok(eks.dependencies.includes(logs.urn));
    const sc = one(resources, "kubernetes:storage.k8s.io/v1:StorageClass", "c1-gp3-encrypted");
    assert.deepEqual(
      [at(sc.inputs, "metadata", "annotations"), sc.inputs.provisioner, sc.inputs.parameters],
      [
        { "storageclass.kubernetes.io/is-default-class": "true" },
        "ebs.csi.aws.com",
        { type: "gp3", encrypted: "true" },
      ],
    );
  });

  it("builds the Kubernetes provider from the cluster's kubeconfig and exports it as a secret", async () => {
    const { resources, outputs } = await run(() => new Cluster("c1", clusterArgs));
    assert.equal(
      one(resources, "pulumi:providers:kubernetes", "c1-k8s").inputs.kubeconfig,
      `${COMPUTED} eks:index:Cluster c1-eks.kubeconfigJson>`,
    );
    const { isSecret } = await import("@pulumi/pulumi");
    assert.equal(await isSecret(outputs.kubeconfig), true);
  });
});

const scope: BackupScope = {
  enabled: true,
  schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" }],
  includedNamespaces: ["ledger"],
  excludedNamespaces: ["argocd", "velero"],
};

/** This region's backup storage, as a storage stack exports it: in another region than the cluster, to tell the two apart. */
const storage = {
  bucket: "phoenix-backups-unit",
  region: "ap-southeast-4",
  kmsKeyArn: "arn:aws:kms:ap-southeast-4:111122223333:key/unit-primary",
};

/** The plugins layer alone, against a provider of some other cluster named `providerName`. */
const runPlugins = (
  providerName: string,
  settings: Record<string, unknown> = {},
  identity: WorkloadIdentityProvider = { mode: "podIdentity" },
  velero: Partial<VeleroInputs> = {},
) =>
  run(() => {
    const provider = new k8s.Provider(providerName, { kubeconfig: "{}" });
    return new Plugins("plugins", {
      provider,
      clusterName: "c1",
      region: "ap-southeast-2",
      vpcId: "vpc-1",
      identity,
      settings: parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } }, ...settings }),
      inputs: {
        velero: { backup: scope, storage, repositoryPassword: pulumi.secret("unit-test-password"), ...velero },
      },
    });
  });

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("core plugins layer", () => {
  it("installs every enabled plugin as a pinned helm.v3 release through whatever provider it is given", async () => {
    const { resources } = await runPlugins("some-other-cluster");
    const providerUrn = urnOf(resources, "pulumi:providers:kubernetes", "some-other-cluster");
    const k8sResources = resources.filter((r) => r.type.startsWith("kubernetes:"));
    for (const r of k8sResources)
      assert.equal(r.providerUrn, providerUrn, `${r.type} ${r.name} uses the given provider`);
    // Built from the registry: every plugin its defaults enable (external-dns is opt-in:
    // it needs hosted zones). No ingress-nginx, ever.
    const defaults = parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } } });
    const expected = registeredPlugins()
      .filter((p) => p.enabled(defaults[p.id as PluginId]))
      .map((p) => [p.id, p.chart, p.namespace] as const);
    assert.ok(expected.length >= 5 && !expected.some(([id]) => id === "externalDns"));
    assert.deepEqual(
      ofType(resources, RELEASE)
        .map((r) => r.name)
        .sort(),
      expected.map(([id]) => id).sort(),
    );
    for (const [id, pin, ns] of expected) {
      const rel = one(resources, RELEASE, id).inputs;
      assert.deepEqual(
        [rel.chart, rel.version, at(rel, "repositoryOpts", "repo"), rel.namespace],
        [pin.chart, pin.version, pin.repository, ns],
      );
      assert.equal(rel.createNamespace, false, "the namespace is Phoenix's, labelled platform");
      assert.equal(
        at(
          one(resources, "kubernetes:core/v1:Namespace", ns).inputs,
          "metadata",
          "labels",
          "phoenix.platform/namespace-class",
        ),
        "platform",
      );
    }
    // The Gateway API CRDs, pinned by URL, go through the same provider.
    assert.deepEqual(
      ofType(resources, "kubernetes:yaml/v2:ConfigFile").map((r) => r.inputs.file),
      [crdManifests.gatewayApiStandard, crdManifests.lbcGateway],
    );
    assert.deepEqual(
      at(
        one(resources, "kubernetes:helm.sh/v3:Release", "velero").inputs,
        "values",
        "schedules",
        "daily",
        "template",
        "includedNamespaces",
      ),
      ["ledger"],
    );
  });

  it("offers each enabled plugin's release and typed outputs by id, and nothing for a disabled one", async () => {
    const { resources, outputs: plugins } = await runPlugins("p");
    const defaults = parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } } });
    const enabled = registeredPlugins().filter((p) => p.enabled(defaults[p.id as PluginId]));
    assert.deepEqual(Object.keys(plugins.releases).sort(), enabled.map((p) => p.id).sort());
    assert.equal(plugins.releases.externalDns, undefined, "external-dns is off by default");
    assert.equal(await resolve(plugins.releases.velero?.urn), urnOf(resources, RELEASE, "velero"));
    assert.equal(plugins.outputs.argocd?.namespace, "argocd");
    assert.equal(await resolve(plugins.outputs.velero?.restoreModifiers), "phoenix-restore-modifiers");
    assert.equal(plugins.outputs.externalDns, undefined);
    const modifiers = one(resources, "kubernetes:core/v1:ConfigMap", "plugins-velero-restore-modifiers");
    assert.deepEqual(
      [at(modifiers.inputs, "metadata", "name"), at(modifiers.inputs, "metadata", "namespace")],
      ["phoenix-restore-modifiers", "velero"],
    );
    assert.ok(
      modifiers.dependencies.includes(urnOf(resources, "kubernetes:core/v1:Namespace", "velero")),
      "the ConfigMap waits for Velero's namespace",
    );
    assert.ok(
      !modifiers.dependencies.includes(urnOf(resources, RELEASE, "velero")),
      "and not for the release: it needs only the API server",
    );
  });

  it("puts Argo CD's admin hash in a Pulumi-secret argocd-secret before the release, and leaves the values visible", async () => {
    const { resources } = await runPlugins("p");
    const secret = one(resources, "kubernetes:core/v1:Secret", "plugins-argocd-secret");
    assert.equal(secret.inputs.stringData, SECRET);
    assert.equal(at(secret.inputs, "metadata", "name"), "argocd-secret");
    const release = one(resources, RELEASE, "argocd");
    assert.ok(release.dependencies.includes(secret.urn));
    assert.notEqual(release.inputs.values, SECRET, "no secret inside the values, so a preview shows them");
    assert.equal(at(release.inputs, "values", "configs", "secret", "createSecret"), false);
  });

  it("makes every other release wait for the load balancer controller, whose Service webhook fails closed", async () => {
    const { resources } = await runPlugins("p");
    const lbc = urnOf(resources, RELEASE, "loadBalancerController");
    for (const r of ofType(resources, RELEASE).filter((x) => x.name !== "loadBalancerController")) {
      assert.ok(r.dependencies.includes(lbc), `${r.name} waits for the load balancer controller`);
    }
    assert.ok(
      !one(resources, RELEASE, "loadBalancerController").dependencies.includes(urnOf(resources, RELEASE, "argocd")),
    );
  });

  it("gives external-dns and cert-manager DNS-01 identities only when enabled, and a ClusterIssuer after cert-manager", async () => {
    const zones = [{ id: "Z111", domain: "example.com" }];
    const { resources } = await runPlugins("p", {
      externalDns: { enabled: true, hostedZones: zones },
      certManager: { dns01: { email: "ops@example.com", hostedZones: zones } },
    });
    const assocs = ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((r) => [
      r.inputs.namespace,
      r.inputs.serviceAccount,
    ]);
    assert.deepEqual(assocs.sort(), [
      ["aws-load-balancer-controller", "aws-load-balancer-controller"],
      ["cert-manager", "cert-manager"],
      ["external-dns", "external-dns"],
      ["velero", "velero-server"],
    ]);
    const issuer = one(resources, "kubernetes:cert-manager.io/v1:ClusterIssuer", "plugins-certManager-issuer");
    assert.ok(
      issuer.dependencies.includes(urnOf(resources, RELEASE, "certManager")),
      "the ClusterIssuer needs the chart's CRDs first",
    );
    assert.equal(at(one(resources, RELEASE, "externalDns").inputs, "values", "txtOwnerId"), "c1.ap-southeast-2");
    const withoutDns = await runPlugins("q");
    assert.deepEqual(
      ofType(withoutDns.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
        .map((r) => r.inputs.namespace)
        .sort(),
      ["aws-load-balancer-controller", "velero"],
    );
  });

  it("with IRSA annotates each service account with its role and makes no Pod Identity association", async () => {
    const { resources } = await runPlugins(
      "p",
      {},
      {
        mode: "irsa",
        oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.x",
        oidcIssuer: "https://oidc.eks.x",
      },
    );
    assert.equal(ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
    const lbc = one(resources, RELEASE, "loadBalancerController").inputs;
    assert.deepEqual(at(lbc, "values", "serviceAccount", "annotations"), {
      [IRSA_ROLE_ANNOTATION]: `${COMPUTED} aws:iam/role:Role plugins-loadBalancerController.arn>`,
    });
    const velero = one(resources, RELEASE, "velero").inputs;
    assert.deepEqual(at(velero, "values", "serviceAccount", "server", "annotations"), {
      [IRSA_ROLE_ANNOTATION]: `${COMPUTED} aws:iam/role:Role plugins-velero.arn>`,
    });
    const trust = JSON.parse(String(one(resources, "aws:iam/role:Role", "plugins-velero").inputs.assumeRolePolicy)) as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
      "oidc.eks.x:sub": "system:serviceaccount:velero:velero-server",
      "oidc.eks.x:aud": "sts.amazonaws.com",
    });
  });

  it("creates no bucket and no key: Velero writes to the backup storage it is handed, in the bucket's region", async () => {
    const { resources } = await runPlugins("p");
    assert.deepEqual(
      resources.filter((r) => /^aws:(s3|kms)\//.test(r.type)).map((r) => `${r.type} ${r.name}`),
      [],
      "the backups' bucket and key belong to the storage stack",
    );
    const velero = one(resources, RELEASE, "velero").inputs;
    assert.deepEqual(at(velero, "values", "configuration", "backupStorageLocation"), [
      { name: "default", provider: "aws", bucket: storage.bucket, default: true, config: { region: storage.region } },
    ]);
    // EBS snapshots stay in the cluster's region, whatever the bucket's.
    assert.deepEqual(at(velero, "values", "configuration", "volumeSnapshotLocation"), [
      { name: "default", provider: "aws", config: { region: "ap-southeast-2" } },
    ]);
  });
});

describe("Velero's AWS identity", () => {
  it("binds a Pod Identity role scoped to the storage bucket and its key to Velero's service account, before Velero starts", async () => {
    const { resources } = await runPlugins("p");
    const assoc = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "plugins-velero").inputs;
    const release = one(resources, "kubernetes:helm.sh/v3:Release", "velero");
    assert.deepEqual(
      [assoc.clusterName, assoc.namespace, assoc.serviceAccount, assoc.roleArn],
      [
        "c1",
        "velero",
        at(release.inputs, "values", "serviceAccount", "server", "name"),
        `${COMPUTED} aws:iam/role:Role plugins-velero.arn>`,
      ],
    );
    const policy = JSON.parse(
      String(one(resources, "aws:iam/rolePolicy:RolePolicy", "plugins-velero").inputs.policy),
    ) as { Statement: { Effect: string; Resource: string }[] };
    const bucketArn = `arn:aws:s3:::${storage.bucket}`;
    assert.deepEqual(
      policy.Statement.filter((s) => s.Effect === "Allow").map((s) => s.Resource),
      [`${bucketArn}/*`, bucketArn, storage.kmsKeyArn],
      "fs backups: no EC2 grant, S3 and KMS scoped to the bucket and its key",
    );
    for (const dep of ["aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:iam/rolePolicy:RolePolicy"]) {
      assert.ok(release.dependencies.includes(urnOf(resources, dep, "plugins-velero")), `Velero waits for ${dep}`);
    }
  });

  it("builds the bucket ARNs in the cluster's partition", async () => {
    const { resources } = await evaluateOffline(
      { project: "phoenix", stack: "unit", config: { "aws:region": "cn-north-1" } },
      () => {
        const provider = new k8s.Provider("p", { kubeconfig: "{}" });
        return new Plugins("plugins", {
          provider,
          clusterName: "c1",
          region: "cn-north-1",
          vpcId: "vpc-1",
          identity: { mode: "podIdentity" },
          settings: parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } } }),
          inputs: {
            velero: {
              backup: scope,
              storage: {
                bucket: "cn-backups",
                region: "cn-north-1",
                kmsKeyArn: "arn:aws-cn:kms:cn-north-1:111122223333:key/k",
              },
              repositoryPassword: pulumi.secret("unit-test-password"),
            },
          },
        });
      },
    );
    const policy = JSON.parse(
      String(one(resources, "aws:iam/rolePolicy:RolePolicy", "plugins-velero").inputs.policy),
    ) as { Statement: { Resource: string }[] };
    assert.deepEqual(policy.Statement.map((s) => s.Resource).slice(0, 2), [
      "arn:aws-cn:s3:::cn-backups/*",
      "arn:aws-cn:s3:::cn-backups",
    ]);
  });
});

describe("restoring another region's backups", () => {
  it("grants Velero read access to the named replica and its key, in the cluster's partition, and mounts it read-only", async () => {
    const restoreFrom = {
      bucket: "prod-replica",
      region: "ap-southeast-4",
      kmsKeyArn: "arn:aws:kms:ap-southeast-4:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    };
    const { resources } = await runPlugins("p", {}, undefined, { restoreFrom });
    const policy = JSON.parse(
      String(one(resources, "aws:iam/rolePolicy:RolePolicy", "plugins-velero").inputs.policy),
    ) as PolicyDocument;
    const onReplica = policy.Statement.filter(
      (s) =>
        s.Effect === "Allow" &&
        [s.Resource].flat().some((r) => String(r).includes("prod-replica") || r === restoreFrom.kmsKeyArn),
    );
    assert.deepEqual(
      onReplica.map((s) => [s.Action, s.Resource]),
      [
        [["s3:GetObject"], "arn:aws:s3:::prod-replica/*"],
        [["s3:ListBucket"], "arn:aws:s3:::prod-replica"],
        [["kms:Decrypt"], restoreFrom.kmsKeyArn],
        // A restore's results, which Velero writes even to a read-only location (velero #1978, #6753).
        [["s3:PutObject"], "arn:aws:s3:::prod-replica/restores/*"],
        [["kms:GenerateDataKey"], restoreFrom.kmsKeyArn],
      ],
    );
    const locations = at(one(resources, RELEASE, "velero").inputs, "values", "configuration", "backupStorageLocation");
    assert.deepEqual(locations, [
      { name: "default", provider: "aws", bucket: storage.bucket, default: true, config: { region: storage.region } },
      {
        name: "restore-source",
        provider: "aws",
        bucket: "prod-replica",
        default: false,
        accessMode: "ReadOnly",
        config: { region: "ap-southeast-4" },
      },
    ]);
  });
});
