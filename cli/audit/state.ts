/** State: what a namespace holds that neither code nor Git recreates. */
import { ARGOCD_INSTANCE_LABEL, ARGOCD_TRACKING_ANNOTATION } from "../../components/labels";
import { STATE_KINDS, type LiveObject, type StateKind, type StateSummary, type StringMap } from "./model";

/** True when Argo CD tracks the object: it comes from Git. */
export function isArgoTracked(o: { readonly labels: StringMap; readonly annotations: StringMap }): boolean {
  return o.annotations[ARGOCD_TRACKING_ANNOTATION] !== undefined || o.labels[ARGOCD_INSTANCE_LABEL] !== undefined;
}

/** Secret types that are not state: recreated by Kubernetes, or a record of objects counted themselves. */
export const STATELESS_SECRET_TYPES: readonly string[] = [
  // The token controller mints these again for their service accounts.
  "kubernetes.io/service-account-token",
  // A Helm release record; the objects the release installed are judged one by one.
  "helm.sh/release.v1",
];

/** ConfigMaps every namespace gets from the control plane. */
export const STATELESS_CONFIGMAPS: readonly string[] = [
  // Published into every namespace by kube-controller-manager.
  "kube-root-ca.crt",
];

/**
 * Whether an object is state that neither code nor Git recreates:
 *  - every PersistentVolumeClaim: its data is on the volume, not in Git, even when
 *    Argo CD tracks the claim object itself;
 *  - Secrets, except service-account tokens and Helm release records;
 *  - ConfigMaps, except `kube-root-ca.crt`;
 *  - Deployments, StatefulSets, DaemonSets, CronJobs: a workload made by hand (or by a
 *    `helm install` from a laptop) exists nowhere else;
 * each except when Argo CD tracks it (then it is in Git). Pods, ReplicaSets and Jobs
 * are left out: their controllers recreate them. An empty namespace is not a loss.
 */
export function isState(o: LiveObject): boolean {
  if (o.kind === "PersistentVolumeClaim") return true;
  if (isArgoTracked(o)) return false;
  if (o.kind === "Secret") return !STATELESS_SECRET_TYPES.includes(o.type ?? "");
  if (o.kind === "ConfigMap") return !STATELESS_CONFIGMAPS.includes(o.name);
  return true;
}

/** The state each namespace holds, by kind, names sorted. */
export function summarizeState(objects: readonly LiveObject[]): Map<string, StateSummary> {
  const byNs = new Map<string, Partial<Record<StateKind, string[]>>>();
  for (const o of objects) {
    if (!isState(o)) continue;
    const summary = byNs.get(o.namespace) ?? {};
    (summary[o.kind] ??= []).push(o.name);
    byNs.set(o.namespace, summary);
  }
  const out = new Map<string, StateSummary>();
  for (const [ns, summary] of byNs) {
    const sorted: Partial<Record<StateKind, readonly string[]>> = {};
    for (const kind of STATE_KINDS) if (summary[kind]) sorted[kind] = [...new Set(summary[kind])].sort();
    out.set(ns, sorted);
  }
  return out;
}

/** Annotation cert-manager puts on the Secrets it issues (the Certificate in Git issues them again). */
export const CERT_MANAGER_CERTIFICATE_ANNOTATION = "cert-manager.io/certificate-name";

/**
 * State in a GitOps namespace that Git does not hold: objects Argo CD does not track,
 * such as a Secret created with kubectl. Claims are left out (their own warning: Git
 * holds the claim, not the data), and so are objects a controller makes again: those
 * with ownerReferences and the Secrets cert-manager issues.
 */
export function untrackedState(objects: readonly LiveObject[]): Map<string, StateSummary> {
  return summarizeState(
    objects.filter(
      (o) =>
        o.kind !== "PersistentVolumeClaim" &&
        !o.owned &&
        !(o.kind === "Secret" && o.annotations[CERT_MANAGER_CERTIFICATE_ANNOTATION] !== undefined),
    ),
  );
}

/** True when the summary holds anything. */
export function holdsAny(state: StateSummary): boolean {
  return STATE_KINDS.some((k) => (state[k]?.length ?? 0) > 0);
}

/** "2 PersistentVolumeClaims, 1 Secret": the summary in words; "nothing" when empty. */
export function describeState(state: StateSummary): string {
  const parts = STATE_KINDS.flatMap((k) => {
    const n = state[k]?.length ?? 0;
    return n === 0 ? [] : [`${n} ${k}${n === 1 ? "" : "s"}`];
  });
  return parts.length === 0 ? "nothing" : parts.join(", ");
}
