/**
 * Layer 3, apps: bootstraps the workloads through Argo CD from Git (AppProjects, the
 * root Application, the declared Applications, private-repository credentials), and
 * creates the imperative namespaces (the state Velero protects) with their labels, Pod
 * Security level, default-deny NetworkPolicy and optional quotas.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts, kubernetesVersion } from "../catalog";
import { podSecurityLabels, type PodSecurityLevel } from "../labels";
import {
  ARGOCD_SECRET_TYPE_LABEL,
  bootstrapValues,
  LOCKED_DEFAULT_PROJECT,
  repoCredentialData,
  type DeclaredApplication,
  type GitSource,
  type GroupKind,
  type NamespaceLabelKeys,
  type RepoCredentials,
} from "./applications";
import { podSecurityGuard, type GuardedNamespaces } from "./podSecurityGuard";
import { TYPE_TOKENS } from "../typeTokens";

/** CPU and memory quantities. */
export interface Quantities {
  readonly cpu?: string;
  readonly memory?: string;
}

/** Only the quantities that are set (a LimitRange rejects empty values). */
function setQuantities(q: Quantities | undefined): Record<string, string> | undefined {
  const set = Object.entries(q ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return set.length > 0 ? Object.fromEntries(set) : undefined;
}

/** An imperative namespace Phoenix creates. */
export interface ImperativeNamespace {
  /** Namespace name. */
  readonly name: string;
  /** Team that owns its state (owner label value). */
  readonly owner: string;
  /** ResourceQuota `hard` limits, when set. */
  readonly resourceQuota?: Readonly<Record<string, string>>;
  /** LimitRange container defaults, when set. */
  readonly limitRange?: { readonly default?: Quantities; readonly defaultRequest?: Quantities };
  /** Pod Security level it enforces. */
  readonly podSecurity: PodSecurityLevel;
  /** A default-deny NetworkPolicy (ingress and egress, DNS allowed); off only where the stack says so. */
  readonly defaultDeny: boolean;
}

/** Name of the default-deny NetworkPolicy in each imperative namespace. */
export const DEFAULT_DENY_POLICY = "phoenix-default-deny";

/**
 * A NetworkPolicy that selects every pod of the namespace and allows nothing in or out
 * but DNS queries to CoreDNS (Kubernetes docs, "Network Policies": default deny all
 * ingress and egress). What a workload needs beyond it is its own NetworkPolicy, which
 * adds to this one.
 */
export function defaultDenySpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  };
}

/** Arguments of the apps layer. */
export interface AppsArgs {
  /** Kubernetes provider of the target cluster. */
  readonly provider: k8s.Provider;
  /** Namespace Argo CD runs in. */
  readonly argocdNamespace: string;
  /** The Argo CD release: the bootstrap waits for it and for nothing else. */
  readonly argocdRelease: pulumi.Resource;
  /** Source of the root Application (app of apps). */
  readonly root: GitSource;
  /** Applications Phoenix declares. */
  readonly applications: readonly DeclaredApplication[];
  /** Credentials for a private repository (secret parts as given: they are stored as secrets). */
  readonly credentials?: RepoCredentials;
  /** Imperative namespaces to create (from the inventory). */
  readonly imperativeNamespaces: readonly ImperativeNamespace[];
  /** Label keys for a namespace's class and its owner. */
  readonly labels: NamespaceLabelKeys;
  /** Namespaced kinds Git may create beyond the workload kinds. */
  readonly allowedKinds?: readonly GroupKind[];
}

/** The Pod Security labels of every namespace the apps layer makes or has Argo CD make. */
export function plannedPodSecurity(
  applications: readonly DeclaredApplication[],
  imperative: readonly ImperativeNamespace[],
): GuardedNamespaces {
  return Object.fromEntries([
    ...applications.map(
      (a) => [a.namespace, podSecurityLabels(a.podSecurity ?? "restricted", kubernetesVersion)] as const,
    ),
    ...imperative.map((n) => [n.name, podSecurityLabels(n.podSecurity, kubernetesVersion)] as const),
  ]);
}

/** Layer 3: GitOps bootstrap and imperative namespaces. */
export class Apps extends pulumi.ComponentResource {
  /** The argocd-apps release holding the AppProjects and the root Application. */
  public readonly bootstrap: k8s.helm.v3.Release;
  /** Imperative namespaces created here. */
  public readonly imperativeNamespaces: pulumi.Output<string[]>;

  constructor(name: string, args: AppsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.apps, name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const guard = this.guardPodSecurity(args, k8sOpts);

    const credentials = repositorySecrets(args, k8sOpts);
    this.bootstrap = new k8s.helm.v3.Release(
      "bootstrap",
      {
        name: "bootstrap",
        chart: charts.argocdApps.chart,
        version: charts.argocdApps.version,
        repositoryOpts: { repo: charts.argocdApps.repository },
        namespace: args.argocdNamespace,
        createNamespace: false,
        values: bootstrapValues({
          argocdNamespace: args.argocdNamespace,
          root: args.root,
          applications: args.applications,
          labels: args.labels,
          allowedKinds: args.allowedKinds,
        }),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
      },
      // The Application CRDs come with the Argo CD release; a private root needs its
      // credentials before the first sync.
      { ...k8sOpts, dependsOn: [args.argocdRelease, ...credentials, ...guard] },
    );

    lockDefaultProject(args, k8sOpts);
    const namespaces = args.imperativeNamespaces.map((ns) => imperativeNamespace(ns, args, k8sOpts, guard));
    this.imperativeNamespaces = pulumi.all(namespaces.map((n) => n.metadata.name));
    this.registerOutputs({ imperativeNamespaces: this.imperativeNamespaces });
  }

