/**
 * Admission, on a real API server: every Kubernetes object of the prod plan and every
 * Helm release rendered by the real `helm template` from the pinned charts with
 * Phoenix's values, applied with the charts' CRDs installed: zero rejections. Then the
 * real controllers create each Deployment's, StatefulSet's and DaemonSet's pods in their
 * Pod-Security-labelled namespaces: zero Pod Security rejections.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { REFERENCE_CHARTS } from "../../helpers";
import { startCluster, type Cluster } from "../harness/cluster";
import { applyObjects, getJson, kubectl } from "../harness/kubectl";
import { planObjects, renderRelease, type KubeObject } from "../harness/manifests";
import { planOf, type PlanJson } from "../harness/plan";
import { waitFor } from "../harness/processes";
import { cannotRun, runDir } from "./setup";

const skip = cannotRun(true);
if (skip) console.log(`!!! SKIPPED: admission of the prod plan: ${skip} !!!`);

/** Objects that register admission webhooks: applied last, as nothing serves them here and they would refuse what follows. */
const WEBHOOKS = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** Applies one object; returns the API server's refusal, if any. */
function applyOne(kubeconfig: string, o: KubeObject): string | undefined {
  const run = kubectl(kubeconfig, ["apply", "--server-side", "--force-conflicts", "--field-manager=phoenix-e2e", "-f", "-"], JSON.stringify(o));
  return run.status === 0 ? undefined : `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}: ${run.stderr.trim()}`;
}

describe("admission of the prod plan on a real API server", { skip }, () => {
  let dir = "";
  let cluster: Cluster;
  let plan: PlanJson;
  let rendered: KubeObject[] = [];

  before(async () => {
    dir = runDir("admission");
    plan = planOf("prod");
    cluster = await startCluster("admission", path.join(dir, "cluster"), { nodeCount: 3 });
    rendered = plan.helmReleases.flatMap((r) => renderRelease(REFERENCE_CHARTS, r));
  });

  after(async () => {
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("applies every CRD, namespace and object with zero rejections", async () => {
    const own = planObjects(plan);
    const crds = rendered.filter((o) => o.kind === "CustomResourceDefinition");
    applyObjects(cluster.kubeconfigPath, crds);
    await waitFor("every CRD to be Established", () => kubectl(cluster.kubeconfigPath, ["wait", "--for=condition=Established", "--timeout=5s", ...crds.map((c) => `crd/${c.metadata.name}`)]).status === 0, undefined);
    const namespaces = [...own, ...rendered].filter((o) => o.kind === "Namespace");
    const rest = [...own, ...rendered].filter((o) => o.kind !== "Namespace" && o.kind !== "CustomResourceDefinition");
    const ordered = [...namespaces, ...rest.filter((o) => !WEBHOOKS.has(o.kind)), ...rest.filter((o) => WEBHOOKS.has(o.kind))];
    const refused = ordered.map((o) => applyOne(cluster.kubeconfigPath, o)).filter((r): r is string => r !== undefined);
    assert.deepEqual(refused, [], `${refused.length} of ${ordered.length} objects refused`);
    assert.ok(ordered.filter((o) => WORKLOADS.has(o.kind)).length >= 10, "the plan renders the plugins' workloads");
  });

  it("the controllers create every workload's pods with zero Pod Security rejections", async () => {
    const workloads = rendered.filter((o) => WORKLOADS.has(o.kind));
    const podsOf = (o: KubeObject): number => {
      const selector = (o as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels ?? {};
      const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
      return getJson<{ items: unknown[] }>(cluster.kubeconfigPath, ["pods", "-n", o.metadata.namespace ?? "default", "-l", labels]).items.length;
    };
    const rejections = (): string[] =>
      getJson<{ items: { reason: string; message: string; involvedObject: { kind: string; namespace: string; name: string } }[] }>(cluster.kubeconfigPath, ["events", "-A"])
        .items.filter((e) => e.reason === "FailedCreate" && /PodSecurity/.test(e.message))
        .map((e) => `${e.involvedObject.kind} ${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`);
    await waitFor("every workload to have pods, or a Pod Security rejection", () => rejections().length > 0 || workloads.every((o) => podsOf(o) > 0), undefined, 120_000).catch(() => undefined);
    assert.deepEqual(rejections(), []);
    const without = workloads.filter((o) => podsOf(o) === 0).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    assert.deepEqual(without, [], "workloads whose controller made no pod");
  });
});
