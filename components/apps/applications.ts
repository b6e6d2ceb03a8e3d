/**
 * Pure builders for the GitOps bootstrap: the argocd-apps chart values holding the root
 * Application (app of apps) and the Applications Phoenix declares.
 */
import type { HelmValues } from "../types";

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
}

/** Everything the bootstrap values are built from. */
export interface BootstrapInput {
  /** Namespace Argo CD runs in; Applications live there. */
  readonly argocdNamespace: string;
  /** Source of the root Application. */
  readonly root: GitSource;
  /** Declared Applications. */
  readonly applications: readonly DeclaredApplication[];
  /** Label key/value stamped on every GitOps namespace Argo CD creates. */
  readonly namespaceLabels: Readonly<Record<string, string>>;
}

/** Name of the root Application. */
export const ROOT_APP = "root";

/**
 * Values for the argocd-apps chart (2.x: `applications` is a map keyed by name,
 * FIELD-NOTES, Argo CD). No Application carries the resources finalizer: removing the
 * bootstrap (or the whole apps layer) must orphan workloads, never cascade-delete them.
 */
export function bootstrapValues(input: BootstrapInput): HelmValues {
  const applications: Record<string, unknown> = {
    [ROOT_APP]: {
      namespace: input.argocdNamespace,
      project: "default",
      source: { repoURL: input.root.repoURL, targetRevision: input.root.targetRevision, path: input.root.path, directory: { recurse: true } },
      // The root only holds Application manifests, which live in Argo CD's namespace.
      destination: { server: IN_CLUSTER, namespace: input.argocdNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
  for (const app of input.applications) {
    applications[app.name] = {
      namespace: input.argocdNamespace,
      project: "default",
      source: {
        repoURL: app.repoURL ?? input.root.repoURL,
        targetRevision: app.targetRevision ?? input.root.targetRevision,
        path: app.path,
      },
      destination: { server: IN_CLUSTER, namespace: app.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // CreateNamespace does not track the namespace; managedNamespaceMetadata stamps
        // it so the live audit can tell it is GitOps-owned (FIELD-NOTES, Argo CD).
        syncOptions: ["CreateNamespace=true"],
        managedNamespaceMetadata: { labels: { ...input.namespaceLabels } },
      },
    };
  }
  return { applications };
}
