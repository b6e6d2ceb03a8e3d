/**
 * Layer 3 under the offline mock runtime, against a provider of some other cluster:
 * AppProjects, the root and declared Applications, repository credentials, and the
 * imperative namespaces with their labels, Pod Security level, default-deny
 * NetworkPolicy, quotas and limits.
 */
import * as k8s from "@pulumi/kubernetes";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Apps, DEFAULT_DENY_POLICY, type AppsArgs } from "../../components/apps";
import {
  APPS_PROJECT,
  bootstrapValues,
  credentialPrefix,
  IN_CLUSTER,
  repoCredentialData,
  ROOT_PROJECT,
  WORKLOAD_KINDS,
  type BootstrapInput,
} from "../../components/apps/applications";
import { charts, kubernetesVersion } from "../../components/catalog";
import { POD_SECURITY_ENFORCE_LABEL, podSecurityLabels } from "../../components/labels";
import { evaluateOffline, SECRET, type RecordedResource } from "../../cli/plan/runtime";
import { at, ofType, one } from "../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const labels = { namespaceClass: "class", owner: "owner" };

async function runApps(extra: Partial<AppsArgs> = {}) {
  return evaluateOffline({ project: "phoenix", stack: "unit", config: { "aws:region": "ap-south-2" } }, () => {
    const provider = new k8s.Provider("any", { kubeconfig: "{}" });
    const argocd = new k8s.helm.v3.Release("argocd-elsewhere", { chart: "argo-cd" }, { provider });
    return new Apps("apps", {
      provider,
      argocdNamespace: "gitops-system",
      argocdRelease: argocd,
      root: { repoURL: "https://git.example.com/org/g.git", targetRevision: "main", path: "clusters/x" },
      applications: [{ name: "shop", path: "apps/shop", namespace: "shop" }],
      imperativeNamespaces: [
        { name: "ledger", owner: "payments", podSecurity: "restricted", defaultDeny: true },
        {
          name: "models",
          owner: "ml",
          resourceQuota: { "requests.storage": "500Gi" },
          limitRange: { default: { memory: "1Gi" }, defaultRequest: { cpu: "100m" } },
          podSecurity: "baseline",
          defaultDeny: false,
        },
      ],
      labels,
      ...extra,
    });
  });
}

const urnOf = (rs: readonly RecordedResource[], type: string, name: string): string => one(rs, type, name).urn;

