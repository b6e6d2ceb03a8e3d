/**
 * Layer 3, apps: bootstraps the workloads through Argo CD from Git (AppProjects, the
 * root Application, the declared Applications, private-repository credentials), and
 * creates the imperative namespaces (the state Velero protects) with their labels, Pod
 * Security level, default-deny NetworkPolicy and optional quotas.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts, kubernetesVersion } from "../catalog";
import { podSecurityLabels } from "../labels";
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
import type { GuardedNamespaces } from "./podSecurityGuard";
import { imperativeNamespace, podSecurityGuardResources, type ImperativeNamespace } from "./namespaces";
import { TYPE_TOKENS } from "../typeTokens";

export * from "./namespaces";

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
    const guard = podSecurityGuardResources(plannedPodSecurity(args.applications, args.imperativeNamespaces), k8sOpts);

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
    const namespaces = args.imperativeNamespaces.map((ns) => imperativeNamespace(ns, args.labels, k8sOpts, guard));
    this.imperativeNamespaces = pulumi.all(namespaces.map((n) => n.metadata.name));
    this.registerOutputs({ imperativeNamespaces: this.imperativeNamespaces });
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
