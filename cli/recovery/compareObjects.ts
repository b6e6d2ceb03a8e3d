/**
 * One object against another: what a restore legitimately changes taken out of both
 * (normalisation), ConfigMap and Secret data as one checksum, and the paths where what is
 * left differs.
 */
import { createHash } from "node:crypto";
import { isRecord } from "../shared/data";

/** A live object, as the cluster returns it. */
export interface LiveObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly object: Record<string, unknown>;
}

/**
 * Metadata a restore resets (resetMetadata, pkg/restore/restore.go:2102@v1.18.1: it
 * deletes generateName and every ownerReference too) or the API server sets anew.
 */
const DROPPED_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "generateName",
  "ownerReferences",
];
/** A Job's controller-uid labels: Velero's Job action strips them and the API server sets new ones (pkg/restore/actions/job_action.go:55-60@v1.18.1). */
const JOB_UID_LABELS = ["batch.kubernetes.io/controller-uid", "controller-uid"];
/** Labels a restore legitimately adds or strips: Velero's own, and Argo CD's stripped tracking (velero #7848). */
const DROPPED_LABELS = ["velero.io/backup-name", "velero.io/restore-name", "argocd.argoproj.io/instance"];
const DROPPED_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration", "argocd.argoproj.io/tracking-id"];
const DROPPED_ANNOTATION_PREFIXES = [
  "pv.kubernetes.io/",
  "volume.beta.kubernetes.io/",
  "volume.kubernetes.io/",
  "velero.io/",
];

function pruned(map: unknown, drop: (k: string) => boolean): Record<string, unknown> | undefined {
  if (!isRecord(map)) return undefined;
  const kept = Object.entries(map).filter(([k]) => !drop(k));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** SHA-256 of a value's canonical JSON: equal content, equal checksum, whatever the key order. */
export function checksum(v: unknown): string {
  return `sha256:${createHash("sha256").update(canonical(v)).digest("hex")}`;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/** Keys whose values are data: compared by checksum, never shown. */
const DATA_KEYS = ["data", "binaryData", "stringData"];

/**
 * An object with what a restore legitimately changes removed: server-set metadata,
 * status, Velero's and Argo CD's marks, addresses a cluster assigns (a Service's cluster
 * IP, a claim's volume name), and the init container Velero adds to restore pod volumes.
 * ConfigMap and Secret data become one checksum.
 */
export function normalize(kind: string, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  delete out.status;
  if (isRecord(obj.metadata)) {
    const meta: Record<string, unknown> = { ...obj.metadata };
    for (const k of DROPPED_METADATA) delete meta[k];
    const labels = pruned(meta.labels, (k) => DROPPED_LABELS.includes(k));
    const annotations = pruned(
      meta.annotations,
      (k) => DROPPED_ANNOTATIONS.includes(k) || DROPPED_ANNOTATION_PREFIXES.some((p) => k.startsWith(p)),
    );
    if (labels) meta.labels = labels;
    else delete meta.labels;
    if (annotations) meta.annotations = annotations;
    else delete meta.annotations;
    out.metadata = meta;
  }
  if (kind === "ConfigMap" || kind === "Secret") {
    const data = Object.fromEntries(DATA_KEYS.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
    for (const k of DATA_KEYS) delete out[k];
    out.data = checksum(data);
  }
  if (isRecord(obj.spec)) {
    const spec: Record<string, unknown> = { ...obj.spec };
    if (kind === "Service") for (const k of ["clusterIP", "clusterIPs", "healthCheckNodePort"]) delete spec[k];
    if (kind === "PersistentVolumeClaim") delete spec.volumeName;
    if (kind === "Job") withoutJobUids(spec);
    if (kind === "Pod") {
      delete spec.nodeName;
      // Velero's file-system restore waits for kopia in an init container it adds.
      if (Array.isArray(spec.initContainers))
        spec.initContainers = spec.initContainers.filter((c) => !(isRecord(c) && c.name === "restore-wait"));
    }
    out.spec = spec;
  }
  return out;
}

/** A Job spec without the controller-uid labels of its selector and pod template (in place, on a copy). */
function withoutJobUids(spec: Record<string, unknown>): void {
  const drop = (labels: unknown): Record<string, unknown> | undefined =>
    pruned(labels, (k) => JOB_UID_LABELS.includes(k));
  if (isRecord(spec.selector)) {
    const matchLabels = drop(spec.selector.matchLabels);
    spec.selector = { ...spec.selector, ...(matchLabels ? { matchLabels } : {}) };
    if (!matchLabels) delete (spec.selector as Record<string, unknown>).matchLabels;
  }
  if (isRecord(spec.template) && isRecord(spec.template.metadata)) {
    const labels = drop(spec.template.metadata.labels);
    const metadata: Record<string, unknown> = { ...spec.template.metadata, ...(labels ? { labels } : {}) };
    if (!labels) delete metadata.labels;
    spec.template = { ...spec.template, metadata };
  }
}

/** Paths at which two normalised objects differ (at most `limit`). */
export function differences(a: unknown, b: unknown, limit = 5, at = ""): string[] {
  if (canonical(a) === canonical(b)) return [];
  if (isRecord(a) && isRecord(b)) {
    const out: string[] = [];
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (out.length >= limit) break;
      out.push(...differences(a[k], b[k], limit - out.length, at ? `${at}.${k}` : k));
    }
    return out;
  }
  return [at || "(object)"];
}
