/**
 * Admission, on a real API server: every Kubernetes object of the prod plan and every
 * Helm release rendered by the real `helm template` from the pinned charts with
 * Phoenix's values, applied with the charts' CRDs installed: zero rejections. Then the
 * real controllers create each Deployment's, StatefulSet's and DaemonSet's pods in their
 * Pod-Security-labelled namespaces: zero Pod Security rejections. Last, the planned
 * ValidatingAdmissionPolicy keeps each GitOps and imperative namespace's Pod Security
 * labels as planned: Argo CD may create a GitOps namespace with the labels the bootstrap
 * values give it, and nobody (Git through Argo CD, or kubectl) may lower or drop one.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { REFERENCE_CHARTS } from "../../helpers";
import { startCluster, type Cluster } from "../harness/cluster";
import { applyObjects, getJson, kubectl, kubectlOk } from "../harness/kubectl";
import { planObjects, renderRelease, type KubeObject } from "../harness/manifests";
import { planOf, type PlanJson } from "../harness/plan";
import { waitFor } from "../harness/processes";
import { cannotRun, runDir } from "./setup";

const skip = cannotRun(true);
if (skip) console.log(`!!! SKIPPED: admission of the prod plan: ${skip} !!!`);

/** Objects that register admission webhooks: applied last, as nothing serves them here and they would refuse what follows. */
const WEBHOOKS = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const ENFORCE = "pod-security.kubernetes.io/enforce";

/** What Argo CD would write for each declared Application's namespace: the bootstrap values' managedNamespaceMetadata labels. */
function argoNamespaces(plan: PlanJson): { name: string; labels: Record<string, string> }[] {
  type App = {
    destination: { namespace: string };
    syncPolicy?: { managedNamespaceMetadata?: { labels: Record<string, string> } };
  };
  const apps = Object.values(
    (plan.helmReleases.find((r) => r.chart === "argocd-apps")?.values.applications ?? {}) as Record<string, App>,
  );
  return apps.flatMap((a) =>
    a.syncPolicy?.managedNamespaceMetadata
      ? [{ name: a.destination.namespace, labels: a.syncPolicy.managedNamespaceMetadata.labels }]
      : [],
  );
}

/** A Namespace applied server-side as `manager` would (Argo CD's managedNamespaceMetadata is server-side applied: argo-cd controller/sync_namespace.go:33@31897f33). */
function applyNamespace(
  kubeconfig: string,
  name: string,
  labels: Record<string, string>,
  manager: string,
  dryRun = false,
): { status: number; stderr: string } {
  const args = [
    "apply",
    "--server-side",
    "--force-conflicts",
    `--field-manager=${manager}`,
    ...(dryRun ? ["--dry-run=server"] : []),
    "-f",
    "-",
  ];
  return kubectl(kubeconfig, args, JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }));
}

