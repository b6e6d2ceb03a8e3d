/**
 * Velero's standing restore modifiers for the imperative namespaces: pure, with no Pulumi
 * import, so the command reads them too (a restore's own modifiers add to them).
 */
import { ARGOCD_INSTANCE_LABEL, ARGOCD_TRACKING_ANNOTATION } from "../../labels";

/**
 * The group-resources whose Argo CD metadata a restore strips. A rule's `groupResource`
 * is a glob over `<resource>.<group>` (internal/resourcemodifiers/resource_modifiers.go:
 * 122@v1.18.1); the kinds an imperative namespace usually holds are listed one by one, so
 * custom resources are not covered (a glob could cover them) and docs/operations/backups.md says so.
 */
export const RESTORED_GROUP_RESOURCES = [
  "persistentvolumeclaims",
  "configmaps",
  "secrets",
  "services",
  "serviceaccounts",
  "pods",
  "deployments.apps",
  "statefulsets.apps",
  "daemonsets.apps",
  "replicasets.apps",
  "jobs.batch",
  "cronjobs.batch",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "ingresses.networking.k8s.io",
  "networkpolicies.networking.k8s.io",
  "poddisruptionbudgets.policy",
  "horizontalpodautoscalers.autoscaling",
] as const;

/**
 * Velero resource modifiers (v1) that remove Argo CD's tracking annotation and instance
 * label from every restored object of the backed-up namespaces: a restored object that
 * still carries them is pruned by Argo CD as soon as it appears (velero
 * #7848). A JSON merge patch (Velero >= 1.13) sets them to null, which is a no-op where
 * they are absent; a JSON patch `remove` would fail on every object without them.
 */
export function restoreModifiers(namespaces: readonly string[]): Record<string, unknown> {
  // A rule without namespaces matches every namespace: with nothing imperative, no rules.
  if (namespaces.length === 0) return { version: "v1", resourceModifierRules: [] };
  const strip = JSON.stringify({
    metadata: { annotations: { [ARGOCD_TRACKING_ANNOTATION]: null }, labels: { [ARGOCD_INSTANCE_LABEL]: null } },
  });
  return {
    version: "v1",
    resourceModifierRules: RESTORED_GROUP_RESOURCES.map((groupResource) => ({
      conditions: { groupResource, namespaces: [...namespaces] },
      mergePatches: [{ patchData: strip }],
    })),
  };
}