  /** The admission guard of the namespaces' Pod Security labels (./podSecurityGuard.ts); none when there is no namespace. */
  private guardPodSecurity(args: AppsArgs, k8sOpts: pulumi.CustomResourceOptions): pulumi.Resource[] {
    const planned = plannedPodSecurity(args.applications, args.imperativeNamespaces);
    if (Object.keys(planned).length === 0) return [];
    const { policy, binding } = podSecurityGuard(planned);
    const vap = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy("pod-security-guard", policy, k8sOpts);
    return [
      vap,
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding("pod-security-guard", binding, {
        ...k8sOpts,
        dependsOn: [vap],
      }),
    ];
  }
}

/** The root repository's Argo CD secret and its owner's credential template; none without credentials. */
function repositorySecrets(args: AppsArgs, k8sOpts: pulumi.CustomResourceOptions): k8s.core.v1.Secret[] {
  // The root repository as an Argo CD repository secret, and the credentials as a
  // credential template for the repository's owner: repository secrets without
  // credentials of their own take them from the matching template, so the token or
  // key is stored once and also serves every other repository of that owner. The
  // template's stringData is a Pulumi secret, so it is encrypted in state.
  return args.credentials
    ? [
        new k8s.core.v1.Secret(
          "repo-credentials",
          {
            metadata: {
              name: "phoenix-repo-credentials",
              namespace: args.argocdNamespace,
              labels: { [ARGOCD_SECRET_TYPE_LABEL]: "repo-creds" },
            },
            stringData: pulumi.secret(repoCredentialData(args.root.repoURL, args.credentials)),
          },
          // The namespace and Argo CD's secret watch come with the Argo CD release.
          { ...k8sOpts, dependsOn: [args.argocdRelease] },
        ),
        new k8s.core.v1.Secret(
          "root-repository",
          {
            metadata: {
              name: "phoenix-root-repository",
              namespace: args.argocdNamespace,
              labels: { [ARGOCD_SECRET_TYPE_LABEL]: "repository" },
            },
            stringData: { type: "git", url: args.root.repoURL },
          },
          { ...k8sOpts, dependsOn: [args.argocdRelease] },
        ),
      ]
    : [];
}

/** Locks down Argo CD's `default` AppProject. */
function lockDefaultProject(args: AppsArgs, k8sOpts: pulumi.CustomResourceOptions): void {
  // Argo CD's server creates `default` wide open at start. Server-side apply with force
  // takes over the fields Phoenix sets and empties them.
  new k8s.apiextensions.CustomResourcePatch(
    "default-project",
    {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AppProject",
      metadata: {
        name: "default",
        namespace: args.argocdNamespace,
        annotations: { "pulumi.com/patchForce": "true" },
      },
      spec: LOCKED_DEFAULT_PROJECT,
    },
    { ...k8sOpts, dependsOn: [args.argocdRelease] },
  );
}

/** One imperative namespace with its default-deny NetworkPolicy, ResourceQuota and LimitRange as set. */
function imperativeNamespace(
  ns: ImperativeNamespace,
  args: AppsArgs,
  k8sOpts: pulumi.CustomResourceOptions,
  guard: pulumi.Resource[],
): k8s.core.v1.Namespace {
  const namespace = new k8s.core.v1.Namespace(
    ns.name,
    {
      metadata: {
        name: ns.name,
        labels: {
          [args.labels.namespaceClass]: "imperative",
          [args.labels.owner]: ns.owner,
          ...podSecurityLabels(ns.podSecurity, kubernetesVersion),
        },
      },
    },
    // Deleting the stack must not delete the only copy of imperative state with it.
    // The guard first, so a changed level is allowed before it is written.
    { ...k8sOpts, retainOnDelete: true, dependsOn: guard },
  );
  const inNs = { ...k8sOpts, dependsOn: [namespace] };
  if (ns.defaultDeny) {
    new k8s.networking.v1.NetworkPolicy(
      `${ns.name}-default-deny`,
      { metadata: { name: DEFAULT_DENY_POLICY, namespace: ns.name }, spec: defaultDenySpec() },
      inNs,
    );
  }
  if (ns.resourceQuota) {
    new k8s.core.v1.ResourceQuota(
      ns.name,
      { metadata: { name: "phoenix", namespace: ns.name }, spec: { hard: { ...ns.resourceQuota } } },
      inNs,
    );
  }
  if (ns.limitRange) {
    new k8s.core.v1.LimitRange(
      ns.name,
      {
        metadata: { name: "phoenix", namespace: ns.name },
        spec: {
          limits: [
            {
              type: "Container",
              default: setQuantities(ns.limitRange.default),
              defaultRequest: setQuantities(ns.limitRange.defaultRequest),
            },
          ],
        },
      },
      inNs,
    );
  }
  return namespace;
}
