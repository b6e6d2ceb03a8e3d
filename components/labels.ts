/**
 * Label and annotation keys shared by the layers and the live audit. Dependency-free on
 * purpose: the audit CLI imports these without loading the Pulumi SDK.
 */

/** Label every namespace Phoenix creates or stamps carries, with its inventory class as the value. */
export const NAMESPACE_CLASS_LABEL = "phoenix.platform/namespace-class";

/** Label naming who owns (recreates) a namespace. */
export const NAMESPACE_OWNER_LABEL = "phoenix.platform/owner";

/** Argo CD's resource tracking annotation (the 3.x default method) and its instance label (Argo CD docs, "Resource Tracking"; argo-helm values.yaml). */
export const ARGOCD_TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";
export const ARGOCD_INSTANCE_LABEL = "argocd.argoproj.io/instance";
