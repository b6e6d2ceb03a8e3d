/**
 * The live audit, on a real API server, through the built command (`node dist/cli/run.js
 * audit`, as users run it). The cluster holds what prod holds: the plan's own objects
 * (its namespaces with Phoenix's labels), the velero and argo-cd charts rendered by the
 * real `helm template` with Phoenix's values (CRDs, RBAC, the Schedules of prod's
 * imperative scope), the argocd-apps release's Applications, the GitOps namespaces as
 * Argo CD creates them, and state in each imperative namespace. The audit classifies
 * every namespace as the plan does; catches an unplanned namespace holding state and a
 * Schedule that dropped an imperative namespace (exit 1); follows `continue` across
 * real pages (the Secret pages with its field selector); does not count
 * service-account tokens or Helm release records, which the real server filters out;
 * exits 2 for a context the kubeconfig lacks and for an identity that may not list a
 * kind it reads, and 0 with exactly the rights docs/operations/audit.md lists.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { SECRET_FIELD_SELECTOR } from "../../../cli/audit/live";
import type { AuditDocument } from "../../../cli/audit/report";
import { REFERENCE_CHARTS } from "../../helpers";
import { startCluster, type Cluster } from "../harness/cluster";
import { applyObjects, getJson, kubectl, kubectlAsync, kubectlOk } from "../harness/kubectl";
import { planObjects, renderRelease, type KubeObject } from "../harness/manifests";
import { phoenixCli, planOf, releaseOf, type PlanJson } from "../harness/plan";
import { waitFor } from "../harness/processes";
import { cannotRun, runDir } from "./setup";

const skip = cannotRun(true);
if (skip) console.log(`!!! SKIPPED: the live audit on a real API server: ${skip} !!!`);

const VELERO_NS = "velero";
const ARGOCD_NS = "argocd";
const CLASS_LABEL = "phoenix.platform/namespace-class";
/** A namespace the prod plan does not know. */
const UNPLANNED = "e2e-unplanned";
/** A namespace holding only Secrets the audit must not count. */
const TOKENS_ONLY = "e2e-tokens-only";
/** A namespace holding many Helm release records, sorted before the imperative ones. */
const RELEASE_HISTORY = "e2e-release-history";
/** More than one page of the client's lists (PAGE = 500 in cli/shared/kube.ts). */
const MANY = 520;
/** The least-privileged identity of the last test. */
const AUDITOR = "system:serviceaccount:default:auditor";

type Row = AuditDocument["namespaces"][number];

/** A namespaced object. */
function obj(
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
  rest: Record<string, unknown> = {},
): KubeObject {
  const { metadata, ...body } = rest as { metadata?: Record<string, unknown> };
  return { apiVersion, kind, metadata: { name, namespace, ...metadata }, ...body };
}

function claim(namespace: string, name: string, storageClassName: string): KubeObject {
  return obj("v1", "PersistentVolumeClaim", namespace, name, {
    spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "1Gi" } } },
  });
}

function secret(namespace: string, name: string, type = "Opaque", extra: Record<string, unknown> = {}): KubeObject {
  return obj("v1", "Secret", namespace, name, { type, stringData: { value: "e2e" }, ...extra });
}

/** What Argo CD writes for each declared Application's namespace: its managedNamespaceMetadata labels. */
function gitopsNamespaces(plan: PlanJson): KubeObject[] {
  type App = {
    destination: { namespace: string };
    syncPolicy?: { managedNamespaceMetadata?: { labels: Record<string, string> } };
  };
  const apps = Object.values((releaseOf(plan, "argocd-apps").values.applications ?? {}) as Record<string, App>);
  return apps.flatMap((a) =>
    a.syncPolicy?.managedNamespaceMetadata
      ? [
          {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: a.destination.namespace, labels: a.syncPolicy.managedNamespaceMetadata.labels },
          },
        ]
      : [],
  );
}