/** Applies one object; returns the API server's refusal, if any. */
function applyOne(kubeconfig: string, o: KubeObject): string | undefined {
  const run = kubectl(
    kubeconfig,
    ["apply", "--server-side", "--force-conflicts", "--field-manager=phoenix-e2e", "-f", "-"],
    JSON.stringify(o),
  );
  return run.status === 0
    ? undefined
    : `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}: ${run.stderr.trim()}`;
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
    await waitFor(
      "every CRD to be Established",
      () =>
        kubectl(cluster.kubeconfigPath, [
          "wait",
          "--for=condition=Established",
          "--timeout=5s",
          ...crds.map((c) => `crd/${c.metadata.name}`),
        ]).status === 0,
      undefined,
    );
    const namespaces = [...own, ...rendered].filter((o) => o.kind === "Namespace");
    const rest = [...own, ...rendered].filter((o) => o.kind !== "Namespace" && o.kind !== "CustomResourceDefinition");
    const ordered = [
      ...namespaces,
      ...rest.filter((o) => !WEBHOOKS.has(o.kind)),
      ...rest.filter((o) => WEBHOOKS.has(o.kind)),
    ];
    const refused = ordered.map((o) => applyOne(cluster.kubeconfigPath, o)).filter((r): r is string => r !== undefined);
    assert.deepEqual(refused, [], `${refused.length} of ${ordered.length} objects refused`);
    assert.ok(ordered.filter((o) => WORKLOADS.has(o.kind)).length >= 10, "the plan renders the plugins' workloads");
  });

  it("the controllers create every workload's pods with zero Pod Security rejections", async () => {
    const workloads = rendered.filter((o) => WORKLOADS.has(o.kind));
    const podsOf = (o: KubeObject): number => {
      const selector =
        (o as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels ?? {};
      const labels = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      return getJson<{ items: unknown[] }>(cluster.kubeconfigPath, [
        "pods",
        "-n",
        o.metadata.namespace ?? "default",
        "-l",
        labels,
      ]).items.length;
    };
    const rejections = (): string[] =>
      getJson<{
        items: { reason: string; message: string; involvedObject: { kind: string; namespace: string; name: string } }[];
      }>(cluster.kubeconfigPath, ["events", "-A"])
        .items.filter((e) => e.reason === "FailedCreate" && /PodSecurity/.test(e.message))
        .map((e) => `${e.involvedObject.kind} ${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`);
    await waitFor(
      "every workload to have pods, or a Pod Security rejection",
      () => rejections().length > 0 || workloads.every((o) => podsOf(o) > 0),
      undefined,
      120_000,
    ).catch(() => undefined);
    assert.deepEqual(rejections(), []);
    const without = workloads
      .filter((o) => podsOf(o) === 0)
      .map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    assert.deepEqual(without, [], "workloads whose controller made no pod");
  });

  it("keeps every GitOps and imperative namespace's Pod Security labels as planned", async () => {
    const kc = cluster.kubeconfigPath;
    const gitops = argoNamespaces(plan);
    const imperative = planObjects(plan).filter(
      (o) => o.kind === "Namespace" && o.metadata.labels?.["phoenix.platform/namespace-class"] === "imperative",
    );
    assert.ok(gitops.length > 0 && imperative.length > 0, "prod declares GitOps and imperative namespaces");
    const [first] = gitops;
    const lowered = { ...first.labels, [ENFORCE]: "privileged" };
    // The binding takes effect within seconds of being applied (policy type checking runs first).
    await waitFor(
      "the guard to refuse a lowered level",
      () => applyNamespace(kc, first.name, lowered, "argocd-controller", true).status !== 0,
      undefined,
      30_000,
    );
    const policy = getJson<{ status?: { typeChecking?: { expressionWarnings?: unknown[] } } }>(kc, [
      "validatingadmissionpolicy",
      "phoenix-pod-security-levels",
    ]);
    assert.deepEqual(
      policy.status?.typeChecking?.expressionWarnings ?? [],
      [],
      "the policy's CEL type-checks against the Namespace schema",
    );

    for (const ns of gitops)
      assert.equal(
        applyNamespace(kc, ns.name, ns.labels, "argocd-controller").stderr,
        "",
        `Argo CD creates ${ns.name} with its planned labels`,
      );
    const refused = applyNamespace(kc, first.name, lowered, "argocd-controller");
    assert.notEqual(refused.status, 0, "a Namespace in Git lowering the level is refused");
    assert.match(refused.stderr, new RegExp(`namespace ${first.name}: its Pod Security labels are set by Phoenix`));
    const withoutLabels = applyNamespace(kc, "e2e-new-gitops", {}, "argocd-controller");
    assert.equal(withoutLabels.status, 0, "a namespace Phoenix does not plan is not the guard's business");

    const [ledger] = imperative;
    const relabel = kubectl(kc, ["label", "--overwrite", "namespace", ledger.metadata.name, `${ENFORCE}=privileged`]);
    assert.notEqual(relabel.status, 0, "kubectl cannot lower an imperative namespace");
    const unlabel = kubectl(kc, ["label", "namespace", ledger.metadata.name, `${ENFORCE}-`]);
    assert.notEqual(unlabel.status, 0, "nor drop its enforce label");
    const live = getJson<{ metadata: { labels: Record<string, string> } }>(kc, ["namespace", ledger.metadata.name]);
    assert.equal(live.metadata.labels[ENFORCE], ledger.metadata.labels?.[ENFORCE]);
    const other = kubectl(kc, ["label", "namespace", ledger.metadata.name, "team=ledger"]);
    assert.equal(other.status, 0, `other labels stay free: ${other.stderr}`);
    // A namespace whose labels predate the guard's plan (written before it, or before a
    // level change reached the API server) still takes writes that leave them be.
    const [, models] = imperative;
    const binding = getJson<Record<string, unknown>>(kc, [
      "validatingadmissionpolicybinding",
      "phoenix-pod-security-levels",
    ]);
    kubectlOk(kc, ["delete", "validatingadmissionpolicybinding", "phoenix-pod-security-levels"]);
    await waitFor(
      "the guard to be gone",
      () =>
        kubectl(kc, [
          "label",
          "--overwrite",
          "--dry-run=server",
          "namespace",
          models.metadata.name,
          `${ENFORCE}=baseline`,
        ]).status === 0,
      undefined,
      30_000,
    );
    kubectlOk(kc, ["label", "--overwrite", "namespace", models.metadata.name, `${ENFORCE}=baseline`]);
    const { metadata } = binding as { metadata: { name: string } };
    applyObjects(kc, [
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: metadata.name },
        spec: (binding as { spec: unknown }).spec,
      },
    ]);
    await waitFor(
      "the guard to be back",
      () =>
        kubectl(kc, [
          "label",
          "--overwrite",
          "--dry-run=server",
          "namespace",
          models.metadata.name,
          `${ENFORCE}=privileged`,
        ]).status !== 0,
      undefined,
      30_000,
    );
    const annotate = kubectl(kc, ["annotate", "namespace", models.metadata.name, "argocd.argoproj.io/tracking-id=e2e"]);
    assert.equal(
      annotate.status,
      0,
      `an update that leaves the (stale) labels as they are is admitted: ${annotate.stderr}`,
    );
    assert.notEqual(
      kubectl(kc, ["label", "--overwrite", "namespace", models.metadata.name, `${ENFORCE}=privileged`]).status,
      0,
      "but no other level than the plan's",
    );
    assert.equal(
      kubectl(kc, ["label", "--overwrite", "namespace", models.metadata.name, `${ENFORCE}=restricted`]).status,
      0,
      "and the plan's level is admitted",
    );
  });
});
