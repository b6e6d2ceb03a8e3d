/**
 * The Kubernetes objects of a plan, as a real apply would send them: the plan's own
 * objects (namespaces, the StorageClass, secrets, network policies, ...) and each Helm
 * release rendered by the real `helm template` from the pinned chart's full sources in
 * ../shared/reference/charts with Phoenix's values.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { kubernetesVersion, upstreamPrograms } from "../../../components/catalog";
import { binary } from "../upstream/paths";
import type { PlanJson, PlannedRelease } from "./plan";

/** A Kubernetes object. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

/** Resource types of the plan that are not one object (a release, a file of CRDs, a patch of an object another tool made). */
const NOT_AN_OBJECT = /^kubernetes:(helm\.sh\/|yaml\/|kustomize\/)|Patch$/;

/**
 * The plan's own objects. Values the offline plan cannot know (`[secret]`, computed
 * outputs) are replaced by `secrets` for Secrets it names, else a stand-in string.
 */
export function planObjects(
  plan: PlanJson,
  secrets: Readonly<Record<string, Record<string, string>>> = {},
): KubeObject[] {
  return plan.resources
    .filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        !NOT_AN_OBJECT.test(r.type) &&
        !r.type.startsWith("kubernetes:index") &&
        !r.type.startsWith("pulumi:"),
    )
    .map((r) => {
      const obj = JSON.parse(JSON.stringify(r.inputs)) as KubeObject;
      if (obj.kind === "Secret" && typeof obj.stringData === "string")
        obj.stringData = secrets[obj.metadata.name] ?? { value: "e2e" };
      return replaceComputed(obj) as KubeObject;
    });
}

function replaceComputed(v: unknown): unknown {
  if (typeof v === "string") return v.includes("<computed") ? v.replace(/<computed[^>]*>/g, "e2e") : v;
  if (Array.isArray(v)) return v.map(replaceComputed);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceComputed(x)]));
  return v;
}

/** The folder of a pinned chart's full sources, or undefined when ../shared is not beside the repository. */
export function chartDir(chartsRoot: string, release: Pick<PlannedRelease, "chart" | "version">): string | undefined {
  const dir = path.join(chartsRoot, release.chart, release.version);
  return fs.existsSync(path.join(dir, "Chart.yaml")) ? dir : undefined;
}

/** `helm template` of a release with its planned values (or `values`), CRDs included. */
export function renderRelease(
  chartsRoot: string,
  release: PlannedRelease,
  values: Record<string, unknown> = release.values,
): KubeObject[] {
  const dir = chartDir(chartsRoot, release);
  if (!dir) throw new Error(`${chartsRoot}/${release.chart}/${release.version} is missing`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-values-"));
  try {
    const file = path.join(tmp, "values.json");
    fs.writeFileSync(file, JSON.stringify(replaceComputed(values)));
    // The server's version, so charts' kubeVersion checks and capabilities see what EKS would run.
    const kube = `${upstreamPrograms.kubernetes.version}`;
    if (!kube.startsWith(`v${kubernetesVersion}.`))
      throw new Error(`the harness's Kubernetes ${kube} is not the catalog's ${kubernetesVersion}`);
    const run = spawnSync(
      binary("helm", "helm"),
      [
        "template",
        release.name,
        dir,
        "--namespace",
        release.namespace,
        "--values",
        file,
        "--include-crds",
        "--kube-version",
        kube,
      ],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, HELM_CACHE_HOME: tmp, HELM_CONFIG_HOME: tmp, HELM_DATA_HOME: tmp },
      },
    );
    if (run.status !== 0)
      throw new Error(`helm template ${release.chart} ${release.version} failed: ${run.stderr.trim()}`);
    // YAML 1.1, as Kubernetes and Helm read it (sigs.k8s.io/yaml): a chart's `0755` is octal there, decimal 755 in YAML 1.2.
    return parseAllDocuments(run.stdout, { version: "1.1" })
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null && typeof o === "object" && typeof o.kind === "string")
      .map((o) =>
        o.metadata.namespace === undefined && !CLUSTER_SCOPED.has(o.kind)
          ? { ...o, metadata: { ...o.metadata, namespace: release.namespace } }
          : o,
      );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Kinds without a namespace that the charts render (helm leaves namespaced objects' namespace to the client). */
const CLUSTER_SCOPED = new Set([
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "Namespace",
  "StorageClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "IngressClass",
  "ClusterIssuer",
  "GatewayClass",
  "PersistentVolume",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);
