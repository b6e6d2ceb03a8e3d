/**
 * Pure builders for the GitOps bootstrap: the argocd-apps chart values holding the
 * AppProjects, the root Application (app of apps) and the Applications Phoenix declares,
 * and the Argo CD repository secret for a private repository.
 */
import { charts, kubernetesVersion } from "../catalog";
import { podSecurityLabels, type PodSecurityLevel } from "../labels";
import type { HelmValues, RenderedResources } from "../types";

/** In-cluster API server address as Argo CD names it. */
export const IN_CLUSTER = "https://kubernetes.default.svc";

/** Where the root Application syncs from. */
export interface GitSource {
  /** Git repository URL. */
  readonly repoURL: string;
  /** Branch, tag or commit. */
  readonly targetRevision: string;
  /** Path in the repository; per region by default. */
  readonly path: string;
}

/** How Argo CD syncs an Application. */
export interface SyncPolicy {
  /** Sync on every change in Git. */
  readonly automated: boolean;
  /** Delete what was removed from Git. */
  readonly prune: boolean;
  /** Undo changes made in the cluster by hand. */
  readonly selfHeal: boolean;
}

/** An Application Phoenix declares. */
export interface DeclaredApplication {
  /** Application name. */
  readonly name: string;
  /** Path of its manifests. */
  readonly path: string;
  /** Destination namespace (a GitOps namespace). */
  readonly namespace: string;
  /** Repository, when not the root's. */
  readonly repoURL?: string;
  /** Revision, when not the root's. */
  readonly targetRevision?: string;
  /** Sync policy; automated with prune and self-heal when absent. */
  readonly syncPolicy?: SyncPolicy;
  /** Pod Security level of the namespace Argo CD creates for it; restricted when absent. */
  readonly podSecurity?: PodSecurityLevel;
}

/** A namespaced kind, as an AppProject's resource lists name it. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Label keys Phoenix stamps on namespaces. */
export interface NamespaceLabelKeys {
  /** Key of the inventory class label. */
  readonly namespaceClass: string;
  /** Key of the owner label. */
  readonly owner: string;
}

/** Everything the bootstrap values are built from. */
export interface BootstrapInput {
  /** Namespace Argo CD runs in; Applications live there. */
  readonly argocdNamespace: string;
  /** Source of the root Application. */
  readonly root: GitSource;
  /** Declared Applications. */
  readonly applications: readonly DeclaredApplication[];
  /** Label keys stamped on every GitOps namespace Argo CD creates. */
  readonly labels: NamespaceLabelKeys;
  /** Namespaced kinds Git may create beyond `WORKLOAD_KINDS` (a stack's `phoenix:gitops.allowedKinds`). */
  readonly allowedKinds?: readonly GroupKind[];
}

/**
 * The namespaced kinds Git may create in a GitOps namespace: what a workload is made
 * of. Not Argo CD's own kinds (an app would escape its project), not ResourceQuota or
 * LimitRange (the platform's), nothing cluster-scoped. A stack adds what its apps need
 * with `phoenix:gitops.allowedKinds`.
 */
