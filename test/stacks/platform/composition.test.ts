/**
 * The whole platform program (stacks/platform/program.ts) for one stack, under the
 * offline mock runtime, its backup storage stacks answered with concrete outputs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InventoryError } from "../../../stacks/platform/inventory";
import { backupsOffWarning } from "../../../stacks/platform/composition";
import type { PolicyDocument } from "../../../components/identity";
import { evaluateOffline, resolve, SECRET, type RecordedResource } from "../../../cli/plan/runtime";
import { at, flatConfig, ofType, one, runProgram, storageOutputs, storageStack } from "../../helpers";

const sections = {
  cluster: { name: "blue" },
  gitops: {
    repoURL: "https://git.example.com/org/gitops.git",
    applications: [
      { name: "shop", path: "apps/shop", namespace: "shop" },
      { name: "search", path: "apps/search", namespace: "search" },
    ],
  },
  namespaces: {
    imperative: [
      { name: "ledger" },
      { name: "uploads", owner: "media", resourceQuota: { "requests.storage": "100Gi" } },
    ],
  },
};

describe("composition", () => {
  it("wires layer 1 -> 2 -> 3: every resource sits under one of the three layer components, beside the read of its backup storage and the teardown marker", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"));
    const tops = resources.filter((r) => !r.parentUrn).map((r) => `${r.type} ${r.name}`);
    assert.deepEqual(tops.sort(), [
      "phoenix:apps:Apps apps",
      "phoenix:cluster:Cluster blue",
      "phoenix:plugins:Plugins plugins",
      "phoenix:teardown:Teardown teardown",
      "pulumi:pulumi:StackReference backup-storage",
    ]);
  });

  it("sends every Kubernetes object through the cluster's own provider, never an ambient kubeconfig", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"));
    const provider = one(resources, "pulumi:providers:kubernetes", "blue-k8s");
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:"));
    assert.equal(
      k8sObjects.length,
      25,
      "5 plugin namespaces, 5 plugin releases, 2 Gateway API CRD files, argocd-secret, restore-modifier ConfigMap, Velero's repository password, bootstrap, the default AppProject patch, the Pod Security guard and its binding, 2 imperative namespaces with their default-deny NetworkPolicies, 1 quota, the default StorageClass",
    );
    for (const r of k8sObjects) assert.equal(r.providerUrn, provider.urn, `${r.type} ${r.name}`);
  });

  it("backs up exactly the imperative namespaces and exports the stack's outputs", async () => {
    const { resources, outputs } = await runProgram(flatConfig(sections, "sa-east-1"));
    const velero = one(resources, "kubernetes:helm.sh/v3:Release", "velero");
    assert.deepEqual(at(velero.inputs, "values", "schedules", "daily", "template", "includedNamespaces"), [
      "ledger",
      "uploads",
    ]);
    assert.deepEqual(at(velero.inputs, "values", "schedules", "daily", "template", "excludedNamespaces"), [
      "argocd",
      "aws-load-balancer-controller",
      "cert-manager",
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
      "metrics-server",
      "search",
      "shop",
      "velero",
    ]);
    const plain = (await resolve(outputs)) as Record<string, unknown>;
    assert.equal(plain.region, "sa-east-1");
    assert.equal(plain.clusterName, "blue");
    assert.equal(plain.kubeconfig, SECRET, "the kubeconfig is exported as a secret");
    assert.equal(plain.backupBucket, "phoenix-backups-test", "the storage stack's bucket");
    assert.deepEqual(plain.backupStorage, { storage: "organization/phoenix-backup-storage/test" });
    assert.equal(plain.restoreModifiers, "phoenix-restore-modifiers");
    assert.deepEqual(plain.imperativeNamespaces, ["ledger", "uploads"]);
    const table = plain.namespaces as { name: string; class: string; backedUp: boolean }[];
    assert.deepEqual(
      table.filter((n) => n.backedUp).map((n) => n.name),
      ["ledger", "uploads"],
    );
    assert.deepEqual(
      table.filter((n) => n.class === "gitops").map((n) => n.name),
      ["search", "shop"],
    );
  });

  it("carries each imperative namespace's owner and quota from the stack file to the cluster", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"));
    assert.equal(
      at(
        one(resources, "kubernetes:core/v1:Namespace", "uploads").inputs,
        "metadata",
        "labels",
        "phoenix.platform/owner",
      ),
      "media",
    );
    assert.equal(
      at(
        one(resources, "kubernetes:core/v1:Namespace", "ledger").inputs,
        "metadata",
        "labels",
        "phoenix.platform/owner",
      ),
      "phoenix",
    );
    assert.deepEqual(at(one(resources, "kubernetes:core/v1:ResourceQuota", "uploads").inputs, "spec", "hard"), {
      "requests.storage": "100Gi",
    });
    const modifiers = one(resources, "kubernetes:core/v1:ConfigMap", "plugins-velero-restore-modifiers");
    assert.match(String(at(modifiers.inputs, "data", "resource-modifiers.yaml")), /- ledger\n\s+- uploads/);
  });

  it("creates no backup schedule at all when no namespace is imperative", async () => {
    const { resources } = await runProgram(flatConfig({ ...sections, namespaces: undefined }));
    assert.deepEqual(at(one(resources, "kubernetes:helm.sh/v3:Release", "velero").inputs, "values", "schedules"), {});
    // Only the plugins' own namespaces: no imperative namespace to create.
    assert.deepEqual(
      ofType(resources, "kubernetes:core/v1:Namespace")
        .map((n) => n.name)
        .sort(),
      ["argocd", "aws-load-balancer-controller", "cert-manager", "metrics-server", "velero"],
    );
  });

  it("refuses an inconsistent inventory before declaring a single resource", async () => {
    const bad = flatConfig({ ...sections, namespaces: { imperative: [{ name: "shop" }] } });
    const { program } = await import("../../../stacks/platform/program");
    let caught: unknown;
    const { resources } = await evaluateOffline(
      { project: "phoenix", stack: "bad", config: bad, secretKeys: ["phoenix:plugins"] },
      () => {
        try {
          return program();
        } catch (err) {
          caught = err;
          return undefined;
        }
      },
    );
    assert.ok(caught instanceof InventoryError);
    assert.match(caught.message, /^Pulumi\.bad\.yaml: .*\n.*"shop" is classified twice/);
    assert.equal(resources.length, 0, "no half-built plan");
  });
});

type Location = { name: string; bucket: string; default: boolean; accessMode?: string; config: { region: string } };
const locations = (resources: readonly RecordedResource[]): Location[] =>
  at(
    one(resources, "kubernetes:helm.sh/v3:Release", "velero").inputs,
    "values",
    "configuration",
    "backupStorageLocation",
  ) as Location[];
const veleroPolicy = (resources: readonly RecordedResource[]): PolicyDocument =>
  JSON.parse(String(one(resources, "aws:iam/rolePolicy:RolePolicy", "plugins-velero").inputs.policy)) as PolicyDocument;
const stackReads = (resources: readonly RecordedResource[]): string[][] =>
  ofType(resources, "pulumi:pulumi:StackReference").map((r) => [r.name, String(r.inputs.name)]);

describe("backups in another project's stack", () => {
  it("reads its backup storage from the storage stack of the same name, owns no bucket, and points Velero there", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"), { stack: "blue" });
    const storage = storageOutputs("blue", "sa-east-1");
    assert.deepEqual(stackReads(resources), [["backup-storage", storageStack("blue")]]);
    assert.deepEqual(
      resources.filter((r) => /^aws:s3\//.test(r.type)),
      [],
      "the platform declares no bucket: destroying it cannot take the backups",
    );
    assert.deepEqual(
      ofType(resources, "aws:kms/key:Key")
        .map((r) => r.name)
        .sort(),
      ["blue-logs", "blue-secrets"],
      "only the cluster's own keys: its secrets and its control-plane logs",
    );
    assert.deepEqual(locations(resources), [
      { name: "default", provider: "aws", bucket: storage.bucket, default: true, config: { region: "sa-east-1" } },
    ]);
    assert.deepEqual(
      veleroPolicy(resources)
        .Statement.filter((st) => st.Effect === "Allow")
        .map((st) => st.Resource),
      [`arn:aws:s3:::${storage.bucket}/*`, `arn:aws:s3:::${storage.bucket}`, storage.kmsKeyArn],
      "Velero may use exactly the storage stack's bucket and key",
    );
  });

  it("reads the storage stack phoenix:backups.storage.stack names instead, when set", async () => {
    const shared = "organization/phoenix-backup-storage/shared";
    const outputs = { ...storageOutputs("shared", "sa-east-1"), bucket: "shared-backups" };
    const { resources, outputs: stackOutputs } = await runProgram(
      flatConfig({ ...sections, backups: { storage: { stack: shared } } }, "sa-east-1"),
      { stackOutputs: { [shared]: outputs } },
    );
    assert.deepEqual(stackReads(resources), [["backup-storage", shared]]);
    assert.equal(locations(resources)[0].bucket, "shared-backups");
    assert.deepEqual(await resolve(stackOutputs.backupStorage), { storage: shared });
  });

  it("names its storage stack in the backend's organization", async () => {
    const { program } = await import("../../../stacks/platform/program");
    const config = flatConfig(sections, "sa-east-1");
    const { resources } = await evaluateOffline(
      {
        project: "phoenix",
        stack: "blue",
        config,
        secretKeys: ["phoenix:plugins"],
        organization: "acme",
        stackOutputs: { "acme/phoenix-backup-storage/blue": storageOutputs("blue", "sa-east-1") },
      },
      program,
    );
    assert.deepEqual(stackReads(resources), [["backup-storage", "acme/phoenix-backup-storage/blue"]]);
  });

  it("restores from another region's DR replica, read-only, as phoenix:backups.restoreFrom.stack names it", async () => {
    const primary = "organization/phoenix-backup-storage/prod";
    const prod = storageOutputs("prod", "eu-west-1", "sa-east-1");
    const { resources, outputs } = await runProgram(
      flatConfig({ ...sections, backups: { restoreFrom: { stack: primary } } }, "sa-east-1"),
      {
        stack: "dr",
        stackOutputs: { [primary]: prod },
      },
    );
    const own = storageOutputs("dr", "sa-east-1");
    assert.deepEqual(stackReads(resources), [
      ["backup-storage", storageStack("dr")],
      ["restore-source", primary],
    ]);
    assert.deepEqual(locations(resources), [
      { name: "default", provider: "aws", bucket: own.bucket, default: true, config: { region: "sa-east-1" } },
      // The replica, not the primary bucket: it lives outside the lost region.
      {
        name: "restore-source",
        provider: "aws",
        bucket: prod.replicaBucket,
        default: false,
        accessMode: "ReadOnly",
        config: { region: prod.replicaRegion },
      },
    ]);
    const onSource = veleroPolicy(resources).Statement.filter(
      (st) =>
        st.Effect === "Allow" &&
        [st.Resource].flat().some((r) => r?.includes(String(prod.replicaBucket)) || r === prod.replicaKeyArn),
    );
    assert.deepEqual(
      onSource.map((st) => [st.Action, st.Resource]),
      [
        [["s3:GetObject"], `arn:aws:s3:::${prod.replicaBucket}/*`],
        [["s3:ListBucket"], `arn:aws:s3:::${prod.replicaBucket}`],
        [["kms:Decrypt"], prod.replicaKeyArn],
        // A restore's results, which Velero writes even to a read-only location (velero #1978, #6753).
        [["s3:PutObject"], `arn:aws:s3:::${prod.replicaBucket}/restores/*`],
        [["kms:GenerateDataKey"], prod.replicaKeyArn],
      ],
    );
    const named = veleroPolicy(resources).Statement.flatMap((st) => [st.Resource ?? []].flat());
    assert.ok(
      !named.some(
        (r) => r === `arn:aws:s3:::${prod.bucket}` || r === `arn:aws:s3:::${prod.bucket}/*` || r === prod.kmsKeyArn,
      ),
      "nothing on the primary's own bucket or key",
    );
    assert.deepEqual(await resolve(outputs.backupStorage), { storage: storageStack("dr"), restoreFrom: primary });
    // Schedules still write only to this region's own location.
    const schedules = at(
      one(resources, "kubernetes:helm.sh/v3:Release", "velero").inputs,
      "values",
      "schedules",
    ) as Record<string, { template: { storageLocation: string } }>;
    assert.deepEqual(
      Object.values(schedules).map((x) => x.template.storageLocation),
      ["default"],
    );
  });
});

describe("a stack with backups off", () => {
  it("is warned as a primary that would lose its state, or told it only restores when it reads another region's replica", () => {
    const primary = backupsOffWarning(
      { stackFile: "Pulumi.x.yaml", backups: { enabled: false, schedules: [], storage: {} } },
      ["ledger"],
    );
    assert.match(
      primary,
      /^Pulumi.x.yaml: phoenix:backups.enabled is false: imperative namespaces ledger are not backed up and would be lost in a disaster$/,
    );
    const drill = backupsOffWarning(
      {
        stackFile: "Pulumi.prod-drill-a.yaml",
        backups: { enabled: false, schedules: [], storage: {}, restoreFrom: { stack: "phoenix-backup-storage/prod" } },
      },
      ["ledger"],
    );
    assert.match(drill, /this stack writes no backups; its Velero only reads phoenix-backup-storage\/prod's replica/);
    assert.doesNotMatch(drill, /lost in a disaster/);
  });
});
