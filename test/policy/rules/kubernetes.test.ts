/**
 * The Kubernetes-side rules, each with a passing and a failing example.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charts, kubernetesVersion } from "../../../components/catalog";
import { podSecurityLabels } from "../../../components/labels";
import {
  helmReleasesPinned,
  namespacesPodSecurity,
  veleroSchedulesImperativeOnly,
} from "../../../policy/rules/kubernetes";
import { res, resourceViolations, stackViolations } from "./harness";

describe("namespaces-pod-security", () => {
  const ns = (labels: Record<string, string>) => ({ metadata: { name: "shop", labels } });
  const bootstrap = (labels: Record<string, string>) => ({
    chart: charts.argocdApps.chart,
    values: {
      applications: {
        shop: { syncPolicy: { syncOptions: ["CreateNamespace=true"], managedNamespaceMetadata: { labels } } },
      },
    },
  });
  it("passes namespaces, and namespaces Argo CD creates, that enforce a level", () => {
    assert.deepEqual(
      resourceViolations(
        namespacesPodSecurity,
        "kubernetes:core/v1:Namespace",
        ns(podSecurityLabels("restricted", kubernetesVersion)),
      ),
      [],
    );
    assert.deepEqual(
      resourceViolations(
        namespacesPodSecurity,
        "kubernetes:helm.sh/v3:Release",
        bootstrap(podSecurityLabels("baseline", kubernetesVersion)),
      ),
      [],
    );
  });
  it("fails a namespace without a level or with an unknown one, and an Application's namespace without one", () => {
    assert.match(
      resourceViolations(namespacesPodSecurity, "kubernetes:core/v1:Namespace", ns({}))[0],
      /namespace shop carries no pod-security\.kubernetes\.io\/enforce label/,
    );
    assert.match(
      resourceViolations(
        namespacesPodSecurity,
        "kubernetes:core/v1:Namespace",
        ns({ "pod-security.kubernetes.io/enforce": "strict" }),
      )[0],
      /not one of restricted, baseline, privileged/,
    );
    assert.match(
      resourceViolations(namespacesPodSecurity, "kubernetes:helm.sh/v3:Release", bootstrap({ owner: "x" }))[0],
      /Application shop creates/,
    );
  });
});

describe("helm-releases-pinned", () => {
  const release = (extra: Record<string, unknown>) => ({
    chart: charts.velero.chart,
    version: charts.velero.version,
    repositoryOpts: { repo: charts.velero.repository },
    ...extra,
  });
  it("passes a release of the catalog's chart, version and repository", () => {
    assert.deepEqual(resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({})), []);
  });
  it("fails another version, a missing one, another repository and a chart the catalog does not pin", () => {
    assert.match(
      resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({ version: "12.0.0" }))[0],
      /the catalog pins 12\.1\.0/,
    );
    assert.match(
      resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", release({ version: undefined }))[0],
      /\(latest\)/,
    );
    assert.match(
      resourceViolations(
        helmReleasesPinned,
        "kubernetes:helm.sh/v3:Release",
        release({ repositoryOpts: { repo: "https://charts.example.com" } }),
      )[0],
      /the catalog pins https:\/\/vmware-tanzu/,
    );
    assert.match(
      resourceViolations(helmReleasesPinned, "kubernetes:helm.sh/v3:Release", {
        chart: "ingress-nginx",
        version: "4.0.0",
      })[0],
      /does not pin/,
    );
  });
});

describe("velero-schedules-imperative-only (stack)", () => {
  const namespace = (name: string, cls: string) =>
    res("kubernetes:core/v1:Namespace", name, {
      metadata: { name, labels: { "phoenix.platform/namespace-class": cls } },
    });
  const velero = (included: unknown[]) =>
    res("kubernetes:helm.sh/v3:Release", "velero", {
      chart: charts.velero.chart,
      values: { schedules: { daily: { template: { includedNamespaces: included } } } },
    });
  const stack = (included: unknown[]) => [
    namespace("ledger", "imperative"),
    namespace("shop", "gitops"),
    namespace("velero", "platform"),
    velero(included),
  ];
  it("passes schedules that name imperative namespaces only", () => {
    assert.deepEqual(stackViolations(veleroSchedulesImperativeOnly, stack(["ledger"])), []);
  });
  it("fails a GitOps or platform namespace, a pattern, and an empty list (which Velero reads as every namespace)", () => {
    assert.deepEqual(stackViolations(veleroSchedulesImperativeOnly, stack(["ledger", "shop"])), [
      "schedule daily includes shop, a GitOps namespace: Argo CD recreates it from Git, and a restore over it fights the sync",
    ]);
    assert.match((stackViolations(veleroSchedulesImperativeOnly, stack(["*"])) as string[])[0], /never a pattern/);
    assert.match((stackViolations(veleroSchedulesImperativeOnly, stack([])) as string[])[0], /names no namespace/);
  });
  it("fails a schedule mixing a platform and a GitOps namespace (known from the Applications) with an imperative one, naming each", () => {
    const bootstrap = res("kubernetes:helm.sh/v3:Release", "bootstrap", {
      chart: charts.argocdApps.chart,
      values: { applications: { catalog: { destination: { namespace: "catalog" } } } },
    });
    const mixed = [
      namespace("ledger", "imperative"),
      namespace("velero", "platform"),
      bootstrap,
      velero(["ledger", "velero", "catalog"]),
    ];
    assert.deepEqual(stackViolations(veleroSchedulesImperativeOnly, mixed), [
      "schedule daily includes velero, a platform namespace: Pulumi recreates it, and a restore over it fights the release",
      "schedule daily includes catalog, a GitOps namespace: Argo CD recreates it from Git, and a restore over it fights the sync",
    ]);
  });
  it("checks Schedule objects as well as the chart's values, and refuses includeClusterResources: true", () => {
    const schedule = (template: Record<string, unknown>) =>
      res("kubernetes:velero.io/v1:Schedule", "hourly", {
        metadata: { name: "hourly" },
        spec: { schedule: "@hourly", template },
      });
    assert.deepEqual(
      stackViolations(veleroSchedulesImperativeOnly, [
        namespace("ledger", "imperative"),
        schedule({ includedNamespaces: ["ledger"] }),
      ]),
      [],
    );
    assert.deepEqual(
      stackViolations(veleroSchedulesImperativeOnly, [
        namespace("ledger", "imperative"),
        schedule({ includedNamespaces: ["ledger", "shop"] }),
      ]),
      ["schedule hourly includes shop, which is not an imperative namespace of this stack"],
    );
    assert.match(
      (
        stackViolations(veleroSchedulesImperativeOnly, [
          namespace("ledger", "imperative"),
          velero(["ledger"]),
          schedule({ includedNamespaces: ["ledger"], includeClusterResources: true }),
        ]) as string[]
      )[0],
      /includeClusterResources: true/,
    );
  });
  it("is not applicable without Velero (the storage stack)", () => {
    assert.equal(stackViolations(veleroSchedulesImperativeOnly, [namespace("ledger", "imperative")]), "not applicable");
  });
});