export const WORKLOAD_KINDS: readonly GroupKind[] = [
  { group: "", kind: "ConfigMap" },
  { group: "", kind: "Secret" },
  { group: "", kind: "Service" },
  { group: "", kind: "ServiceAccount" },
  { group: "", kind: "PersistentVolumeClaim" },
  { group: "apps", kind: "Deployment" },
  { group: "apps", kind: "StatefulSet" },
  { group: "batch", kind: "Job" },
  { group: "batch", kind: "CronJob" },
  { group: "autoscaling", kind: "HorizontalPodAutoscaler" },
  { group: "policy", kind: "PodDisruptionBudget" },
  { group: "networking.k8s.io", kind: "Ingress" },
  { group: "networking.k8s.io", kind: "NetworkPolicy" },
  { group: "rbac.authorization.k8s.io", kind: "Role" },
  { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
  { group: "gateway.networking.k8s.io", kind: "HTTPRoute" },
  { group: "gateway.networking.k8s.io", kind: "GRPCRoute" },
  { group: "cert-manager.io", kind: "Certificate" },
];

/** Name of the root Application. */
export const ROOT_APP = "root";

/** AppProject of the root Application: it may only create Applications, in Argo CD's namespace. */
export const ROOT_PROJECT = "phoenix-root";

/** AppProject of every workload Application, declared here or by the root from Git. */
export const APPS_PROJECT = "phoenix-apps";

/** Owner label value of a GitOps namespace: the Application that recreates it. */
export function gitopsOwner(app: string): string {
  return `argocd.${app}`;
}

function syncPolicyOf(p: SyncPolicy | undefined): Record<string, unknown> {
  const policy = p ?? { automated: true, prune: true, selfHeal: true };
  return policy.automated ? { automated: { prune: policy.prune, selfHeal: policy.selfHeal } } : {};
}

/**
 * The AppProjects. Destinations are exactly the inventory's GitOps namespaces, so an
 * Application the root creates from Git for any other namespace is refused by Argo CD
 * itself: what Git can deploy to is what the inventory classifies `gitops`. The built-in
 * `default` project is not here: Argo CD's server creates it at start, so Helm could
 * never own it; the apps layer empties it with a patch (`LOCKED_DEFAULT_PROJECT`).
 */
export function appProjects(input: BootstrapInput): Record<string, unknown> {
  const repos = [
    ...new Set([input.root.repoURL, ...input.applications.map((a) => a.repoURL ?? input.root.repoURL)]),
  ].sort();
  const namespaces = [...new Set(input.applications.map((a) => a.namespace))].sort();
  return {
    [ROOT_PROJECT]: {
      namespace: input.argocdNamespace,
      // The chart writes descriptions unquoted (argocd-apps templates/projects.yaml:32@2.0.5):
      // a ": " in one breaks the rendered YAML and the release. Found by `helm template` in
      // test/e2e/scenarios/admission.e2e.ts.
      description: "The root Application (app of apps), for Applications in Argo CD's namespace and nothing else",
      sourceRepos: [input.root.repoURL],
      destinations: [{ server: IN_CLUSTER, namespace: input.argocdNamespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: "argoproj.io", kind: "Application" }],
    },
    [APPS_PROJECT]: {
      namespace: input.argocdNamespace,
      description: "Workloads synced from Git, into the stack's GitOps namespaces only",
      sourceRepos: repos,
      destinations: namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
      // Only its own Namespaces (CreateNamespace needs them whitelisted), by name: a
      // Namespace manifest for `velero` or an imperative namespace in some app's path
      // would otherwise be adopted, and pruned with its volumes once removed from Git.
      // Nothing else cluster-wide: CRDs, ClusterRoles and webhooks are Pulumi's.
      clusterResourceWhitelist: namespaces.map((name) => ({ group: "", kind: "Namespace", name })),
      // Only the kinds a workload is made of (Argo CD docs, "Projects": a non-empty
      // namespaceResourceWhitelist allows nothing else).
      namespaceResourceWhitelist: [...WORKLOAD_KINDS, ...(input.allowedKinds ?? [])].map((k) => ({
        group: k.group,
        kind: k.kind,
      })),
      // Argo CD's own objects would let an app escape its project, whatever is whitelisted.
      namespaceResourceBlacklist: [{ group: "argoproj.io", kind: "*" }],
    },
  };
}

/**
 * The spec the built-in `default` AppProject is patched to: nothing allowed, so no
 * Application can escape the two Phoenix projects by naming `default`.
 */
export const LOCKED_DEFAULT_PROJECT = {
  description: "Locked by Phoenix: every Application belongs to phoenix-root or phoenix-apps",
  sourceRepos: [],
  destinations: [],
  clusterResourceWhitelist: [],
  namespaceResourceWhitelist: [],
} as const;

/**
 * Value paths of the argocd-apps chart whose keys it does not enumerate (chart
 * conformance accepts any key below them): maps keyed by object name. Applications and
 * AppProjects are checked against their CRDs instead; ApplicationSets are not checked yet.
 */
export const BOOTSTRAP_FREE_FORM_VALUES: readonly string[] = ["applications", "projects", "applicationsets"];

/** The bootstrap's Applications and AppProjects, for chart conformance to check against their CRDs. */
export const BOOTSTRAP_RENDERED_RESOURCES: readonly RenderedResources[] = [
  {
    // argocd-apps 2.x templates/applications.yaml and the values.yaml example: the CRD ships with the argo-cd chart, not with argocd-apps.
    chart: charts.argocdApps.chart,
    at: "applications",
    kind: "Application",
    version: "v1alpha1",
    crdChart: charts.argocd.chart,
    ownKeys: ["namespace", "additionalLabels", "additionalAnnotations", "finalizers"],
    specKeys: [
      "project",
      "source",
      "sources",
      "sourceHydrator",
      "destination",
      "syncPolicy",
      "revisionHistoryLimit",
      "ignoreDifferences",
      "info",
    ],
  },
  {
    // argocd-apps 2.x templates/projects.yaml, limited to the keys the 2.0.5 values.yaml
    // example shows (newer templates also render destinationServiceAccounts).
    chart: charts.argocdApps.chart,
    at: "projects",
    kind: "AppProject",
    version: "v1alpha1",
    crdChart: charts.argocd.chart,
    ownKeys: ["namespace", "additionalLabels", "additionalAnnotations", "finalizers"],
    specKeys: [
      "permitOnlyProjectScopedClusters",
      "description",
      "sourceRepos",
      "destinations",
      "clusterResourceWhitelist",
      "clusterResourceBlacklist",
      "namespaceResourceBlacklist",
      "namespaceResourceWhitelist",
      "orphanedResources",
      "roles",
      "syncWindows",
      "signatureKeys",
      "sourceNamespaces",
    ],
  },
];

/**
 * Values for the argocd-apps chart (2.x: `applications` and `projects` are maps keyed by
 * name: the chart's values.yaml). No Application carries the resources finalizer: removing
 * the bootstrap (or the whole apps layer) must orphan workloads, never cascade-delete them.
 */
export function bootstrapValues(input: BootstrapInput): HelmValues {
  const applications: Record<string, unknown> = {
    [ROOT_APP]: {
      namespace: input.argocdNamespace,
      project: ROOT_PROJECT,
      source: {
        repoURL: input.root.repoURL,
        targetRevision: input.root.targetRevision,
        path: input.root.path,
        directory: { recurse: true },
      },
      // The root only holds Application manifests, which live in Argo CD's namespace.
      destination: { server: IN_CLUSTER, namespace: input.argocdNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
  for (const app of input.applications) {
    applications[app.name] = {
      namespace: input.argocdNamespace,
      project: APPS_PROJECT,
      source: {
        repoURL: app.repoURL ?? input.root.repoURL,
        targetRevision: app.targetRevision ?? input.root.targetRevision,
        path: app.path,
      },
      destination: { server: IN_CLUSTER, namespace: app.namespace },
      syncPolicy: {
        ...syncPolicyOf(app.syncPolicy),
        // CreateNamespace does not track the namespace; managedNamespaceMetadata stamps
        // it with its class and owner so the live audit can tell it is GitOps-owned
        // (Argo CD docs, "Sync Options: Namespace Auto-Creation", managedNamespaceMetadata).
        syncOptions: ["CreateNamespace=true"],
        // Its Pod Security level too: restricted unless the stack says otherwise.
        managedNamespaceMetadata: {
          labels: {
            [input.labels.namespaceClass]: "gitops",
            [input.labels.owner]: gitopsOwner(app.name),
            ...podSecurityLabels(app.podSecurity ?? "restricted", kubernetesVersion),
          },
        },
      },
    };
  }
  return { projects: appProjects(input), applications };
}

/** Credentials for a private repository. */
export type RepoCredentials =
  | { readonly type: "https"; readonly username: string; readonly token: string }
  | { readonly type: "ssh"; readonly sshPrivateKey: string };

/** Label that makes a Secret an Argo CD credential template (Argo CD declarative setup: `repo-creds`). */
export const ARGOCD_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/**
 * The URL prefix the credentials apply to: the repository's host and owner, so one
 * secret serves the root repository and every repository beside it
 * (`https://github.com/org/`, `git@github.com:org/`).
 */
export function credentialPrefix(repoURL: string): string {
  const scp = /^(git@[^:]+:)([^/]+)\//.exec(repoURL);
  if (scp) return `${scp[1]}${scp[2]}/`;
  const url = new URL(repoURL);
  const owner = url.pathname.split("/").filter(Boolean)[0] ?? "";
  const user = url.username ? `${url.username}@` : "";
  return `${url.protocol}//${user}${url.host}/${owner ? `${owner}/` : ""}`;
}

/** `stringData` of the Argo CD credential-template Secret. */
export function repoCredentialData(repoURL: string, creds: RepoCredentials): Record<string, string> {
  const base = { type: "git", url: credentialPrefix(repoURL) };
  return creds.type === "https"
    ? { ...base, username: creds.username, password: creds.token }
    : { ...base, sshPrivateKey: creds.sshPrivateKey };
}
