/** The whole program (stacks/program.ts) for one stack, under the offline mock runtime. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InventoryError } from "../../../stacks/platform/inventory";
import { resolve, SECRET } from "../../../cli/offline/runtime";
import { at, flatConfig, ofType, one, runProgram } from "../../helpers";

const sections = {
  cluster: { name: "blue" },
  gitops: {
    repoURL: "https://git.example.com/org/gitops.git",
    applications: [
      { name: "shop", path: "apps/shop", namespace: "shop" },
      { name: "search", path: "apps/search", namespace: "search" },
    ],
  },
  namespaces: { imperative: [{ name: "ledger" }, { name: "uploads", owner: "media", resourceQuota: { "requests.storage": "100Gi" } }] },
};

describe("composition", () => {
  it("wires layer 1 -> 2 -> 3: every resource sits under one of the three layer components", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"));
    const tops = resources.filter((r) => !r.parentUrn).map((r) => `${r.type} ${r.name}`);
    assert.deepEqual(tops.sort(), ["phoenix:apps:Apps apps", "phoenix:cluster:Cluster blue", "phoenix:plugins:Plugins plugins"]);
  });

  it("sends every Kubernetes object through the cluster's own provider, never an ambient kubeconfig", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"));
    const provider = one(resources, "pulumi:providers:kubernetes", "blue-k8s");
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:"));
    assert.equal(k8sObjects.length, 19, "5 plugin namespaces, 5 plugin releases, 2 Gateway API CRD files, argocd-secret, restore-modifier ConfigMap, bootstrap, the default AppProject patch, 2 imperative namespaces, 1 quota");
    for (const r of k8sObjects) assert.equal(r.providerUrn, provider.urn, `${r.type} ${r.name}`);
  });

  it("backs up exactly the imperative namespaces and exports the stack's outputs", async () => {
    const { resources, outputs } = await runProgram(flatConfig(sections, "sa-east-1"));
    const velero = one(resources, "kubernetes:helm.sh/v3:Release", "velero");
    assert.deepEqual(at(velero.inputs, "values", "schedules", "daily", "template", "includedNamespaces"), ["ledger", "uploads"]);
    assert.deepEqual(at(velero.inputs, "values", "schedules", "daily", "template", "excludedNamespaces"), [
      "argocd", "aws-load-balancer-controller", "cert-manager", "default", "kube-node-lease", "kube-public", "kube-system", "metrics-server", "search", "shop", "velero",
    ]);
    const plain = (await resolve(outputs)) as Record<string, unknown>;
    assert.equal(plain.region, "sa-east-1");
    assert.equal(plain.clusterName, "blue");
    assert.equal(plain.kubeconfig, SECRET, "the kubeconfig is exported as a secret");
    assert.match(String(plain.backupBucket), /^<computed: aws:s3\/bucket:Bucket/);
    assert.deepEqual(plain.imperativeNamespaces, ["ledger", "uploads"]);
    const table = plain.namespaces as { name: string; class: string; backedUp: boolean }[];
    assert.deepEqual(table.filter((n) => n.backedUp).map((n) => n.name), ["ledger", "uploads"]);
    assert.deepEqual(table.filter((n) => n.class === "gitops").map((n) => n.name), ["search", "shop"]);
  });

  it("carries each imperative namespace's owner and quota from the stack file to the cluster", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"));
    assert.equal(at(one(resources, "kubernetes:core/v1:Namespace", "uploads").inputs, "metadata", "labels", "phoenix.platform/owner"), "media");
    assert.equal(at(one(resources, "kubernetes:core/v1:Namespace", "ledger").inputs, "metadata", "labels", "phoenix.platform/owner"), "phoenix");
    assert.deepEqual(at(one(resources, "kubernetes:core/v1:ResourceQuota", "uploads").inputs, "spec", "hard"), { "requests.storage": "100Gi" });
    const modifiers = one(resources, "kubernetes:core/v1:ConfigMap", "plugins-velero-restore-modifiers");
    assert.match(String(at(modifiers.inputs, "data", "resource-modifiers.yaml")), /- ledger\n\s+- uploads/);
  });

  it("creates no backup schedule at all when no namespace is imperative", async () => {
    const { resources } = await runProgram(flatConfig({ ...sections, namespaces: undefined }));
    assert.deepEqual(at(one(resources, "kubernetes:helm.sh/v3:Release", "velero").inputs, "values", "schedules"), {});
    // Only the plugins' own namespaces: no imperative namespace to create.
    assert.deepEqual(ofType(resources, "kubernetes:core/v1:Namespace").map((n) => n.name).sort(), ["argocd", "aws-load-balancer-controller", "cert-manager", "metrics-server", "velero"]);
  });

  it("refuses an inconsistent inventory before declaring a single resource", async () => {
    const bad = flatConfig({ ...sections, namespaces: { imperative: [{ name: "shop" }] } });
    const { program } = await import("../../../stacks/platform/program");
    const { evaluateOffline } = await import("../../../cli/offline/runtime");
    let caught: unknown;
    const { resources } = await evaluateOffline({ project: "phoenix", stack: "bad", config: bad, secretKeys: ["phoenix:plugins"] }, () => {
      try {
        return program();
      } catch (err) {
        caught = err;
        return undefined;
      }
    });
    assert.ok(caught instanceof InventoryError);
    assert.match(caught.message, /^Pulumi\.bad\.yaml: .*\n.*"shop" is classified twice/);
    assert.equal(resources.length, 0, "no half-built plan");
  });
});