/** The objects once each, by kind, namespace and name (the argo-cd chart renders its CRDs twice). */
function unique(objects: readonly KubeObject[]): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  for (const o of objects) seen.set(`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
  return [...seen.values()];
}

async function established(kubeconfig: string, crds: readonly KubeObject[]): Promise<void> {
  await waitFor(
    "the CRDs to be Established",
    () =>
      kubectl(kubeconfig, [
        "wait",
        "--for=condition=Established",
        "--timeout=5s",
        ...crds.map((c) => `crd/${c.metadata.name}`),
      ]).status === 0,
    undefined,
  );
}

/** Creates many objects fast: a few `kubectl create` of Lists side by side. */
async function createMany(kubeconfig: string, objects: readonly KubeObject[], lanes = 6): Promise<void> {
  const size = Math.ceil(objects.length / lanes);
  const runs = await Promise.all(
    Array.from({ length: lanes }, (_, i) => objects.slice(i * size, (i + 1) * size))
      .filter((chunk) => chunk.length > 0)
      .map((chunk) =>
        kubectlAsync(
          kubeconfig,
          ["create", "-f", "-"],
          JSON.stringify({ apiVersion: "v1", kind: "List", items: chunk }),
        ),
      ),
  );
  const failed = runs.filter((r) => r.status !== 0).map((r) => r.stderr.trim());
  assert.deepEqual(failed, [], "kubectl create of the many objects");
}

/** The first page of a list as the API server answers the audit's client (its `limit` and selector). */
function firstPage(
  kubeconfig: string,
  p: string,
  query: Record<string, string> = {},
): { items: number; more: boolean } {
  const q = new URLSearchParams({ ...query, limit: "500" });
  const page = JSON.parse(kubectlOk(kubeconfig, ["get", "--raw", `${p}?${q.toString()}`])) as {
    items: unknown[];
    metadata: { continue?: string };
  };
  return { items: page.items.length, more: (page.metadata.continue ?? "") !== "" };
}

describe("phoenix audit (the built command) on a real API server", { skip }, () => {
  let dir = "";
  let cluster: Cluster;
  let plan: PlanJson;
  let schedules: KubeObject[] = [];
  let storageClass = "";
  let runs = 0;

  /** `phoenix audit --stack prod` as a user runs it; its `--out` document when it wrote one. */
  const audit = (
    expect: number,
    opts: { kubeconfig?: string; extra?: readonly string[] } = {},
  ): { stdout: string; stderr: string; doc: AuditDocument } => {
    const out = path.join(dir, `audit-${++runs}.json`);
    const kc = opts.kubeconfig ?? cluster.kubeconfigPath;
    const run = phoenixCli(["audit", "--stack", "prod", "--kubeconfig", kc, "--out", out, ...(opts.extra ?? [])], {
      expect,
    });
    const doc = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as AuditDocument) : undefined;
    return { stdout: run.stdout, stderr: run.stderr, doc: doc as AuditDocument };
  };
  const rowOf = (doc: AuditDocument, name: string): Row => {
    const row = doc.namespaces.find((r) => r.name === name);
    assert.ok(row, `the audit has a row for ${name}: ${doc.namespaces.map((r) => r.name).join(", ")}`);
    return row;
  };

  before(async () => {
    dir = runDir("audit");
    plan = planOf("prod");
    cluster = await startCluster("audit", path.join(dir, "cluster"));
    const kc = cluster.kubeconfigPath;
    const velero = renderRelease(REFERENCE_CHARTS, releaseOf(plan, "velero"));
    const argocd = renderRelease(REFERENCE_CHARTS, releaseOf(plan, "argo-cd"));
    const apps = renderRelease(REFERENCE_CHARTS, releaseOf(plan, "argocd-apps"));
    const crds = unique([...velero, ...argocd].filter((o) => o.kind === "CustomResourceDefinition"));
    applyObjects(kc, crds);
    await established(kc, crds);

    // The plan's own objects; the ClusterIssuer's CRD (cert-manager's chart) is not installed here.
    const own = planObjects(plan).filter((o) => !o.apiVersion.startsWith("cert-manager.io/"));
    applyObjects(
      kc,
      own.filter((o) => o.kind === "Namespace"),
    );
    // Argo CD creates the GitOps namespaces with its managedNamespaceMetadata, server-side.
    kubectlOk(
      kc,
      ["apply", "--server-side", "--force-conflicts", "--field-manager=argocd-controller", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: gitopsNamespaces(plan) }),
    );
    // The charts as Phoenix installs them; Helm's hook Jobs and test Pods, and Velero's node agent, are not the release.
    const installed = [...velero, ...argocd, ...apps].filter(
      (o) => !["CustomResourceDefinition", "Job", "Pod", "DaemonSet"].includes(o.kind),
    );
    applyObjects(kc, [...own.filter((o) => o.kind !== "Namespace"), ...unique(installed)]);
    schedules = velero.filter((o) => o.kind === "Schedule");
    assert.ok(schedules.length >= 2, "the velero chart renders prod's schedules");

    // What the imperative namespaces hold, and a GitOps app's object that Argo CD tracks.
    storageClass = String(own.find((o) => o.kind === "StorageClass")?.metadata.name);
    applyObjects(kc, [
      claim("payments-ledger", "ledger-db-data", storageClass),
      secret("payments-ledger", "ledger-db-credentials"),
      secret("ml-models", "model-registry-token"),
      claim("ml-models", "model-artefacts", storageClass),
      obj("v1", "ConfigMap", "storefront", "storefront-config", {
        metadata: {
          annotations: { "argocd.argoproj.io/tracking-id": "storefront:/ConfigMap:storefront/storefront-config" },
        },
        data: { mode: "prod" },
      }),
    ]);
  });

  after(async () => {
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("classifies every namespace of a prod cluster as the plan does, the imperative ones covered: exit 0", () => {
    const { stdout, doc } = audit(0);
    assert.equal(doc.stackFile, "Pulumi.prod.yaml");
    assert.equal(doc.target.context, "audit");
    assert.equal(doc.target.server, cluster.server);
    assert.deepEqual(
      doc.namespaces.map((r) => r.name),
      plan.namespaces.map((n) => n.name).sort(),
      "the cluster holds exactly the planned namespaces",
    );
    const scheduleNames = schedules.map((s) => s.metadata.name).sort();
    for (const planned of plan.namespaces) {
      const row = rowOf(doc, planned.name);
      assert.equal(row.class, planned.class, `${planned.name}: ${JSON.stringify(row.evidence)}`);
      assert.equal(row.verdict, "ok", `${planned.name}: ${JSON.stringify(row.findings)}`);
      assert.deepEqual([...row.coveredBy].sort(), planned.class === "imperative" ? scheduleNames : [], planned.name);
      assert.deepEqual(row.inactiveCoveredBy, [], planned.name);
    }
    // Phoenix's labels are live evidence beside the stack's claims.
    for (const name of ["payments-ledger", "ml-models"])
      assert.ok(
        rowOf(doc, name).evidence.some((e) => e.source === `label ${CLASS_LABEL}=imperative`),
        name,
      );
    assert.ok(rowOf(doc, VELERO_NS).evidence.some((e) => e.source === `label ${CLASS_LABEL}=platform`));
    for (const name of ["storefront", "catalog"]) {
      const row = rowOf(doc, name);
      assert.ok(
        row.evidence.some((e) => e.source === `Application ${ARGOCD_NS}/${name}`),
        `${name}: the live Application is evidence: ${JSON.stringify(row.evidence)}`,
      );
      assert.deepEqual(row.holdsState, {}, `${name}: what Argo CD tracks is not state`);
    }
    // The root Application deploys into Argo CD's own namespace: it does not make it GitOps.
    assert.equal(rowOf(doc, ARGOCD_NS).class, "platform");
    assert.deepEqual(rowOf(doc, "payments-ledger").holdsState, {
      PersistentVolumeClaim: ["ledger-db-data"],
      Secret: ["ledger-db-credentials"],
    });
    assert.deepEqual(rowOf(doc, "ml-models").holdsState, {
      PersistentVolumeClaim: ["model-artefacts"],
      Secret: ["model-registry-token"],
    });
    // The platform namespaces hold the charts' Secrets, ConfigMaps and workloads: state, never a failure.
    assert.ok(Object.keys(rowOf(doc, ARGOCD_NS).holdsState).length > 0, "argocd holds the chart's objects");
    assert.deepEqual(doc.failures, []);
    assert.deepEqual(doc.warnings, []);
    assert.deepEqual(doc.notes, []);
    assert.equal(doc.summary.result, "ok");
    const count = (c: string): number => plan.namespaces.filter((n) => n.class === c).length;
    assert.deepEqual(doc.summary.byClass, {
      platform: count("platform"),
      gitops: count("gitops"),
      imperative: count("imperative"),
      unknown: 0,
    });
    assert.match(
      stdout,
      new RegExp(
        `Audited ${plan.namespaces.length} namespaces of context "audit" \\(${count("platform")} platform, ${count("gitops")} gitops, ${count("imperative")} imperative, 0 unknown\\); 0 warnings\\. OK:`,
      ),
    );
  });

  it("catches drift: an unplanned namespace holding state, a Schedule that dropped an imperative namespace: exit 1", () => {
    const kc = cluster.kubeconfigPath;
    kubectlOk(kc, ["create", "namespace", UNPLANNED]);
    applyObjects(kc, [claim(UNPLANNED, "scratch", storageClass)]);
    const unplanned = audit(1);
    const row = rowOf(unplanned.doc, UNPLANNED);
    assert.equal(row.class, "unknown");
    assert.equal(row.verdict, "lost");
    assert.deepEqual(row.holdsState, { PersistentVolumeClaim: ["scratch"] });
    assert.deepEqual(
      unplanned.doc.failures.map((f) => `${f.namespace} ${f.verdict}`),
      [`${UNPLANNED} lost`],
    );
    assert.match(
      unplanned.stdout,
      new RegExp(`\\[lost\\] unknown namespace "${UNPLANNED}" holds 1 PersistentVolumeClaim that no backup`),
    );
    assert.match(unplanned.stdout, /FAIL: 1 failing finding/);
    kubectlOk(kc, ["delete", "namespace", UNPLANNED, "--wait=true", "--timeout=120s"]);

    // One schedule narrowed by hand: the other still covers ml-models.
    const [first, second] = schedules.map((s) => s.metadata.name).sort();
    const narrow = (name: string): void =>
      void kubectlOk(kc, [
        "patch",
        "schedules.velero.io",
        name,
        "-n",
        VELERO_NS,
        "--type=json",
        "-p",
        JSON.stringify([{ op: "replace", path: "/spec/template/includedNamespaces", value: ["payments-ledger"] }]),
      ]);
    narrow(first);
    const one = audit(0);
    assert.deepEqual(rowOf(one.doc, "ml-models").coveredBy, [second]);
    assert.deepEqual([...rowOf(one.doc, "payments-ledger").coveredBy].sort(), [first, second]);
    narrow(second);
    const none = audit(1);
    const models = rowOf(none.doc, "ml-models");
    assert.equal(models.class, "imperative");
    assert.equal(models.verdict, "lost");
    assert.deepEqual(models.coveredBy, []);
    assert.deepEqual(
      none.doc.failures.map((f) => `${f.namespace} ${f.verdict}`),
      ["ml-models lost"],
    );
    assert.match(
      none.doc.failures[0].message,
      /imperative namespace "ml-models" holds 1 PersistentVolumeClaim, 1 Secret that no backup and no Git repository covers.*Pulumi\.prod\.yaml lists it, so the live schedules are stale/,
    );
    assert.equal(rowOf(none.doc, "payments-ledger").verdict, "ok");

    // Back as the platform renders them.
    applyObjects(kc, schedules);
    assert.deepEqual(
      getJson<{ items: { spec: { template: { includedNamespaces: string[] } } }[] }>(kc, [
        "schedules.velero.io",
        "-n",
        VELERO_NS,
      ]).items.map((s) => s.spec.template.includedNamespaces),
      schedules.map(() => ["ml-models", "payments-ledger"]),
    );
  });

  it("follows the API server's pages: more than one page of ConfigMaps and of Secrets, each seen whole", async () => {
    const kc = cluster.kubeconfigPath;
    const pad = (i: number): string => String(i).padStart(3, "0");
    kubectlOk(kc, ["create", "namespace", RELEASE_HISTORY]);
    await createMany(kc, [
      ...Array.from({ length: MANY }, (_, i) =>
        obj("v1", "ConfigMap", "ml-models", `shard-${pad(i)}`, { data: { shard: String(i) } }),
      ),
      ...Array.from({ length: MANY }, (_, i) => secret("payments-ledger", `ledger-key-${pad(i)}`)),
      // Records the field selector drops, in a namespace listed before the imperative ones.
      ...Array.from({ length: MANY }, (_, i) =>
        secret(RELEASE_HISTORY, `sh.helm.release.v1.tool.v${i + 1}`, "helm.sh/release.v1", {
          metadata: { labels: { owner: "helm", name: "tool" } },
        }),
      ),
    ]);
    // The real server answers the client's first page with a continue token: one page does not hold them.
    const configMaps = firstPage(kc, "/api/v1/configmaps");
    assert.equal(configMaps.items, 500);
    assert.ok(configMaps.more, "the ConfigMaps take more than one page");
    const secrets = firstPage(kc, "/api/v1/secrets", { fieldSelector: SECRET_FIELD_SELECTOR });
    assert.ok(secrets.more, `the Secrets the audit lists take more than one page (first: ${secrets.items})`);

    const { doc } = audit(0);
    const models = rowOf(doc, "ml-models");
    assert.equal(models.holdsState.ConfigMap?.length, MANY, "every ConfigMap, from every page");
    assert.deepEqual(
      [models.holdsState.ConfigMap?.[0], models.holdsState.ConfigMap?.[MANY - 1]],
      ["shard-000", `shard-${pad(MANY - 1)}`],
    );
    const ledger = rowOf(doc, "payments-ledger");
    assert.equal(ledger.holdsState.Secret?.length, MANY + 1, "every Secret, from every page");
    assert.ok(ledger.holdsState.Secret?.includes(`ledger-key-${pad(MANY - 1)}`));
    assert.ok(ledger.holdsState.Secret?.includes("ledger-db-credentials"));
    const history = rowOf(doc, RELEASE_HISTORY);
    assert.equal(history.class, "unknown");
    assert.deepEqual(history.holdsState, {}, "Helm release records are not state");
    assert.equal(history.verdict, "ok");
  });

  it("does not count service-account tokens or Helm release records: the server filters them out", async () => {
    const kc = cluster.kubeconfigPath;
    kubectlOk(kc, ["create", "namespace", TOKENS_ONLY]);
    kubectlOk(kc, ["create", "serviceaccount", "builder", "-n", TOKENS_ONLY]);
    applyObjects(kc, [
      obj("v1", "Secret", TOKENS_ONLY, "builder-token", {
        type: "kubernetes.io/service-account-token",
        metadata: { annotations: { "kubernetes.io/service-account.name": "builder" } },
      }),
      secret(TOKENS_ONLY, "sh.helm.release.v1.builder.v1", "helm.sh/release.v1", {
        metadata: { labels: { owner: "helm", name: "builder" } },
      }),
    ]);
    // The token controller fills the token in: a real service-account token.
    await waitFor(
      "the token controller to fill builder-token",
      () =>
        getJson<{ data?: Record<string, string> }>(kc, ["secret", "builder-token", "-n", TOKENS_ONLY]).data?.token !==
        undefined,
      undefined,
    );
    const raw = (query: string): number =>
      (
        JSON.parse(kubectlOk(kc, ["get", "--raw", `/api/v1/namespaces/${TOKENS_ONLY}/secrets${query}`])) as {
          items: unknown[];
        }
      ).items.length;
    assert.equal(raw(""), 2);
    assert.equal(
      raw(`?fieldSelector=${encodeURIComponent(SECRET_FIELD_SELECTOR)}`),
      0,
      "the server applies the selector",
    );

    const quiet = audit(0);
    const row = rowOf(quiet.doc, TOKENS_ONLY);
    assert.equal(row.class, "unknown");
    assert.deepEqual(row.holdsState, {});
    assert.equal(row.verdict, "ok");

    // The same namespace with one Secret that is state: judged at once.
    applyObjects(kc, [secret(TOKENS_ONLY, "builder-cache-key")]);
    const loud = audit(1);
    assert.deepEqual(rowOf(loud.doc, TOKENS_ONLY).holdsState, { Secret: ["builder-cache-key"] });
    assert.equal(rowOf(loud.doc, TOKENS_ONLY).verdict, "lost");
    kubectlOk(kc, ["delete", "secret", "builder-cache-key", "-n", TOKENS_ONLY]);
  });

  it("a context the kubeconfig lacks exits 2, naming the kubeconfig and its contexts", () => {
    const { stdout, stderr, doc } = audit(2, { extra: ["--context", "prod"] });
    assert.equal(doc, undefined, "nothing written");
    assert.match(stderr, new RegExp(`context "prod" is not in kubeconfig ${cluster.kubeconfigPath}; it has: audit`));
    assert.doesNotMatch(stdout, /NAMESPACE/);
  });

  it("reads with exactly the rights the docs list: without Secrets, exit 2 naming them; with them, exit 0", async () => {
    const kc = cluster.kubeconfigPath;
    const role = (withSecrets: boolean): KubeObject => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "phoenix-audit-reader" },
      rules: [
        {
          apiGroups: [""],
          resources: ["namespaces", "persistentvolumeclaims", "configmaps", ...(withSecrets ? ["secrets"] : [])],
          verbs: ["list"],
        },
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets"], verbs: ["list"] },
        { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["list"] },
        { apiGroups: ["argoproj.io"], resources: ["applications"], verbs: ["list"] },
        { apiGroups: ["velero.io"], resources: ["schedules"], verbs: ["list"] },
      ],
    });
    kubectlOk(kc, ["create", "serviceaccount", "auditor", "-n", "default"]);
    applyObjects(kc, [
      role(false),
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "phoenix-audit-reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "phoenix-audit-reader" },
        subjects: [{ kind: "ServiceAccount", name: "auditor", namespace: "default" }],
      },
    ]);
    const token = kubectlOk(kc, ["create", "token", "auditor", "-n", "default", "--duration=1h"]).trim();
    const auditorKc = path.join(dir, "auditor.kubeconfig");
    fs.writeFileSync(auditorKc, cluster.kubeconfig.replace(/token: "[^"]*"/, `token: "${token}"`));

    const canListSecrets = (): boolean =>
      kubectl(kc, ["auth", "can-i", "list", "secrets", "--all-namespaces", `--as=${AUDITOR}`]).status === 0;
    await waitFor("RBAC to apply the role", () => !canListSecrets(), undefined);
    const refused = audit(2, { kubeconfig: auditorKc });
    assert.match(
      refused.stderr,
      /audit: context "audit" of kubeconfig .*auditor\.kubeconfig \(server https:\/\/127\.0\.0\.1:\d+\): not allowed to list Secrets \(.*cannot list resource "secrets".*\); the audit needs cluster-wide list on it/,
    );
    applyObjects(kc, [role(true)]);
    await waitFor("RBAC to grant Secrets", canListSecrets, undefined);
    const allowed = audit(0, { kubeconfig: auditorKc });
    assert.deepEqual(
      allowed.doc.namespaces.map((r) => `${r.name} ${r.class} ${r.verdict}`),
      audit(0).doc.namespaces.map((r) => `${r.name} ${r.class} ${r.verdict}`),
      "the least-privileged identity sees what the admin sees",
    );
  });
});