describe("apps layer", () => {
  it("guards the Pod Security labels of every namespace it makes or has Argo CD make, before writing any", async () => {
    const { resources } = await runApps();
    const policy = one(
      resources,
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
      "pod-security-guard",
    );
    const binding = one(
      resources,
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
      "pod-security-guard",
    );
    assert.match(String(at(policy.inputs, "spec", "matchConditions", 0, "expression")), /\["ledger","models","shop"\]/);
    for (const dependent of [
      one(resources, RELEASE, "bootstrap"),
      ...ofType(resources, "kubernetes:core/v1:Namespace"),
    ]) {
      assert.ok(dependent.dependencies.includes(binding.urn), `${dependent.name} waits for the guard`);
    }
  });

  it("bootstraps through the given Argo CD release and provider, and creates labelled imperative namespaces that survive destroy", async () => {
    const { resources } = await runApps();
    const providerUrn = urnOf(resources, "pulumi:providers:kubernetes", "any");
    const bootstrap = one(resources, RELEASE, "bootstrap");
    assert.equal(bootstrap.providerUrn, providerUrn);
    assert.deepEqual(
      [bootstrap.inputs.chart, bootstrap.inputs.version, bootstrap.inputs.namespace],
      [charts.argocdApps.chart, charts.argocdApps.version, "gitops-system"],
    );
    assert.ok(
      bootstrap.dependencies.includes(urnOf(resources, RELEASE, "argocd-elsewhere")),
      "waits for the Argo CD release",
    );
    const namespaces = ofType(resources, "kubernetes:core/v1:Namespace");
    assert.deepEqual(namespaces.map((n) => [n.name, at(n.inputs, "metadata", "labels")]).sort(), [
      ["ledger", { class: "imperative", owner: "payments", ...podSecurityLabels("restricted", kubernetesVersion) }],
      ["models", { class: "imperative", owner: "ml", ...podSecurityLabels("baseline", kubernetesVersion) }],
    ]);
    for (const r of resources.filter((x) => x.type.startsWith("kubernetes:") && x.name !== "argocd-elsewhere"))
      assert.equal(r.providerUrn, providerUrn, r.name);
    for (const n of namespaces) assert.equal(n.options.retainOnDelete, true);
  });

  it("denies all traffic in and out of an imperative namespace but DNS, unless the stack turns it off there", async () => {
    const { resources } = await runApps();
    const policies = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    assert.deepEqual(
      policies.map((p) => [at(p.inputs, "metadata", "namespace"), at(p.inputs, "metadata", "name")]),
      [["ledger", DEFAULT_DENY_POLICY]],
    );
    const spec = at(policies[0].inputs, "spec") as {
      podSelector: unknown;
      policyTypes: string[];
      ingress?: unknown;
      egress: { to: unknown[]; ports: { port: number }[] }[];
    };
    assert.deepEqual(
      [spec.podSelector, spec.policyTypes, spec.ingress],
      [{}, ["Ingress", "Egress"], undefined],
      "every pod, both directions, no ingress rule at all",
    );
    assert.deepEqual(
      spec.egress.map((e) => e.ports.map((p) => p.port)),
      [[53, 53]],
      "DNS only",
    );
    assert.deepEqual(spec.egress[0].to, [
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
      },
    ]);
    assert.ok(policies[0].dependencies.includes(urnOf(resources, "kubernetes:core/v1:Namespace", "ledger")));
  });

  it("empties the built-in default AppProject with a forced server-side patch, after Argo CD is up", async () => {
    const { resources } = await runApps();
    const patch = one(resources, "kubernetes:argoproj.io/v1alpha1:AppProjectPatch", "default-project");
    assert.deepEqual(at(patch.inputs, "metadata"), {
      name: "default",
      namespace: "gitops-system",
      annotations: { "pulumi.com/patchForce": "true" },
    });
    assert.deepEqual(
      [
        at(patch.inputs, "spec", "sourceRepos"),
        at(patch.inputs, "spec", "destinations"),
        at(patch.inputs, "spec", "clusterResourceWhitelist"),
      ],
      [[], [], []],
    );
    assert.ok(patch.dependencies.includes(urnOf(resources, RELEASE, "argocd-elsewhere")));
  });

  it("sets quotas and limit ranges only where the stack asks, inside their namespace", async () => {
    const { resources } = await runApps();
    const quota = one(resources, "kubernetes:core/v1:ResourceQuota", "models");
    assert.deepEqual(
      [at(quota.inputs, "metadata", "namespace"), at(quota.inputs, "spec", "hard")],
      ["models", { "requests.storage": "500Gi" }],
    );
    assert.ok(quota.dependencies.includes(urnOf(resources, "kubernetes:core/v1:Namespace", "models")));
    assert.deepEqual(at(one(resources, "kubernetes:core/v1:LimitRange", "models").inputs, "spec", "limits"), [
      { type: "Container", default: { memory: "1Gi" }, defaultRequest: { cpu: "100m" } },
    ]);
    assert.deepEqual(
      ofType(resources, "kubernetes:core/v1:ResourceQuota").map((r) => r.name),
      ["models"],
    );
  });

  it("stores private-repository credentials as a secret credential template and declares the root repository, before the bootstrap syncs", async () => {
    const { resources } = await runApps({
      credentials: { type: "https", username: "x-access-token", token: "ghp_secret" },
    });
    const secret = one(resources, "kubernetes:core/v1:Secret", "repo-credentials");
    assert.equal(secret.inputs.stringData, SECRET, "the token never appears in plain text");
    assert.equal(at(secret.inputs, "metadata", "labels", "argocd.argoproj.io/secret-type"), "repo-creds");
    assert.equal(at(secret.inputs, "metadata", "namespace"), "gitops-system");
    assert.ok(one(resources, RELEASE, "bootstrap").dependencies.includes(secret.urn));
    assert.ok(!JSON.stringify(resources).includes("ghp_secret"));
    // The root repository is declared as a repository secret that takes the template's credentials.
    const repo = one(resources, "kubernetes:core/v1:Secret", "root-repository");
    // (@pulumi/kubernetes makes every Secret's data a secret, so only its metadata shows.)
    assert.equal(at(repo.inputs, "metadata", "name"), "phoenix-root-repository");
    assert.equal(at(repo.inputs, "metadata", "labels", "argocd.argoproj.io/secret-type"), "repository");
    assert.ok(one(resources, RELEASE, "bootstrap").dependencies.includes(repo.urn));
    const without = await runApps();
    assert.equal(ofType(without.resources, "kubernetes:core/v1:Secret").length, 0);
  });
});

