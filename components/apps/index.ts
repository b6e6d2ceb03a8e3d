/**
 * Layer 3, apps: bootstraps the workloads through Argo CD from Git, and creates the
 * imperative namespaces (the state Velero protects) with their class label.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts } from "../catalog";
import { bootstrapValues, type DeclaredApplication, type GitSource } from "./applications";

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
  /** Imperative namespaces to create (from the inventory). */
  readonly imperativeNamespaces: readonly string[];
  /** Label key for a namespace's class, and for its owner. */
  readonly labels: { readonly namespaceClass: string; readonly owner: string };
}

/** Layer 3: GitOps bootstrap and imperative namespaces. */
export class Apps extends pulumi.ComponentResource {
  /** The argocd-apps release holding the root Application. */
  public readonly bootstrap: k8s.helm.v3.Release;
  /** Imperative namespaces created here. */
  public readonly imperativeNamespaces: pulumi.Output<string[]>;

  constructor(name: string, args: AppsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("phoenix:apps:Apps", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };

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
          namespaceLabels: { [args.labels.namespaceClass]: "gitops", [args.labels.owner]: "argocd" },
        }),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
      },
      // The Application CRDs come with the Argo CD release.
      { ...k8sOpts, dependsOn: [args.argocdRelease] },
    );

    const namespaces = args.imperativeNamespaces.map(
      (ns) =>
        new k8s.core.v1.Namespace(
          ns,
          { metadata: { name: ns, labels: { [args.labels.namespaceClass]: "imperative", [args.labels.owner]: "phoenix" } } },
          // Deleting the stack must not delete the only copy of imperative state with it.
          { ...k8sOpts, retainOnDelete: true },
        ),
    );
    this.imperativeNamespaces = pulumi.all(namespaces.map((n) => n.metadata.name));
    this.registerOutputs({ imperativeNamespaces: this.imperativeNamespaces });
  }
}
