/**
 * Argo CD: the GitOps engine of the apps layer. Installed as a `helm.v3.Release`, not a
 * `helm.v4.Chart`: v4 drops hooks, and Argo CD's `redis-secret-init` job is one
 * (argo-helm #2836).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts } from "../../catalog";
import type { Plugin } from "../contract";
import { argocdSettingsSchema } from "./settings";
import { ARGOCD_NAMESPACE, argocdSecretData, argocdValues } from "./values";

export * from "./settings";
export * from "./values";

/** What Argo CD offers the apps layer. */
export interface ArgocdOutputs {
  /** Namespace Argo CD runs in: Applications and repository secrets go there. */
  readonly namespace: string;
}

/** The Argo CD plugin. */
export const argocd: Plugin<typeof argocdSettingsSchema, undefined, ArgocdOutputs> = {
  id: "argocd",
  chart: charts.argocd,
  namespace: ARGOCD_NAMESPACE,
  releaseName: "argocd",
  settings: argocdSettingsSchema,
  freeFormValues: [
    // argocd-cm data: keys are Argo CD setting names (`application.resourceTrackingMethod`,
    // `resource.customizations.*`, `url`, ...), copied verbatim into the ConfigMap.
    "configs.cm",
    // argocd-cmd-params-cm data: keys are component flags (`server.insecure`, ...).
    "configs.params",
    // argocd-rbac-cm data (`policy.csv`, `policy.default`, `scopes`).
    "configs.rbac",
    // Extra keys of the argocd-secret Secret (e.g. SSO client secrets), named by the user.
    "configs.secret.extra",
    // Maps keyed by a name the user picks (one Secret per entry).
    "configs.repositories",
    "configs.credentialTemplates",
    "configs.clusterCredentials",
    // Kubernetes label/annotation maps and scheduling objects, passed through to every pod.
    "global.podAnnotations",
    "global.podLabels",
    "global.nodeSelector",
    "global.tolerations",
  ],
  // Argo CD is the apps layer's engine: it is always on.
  enabled: () => true,
  // Every Argo CD component and the single Redis run as non-root with RuntimeDefault
  // seccomp and no capabilities (the chart's containerSecurityContext defaults). The
  // redis-ha subchart's HAProxy only sets readOnlyRootFilesystem in the chart's values:
  // HA stays at baseline until its own contexts are checked.
  podSecurity: (settings) => (settings.ha ? "baseline" : "restricted"),
  install(settings, _inputs, ctx) {
    // Declared before the release so the server finds it at first start (it only adds
    // server.secretkey, a field Pulumi's server-side apply does not own). The data is a
    // Pulumi secret: encrypted in state, shown as [secret] in every preview.
    const secret = new k8s.core.v1.Secret(
      `${ctx.name}-secret`,
      {
        metadata: {
          name: "argocd-secret",
          namespace: ARGOCD_NAMESPACE,
          labels: { "app.kubernetes.io/part-of": "argocd" },
        },
        stringData: pulumi.secret(argocdSecretData(settings)),
      },
      { parent: ctx.parent, provider: ctx.provider, dependsOn: [ctx.namespace] },
    );
    return { values: argocdValues(settings), dependsOn: [secret], outputs: { namespace: ARGOCD_NAMESPACE } };
  },
};