describe("GitOps bootstrap values", () => {
  const input: BootstrapInput = {
    argocdNamespace: "argocd",
    root: { repoURL: "https://git.example.com/org/gitops.git", targetRevision: "v1.2.0", path: "clusters/eu-west-1" },
    applications: [
      { name: "shop", path: "apps/shop", namespace: "shop" },
      {
        name: "search",
        path: "search",
        namespace: "search",
        repoURL: "git@git.example.com:org/search.git",
        targetRevision: "main",
        syncPolicy: { automated: false, prune: false, selfHeal: false },
        podSecurity: "baseline",
      },
    ],
    labels: { namespaceClass: "phoenix.platform/namespace-class", owner: "phoenix.platform/owner" },
  };
  const v = bootstrapValues(input);
  const apps = at(v, "applications") as Record<string, unknown>;
  const projects = at(v, "projects") as Record<string, unknown>;

  it("writes project descriptions the chart can render unquoted (no ': ', no ' #': argocd-apps templates/projects.yaml:32@2.0.5)", () => {
    for (const [name, p] of Object.entries(projects)) {
      const { description } = p as { description: string };
      assert.doesNotMatch(
        description,
        /: | #|^[-?:,[\]{}#&*!|>'"%@`]/,
        `project ${name}'s description breaks the chart's YAML`,
      );
    }
  });

  it("confines the root to creating Applications in Argo CD's namespace, from the root repository", () => {
    assert.equal(at(apps, "root", "project"), ROOT_PROJECT);
    assert.deepEqual(at(projects, ROOT_PROJECT, "sourceRepos"), ["https://git.example.com/org/gitops.git"]);
    assert.deepEqual(at(projects, ROOT_PROJECT, "destinations"), [{ server: IN_CLUSTER, namespace: "argocd" }]);
    assert.deepEqual(at(projects, ROOT_PROJECT, "namespaceResourceWhitelist"), [
      { group: "argoproj.io", kind: "Application" },
    ]);
    assert.deepEqual(at(projects, ROOT_PROJECT, "clusterResourceWhitelist"), []);
  });

  it("lets workloads deploy only into the declared GitOps namespaces, from the declared repositories", () => {
    assert.deepEqual(at(projects, APPS_PROJECT, "destinations"), [
      { server: IN_CLUSTER, namespace: "search" },
      { server: IN_CLUSTER, namespace: "shop" },
    ]);
    assert.deepEqual(at(projects, APPS_PROJECT, "sourceRepos"), [
      "git@git.example.com:org/search.git",
      "https://git.example.com/org/gitops.git",
    ]);
    // Only its own Namespaces, by name: never velero's, Argo CD's or an imperative one.
    assert.deepEqual(at(projects, APPS_PROJECT, "clusterResourceWhitelist"), [
      { group: "", kind: "Namespace", name: "search" },
      { group: "", kind: "Namespace", name: "shop" },
    ]);
    for (const name of ["shop", "search"]) assert.equal(at(apps, name, "project"), APPS_PROJECT);
    // Argo CD's server owns `default` (it creates it at start): Helm must not declare it.
    assert.deepEqual(Object.keys(projects).sort(), [APPS_PROJECT, ROOT_PROJECT]);
  });

  it("limits what Git may create in a GitOps namespace to the workload kinds, plus what the stack allows, never Argo CD's own", () => {
    assert.deepEqual(
      at(projects, APPS_PROJECT, "namespaceResourceWhitelist"),
      WORKLOAD_KINDS.map((k) => ({ ...k })),
    );
    assert.ok(
      !WORKLOAD_KINDS.some(
        (k) => ["ResourceQuota", "LimitRange", "Namespace"].includes(k.kind) || k.group === "argoproj.io",
      ),
    );
    assert.deepEqual(at(projects, APPS_PROJECT, "namespaceResourceBlacklist"), [{ group: "argoproj.io", kind: "*" }]);
    const wider = bootstrapValues({
      ...input,
      allowedKinds: [{ group: "monitoring.coreos.com", kind: "ServiceMonitor" }],
    });
    assert.deepEqual((at(wider, "projects", APPS_PROJECT, "namespaceResourceWhitelist") as unknown[]).slice(-1), [
      { group: "monitoring.coreos.com", kind: "ServiceMonitor" },
    ]);
  });

  it("stamps every GitOps namespace with its class, owning Application and Pod Security level (restricted unless the stack says otherwise)", () => {
    assert.deepEqual(at(apps, "shop", "syncPolicy", "managedNamespaceMetadata", "labels"), {
      "phoenix.platform/namespace-class": "gitops",
      "phoenix.platform/owner": "argocd.shop",
      ...podSecurityLabels("restricted", kubernetesVersion),
    });
    assert.equal(
      at(apps, "search", "syncPolicy", "managedNamespaceMetadata", "labels", POD_SECURITY_ENFORCE_LABEL),
      "baseline",
    );
    assert.deepEqual(at(apps, "search", "syncPolicy", "syncOptions"), ["CreateNamespace=true"]);
  });

  it("applies each Application's sync policy: automated with prune and self-heal by default, manual when asked", () => {
    assert.deepEqual(at(apps, "shop", "syncPolicy", "automated"), { prune: true, selfHeal: true });
    assert.equal(at(apps, "search", "syncPolicy", "automated"), undefined);
    assert.deepEqual(at(apps, "search", "source"), {
      repoURL: "git@git.example.com:org/search.git",
      targetRevision: "main",
      path: "search",
    });
  });

  it("never puts the cascading finalizer on an Application", () => {
    assert.ok(!JSON.stringify(v).includes("resources-finalizer"));
  });
});

describe("repository credentials", () => {
  it("cover every repository of the root's owner, for https and scp-style ssh URLs", () => {
    assert.equal(
      credentialPrefix("https://github.com/example-org/phoenix-gitops.git"),
      "https://github.com/example-org/",
    );
    assert.equal(credentialPrefix("git@github.com:example-org/phoenix-gitops.git"), "git@github.com:example-org/");
    assert.equal(credentialPrefix("ssh://git@git.example.com/team/repo.git"), "ssh://git@git.example.com/team/");
  });

  it("carry a token as the password, or the SSH key", () => {
    assert.deepEqual(
      repoCredentialData("https://github.com/o/r.git", { type: "https", username: "x-access-token", token: "t" }),
      {
        type: "git",
        url: "https://github.com/o/",
        username: "x-access-token",
        password: "t",
      },
    );
    assert.deepEqual(repoCredentialData("git@github.com:o/r.git", { type: "ssh", sshPrivateKey: "k" }), {
      type: "git",
      url: "git@github.com:o/",
      sshPrivateKey: "k",
    });
  });
});
