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

/**
 * Pod Security Standards levels (Kubernetes docs, "Pod Security Standards"): what the
 * built-in Pod Security admission enforces on a namespace's pods.
 */
export const POD_SECURITY_LEVELS = ["restricted", "baseline", "privileged"] as const;

/** A Pod Security Standards level. */
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Label that sets the level Pod Security admission enforces (Kubernetes docs, "Enforce Pod Security Standards with namespace labels"). */
export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/**
 * The Pod Security labels of a namespace: `level` enforced and warned about, both pinned
 * to the policy version of `kubernetesMinor` (the control plane's), so an upgrade never
 * tightens a level unseen; the audit log records anything beyond `restricted` everywhere.
 */
export function podSecurityLabels(level: PodSecurityLevel, kubernetesMinor: string): Record<string, string> {
  const version = `v${kubernetesMinor}`;
  return {
    [POD_SECURITY_ENFORCE_LABEL]: level,
    "pod-security.kubernetes.io/enforce-version": version,
    "pod-security.kubernetes.io/warn": level,
    "pod-security.kubernetes.io/warn-version": version,
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": version,
  };
}
