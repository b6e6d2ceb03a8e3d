/**
 * Argo CD: the GitOps engine of the apps layer. Installed as a `helm.v3.Release`, not a
 * `helm.v4.Chart`: v4 drops hooks, and Argo CD's `redis-secret-init` job is one
 * (FIELD-NOTES, argo-helm#2836).
 */
import { z } from "zod";
import { charts } from "../catalog";
import type { HelmValues, Plugin } from "./contract";

/** Stack settings of Argo CD (`phoenix:plugins.argocd`). Production values (SSO, HA) come with the plugins layer issue. */
export const argocdSettingsSchema = z
  .strictObject({}, { error: (i) => (i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.join(", ")}; no settings are defined for argocd yet` : undefined) })
  .prefault({});

/** Validated Argo CD settings. */
export type ArgocdSettings = z.output<typeof argocdSettingsSchema>;

/** Namespace Argo CD runs in; Applications and AppProjects live there too. */
export const ARGOCD_NAMESPACE = "argocd";

/** Helm values for the argo-cd chart. */
export function argocdValues(_settings: ArgocdSettings): HelmValues {
  return {
    // The CRDs ship in templates/; keep them on uninstall so deleting the release never
    // cascades into deleting every Application (FIELD-NOTES, Argo CD).
    crds: { install: true, keep: true },
    configs: {
      cm: {
        // Annotation tracking (the 3.x default, pinned here on purpose): the restore
        // path strips this annotation so Argo does not prune restored objects
        // (FIELD-NOTES, velero #7848).
        "application.resourceTrackingMethod": "annotation",
      },
    },
  };
}

/** The Argo CD plugin. */
export const argocd: Plugin<ArgocdSettings> = {
  id: "argocd",
  chart: charts.argocd,
  namespace: ARGOCD_NAMESPACE,
  releaseName: "argocd",
  // Argo CD is the apps layer's engine: it is always on.
  enabled: () => true,
  install: (settings) => ({ values: argocdValues(settings) }),
};
