/**
 * A preview of a brand-new region: nothing exists yet, so no output is known. The
 * program must still evaluate, and its Kubernetes provider must have nothing to
 * connect to (pulumi-kubernetes #1794, #2236, #2985).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charts } from "../../../components/catalog";
import { flatConfig, one, runProgram, storageOutputs } from "../../helpers";

describe("preview of a brand-new region", () => {
  it("evaluates without any computed value and gives the provider an unknown kubeconfig", async () => {
    const config = flatConfig({ namespaces: { imperative: [{ name: "ledger" }] } }, "ap-northeast-3");
    const { resources } = await runProgram(config, { stack: "new-region", preview: true });
    const provider = one(resources, "pulumi:providers:kubernetes", "phoenix-new-region-k8s");
    assert.equal(provider.inputs.kubeconfig, "<computed: unknown during preview>");
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:"));
    assert.ok(k8sObjects.length >= 6);
    for (const r of k8sObjects)
      assert.equal(r.providerUrn, provider.urn, `${r.type} ${r.name} waits on the new cluster's provider`);
    // The Helm releases are still fully described by their inputs: chart, version, values.
    const velero = one(resources, "kubernetes:helm.sh/v3:Release", "velero");
    assert.equal(velero.inputs.version, charts.velero.version);
    const values = velero.inputs.values as {
      schedules: { daily: { template: { includedNamespaces: string[] } } };
      configuration: { backupStorageLocation: { bucket: string }[] };
    };
    assert.deepEqual(values.schedules.daily.template.includedNamespaces, ["ledger"]);
    // The backup storage stack exists before the cluster does: even the first preview sees its bucket.
    assert.equal(
      values.configuration.backupStorageLocation[0].bucket,
      storageOutputs("new-region", "ap-northeast-3").bucket,
    );
  });
});
