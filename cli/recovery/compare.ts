/**
 * Restore verification (pure): a backup's objects against the live cluster's, object by
 * object, in the imperative namespaces. Velero stores no per-object checksums, and its
 * restored counts differ from the backed-up ones by design (events, nodes and its own
 * objects are never restored), so Phoenix compares normalised objects itself.
 */
import { createHash } from "node:crypto";
import { isRecord } from "../shared/data";
import type { BackupObject } from "./velero";

/** A live object, as the cluster returns it. */
export interface LiveObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly object: Record<string, unknown>;
}

/** A PodVolumeRestore: one pod volume's data put back by kopia. */
export interface VolumeRestore {
  readonly podNamespace: string;
  readonly podName: string;
  readonly volume: string;
  readonly phase: string;
}

/** How one object came back. */
export type Verdict = "present" | "missing" | "changed";

/** An object that did not come back as it was backed up. */
export interface ObjectFinding {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly verdict: Exclude<Verdict, "present">;
  /** Paths that differ (for ConfigMap and Secret data: that the checksum differs, never a value). */
  readonly differences: readonly string[];
}

/** One PVC of the backup, in the restored cluster. */
export interface PvcFinding {
  readonly namespace: string;
  readonly name: string;
  /** The live claim's phase (`missing` when it is not there). */
  readonly phase: string;
  /**
   * Its pod volume restore: completed, failed, still running, or none (nothing to restore
   * it from); excluded when the pod that mounted it opted the volume out of file-system
   * backup; snapshot for a backup of volume snapshots.
   */
  readonly volumeRestore: "completed" | "failed" | "canceled" | "running" | "none" | "excluded" | "snapshot";
  readonly ok: boolean;
}

/** Counts and findings of one namespace. */
export interface NamespaceVerification {
  readonly namespace: string;
  readonly present: number;
  readonly missing: number;
  readonly changed: number;
  readonly findings: readonly ObjectFinding[];
  readonly pvcs: readonly PvcFinding[];
}

/** The comparison of a backup with the live cluster. */
export interface Comparison {
  readonly namespaces: readonly NamespaceVerification[];
  readonly totals: {
    readonly present: number;
    readonly missing: number;
    readonly changed: number;
    readonly ignored: number;
  };
  /**
   * Objects back without the owner references they had: Velero resets them on every
   * restore (resetMetadata, pkg/restore/restore.go:2102@v1.18.1), so garbage collection
   * no longer ties them to their owners. Not a failure of the restore; shown to the reader.
   */
  readonly ownerReferencesReset: readonly string[];
  /** Every missing or changed object and every PVC without its data fails the comparison. */
  readonly passed: boolean;
}

/**
 * Kinds Velero never restores, or that their controllers recreate under new names: they
 * are not expected back (Velero docs, "Restore Reference": non-restorable resources).
 */
const NOT_RESTORED = new Set([
  "Event",
  "Node",
  "EndpointSlice",
  "Endpoints",
  "ControllerRevision",
  "Lease",
  "PodVolumeBackup",
  "PodVolumeRestore",
  "Backup",
  "Restore",
  "BackupRepository",
  "DataUpload",
  "DataDownload",
]);

/** Objects every namespace gets from the control plane, whatever the backup held. */
function controlPlaneMade(o: { kind: string; name: string; object: Record<string, unknown> }): boolean {
  if (o.kind === "ConfigMap" && o.name === "kube-root-ca.crt") return true; // rootcacertpublisher, per cluster CA
  if (o.kind === "ServiceAccount" && o.name === "default") return true;
  return o.kind === "Secret" && o.object.type === "kubernetes.io/service-account-token";
}

/**
 * A finished Job, or a Pod that Succeeded or Failed: Velero never restores them
 * (isCompleted, pkg/restore/restore.go:2154@v1.18.1), proven on real Velero in
 * test/e2e/scenarios/backupRestore.e2e.ts.
 */
function completed(o: { kind: string; object: Record<string, unknown> }): boolean {
  const status = isRecord(o.object.status) ? o.object.status : {};
  if (o.kind === "Job") return typeof status.completionTime === "string" && status.completionTime !== "";
  return o.kind === "Pod" && (status.phase === "Succeeded" || status.phase === "Failed");
}

/** Whether an object is expected back from a restore. */
export function expectedBack(o: { kind: string; name: string; object: Record<string, unknown> }): boolean {
  if (NOT_RESTORED.has(o.kind) || controlPlaneMade(o) || completed(o)) return false;
  // Owned by a controller (a ReplicaSet's pods, a Deployment's ReplicaSets): the owner is
  // restored and makes them again, with new names.
  const owners = isRecord(o.object.metadata) ? o.object.metadata.ownerReferences : undefined;
  return !(Array.isArray(owners) && owners.some((r) => isRecord(r) && r.controller === true));
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

function id(o: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${o.apiVersion.split("/").length > 1 ? o.apiVersion.split("/")[0] : ""}/${o.kind}/${o.namespace ?? ""}/${o.name}`;
}

/**
 * The pod annotation that opts volumes out of file-system backup, a comma-separated list
 * of volume names (VolumesToExcludeAnnotation, pkg/apis/velero/v1/labels_annotations.go:99
 * and GetVolumesByPod, pkg/util/podvolume/pod_volume.go:177@v1.18.1).
 */
const VOLUMES_EXCLUDED = "backup.velero.io/backup-volumes-excludes";

/**
 * Claims whose volume every backed-up pod that mounted it opted out of file-system
 * backup: the backup holds no data for them, by the workload's choice. Names are split
 * on "," and matched exactly, untrimmed, as Velero does (GetVolumesToExclude,
 * pkg/util/podvolume/pod_volume.go:247@v1.18.1): "a, data" does not opt out "data".
 */
function optedOutClaims(backup: readonly BackupObject[]): Set<string> {
  const optedOut = new Set<string>();
  const copied = new Set<string>();
  for (const pod of backup.filter((o) => o.kind === "Pod")) {
    const annotations =
      isRecord(pod.object.metadata) && isRecord(pod.object.metadata.annotations) ? pod.object.metadata.annotations : {};
    const excluded = typeof annotations[VOLUMES_EXCLUDED] === "string" ? annotations[VOLUMES_EXCLUDED].split(",") : [];
    for (const [volume, claim] of podClaims(pod))
      (excluded.includes(volume) ? optedOut : copied).add(`${pod.namespace}/${claim}`);
  }
  return new Set([...optedOut].filter((c) => !copied.has(c)));
}

/** A backed-up pod's volumes that are claims: volume name -> claim name. */
function podClaims(pod: BackupObject): [string, string][] {
  const volumes = isRecord(pod.object.spec) && Array.isArray(pod.object.spec.volumes) ? pod.object.spec.volumes : [];
  return volumes.flatMap((v): [string, string][] => {
    const claim = isRecord(v) && isRecord(v.persistentVolumeClaim) ? v.persistentVolumeClaim.claimName : undefined;
    return isRecord(v) && typeof v.name === "string" && typeof claim === "string" ? [[v.name, claim]] : [];
  });
}

/** Which pod volume restore put back each claim: through the backed-up pods that mounted it. */
function claimRestores(
  backup: readonly BackupObject[],
  restores: readonly VolumeRestore[],
): Map<string, VolumeRestore[]> {
  const claimOf = new Map<string, string>();
  for (const pod of backup.filter((o) => o.kind === "Pod")) {
    for (const [volume, claim] of podClaims(pod))
      claimOf.set(`${pod.namespace}/${pod.name}/${volume}`, `${pod.namespace}/${claim}`);
  }
  const byClaim = new Map<string, VolumeRestore[]>();
  for (const r of restores) {
    const claim = claimOf.get(`${r.podNamespace}/${r.podName}/${r.volume}`);
    if (claim) byClaim.set(claim, [...(byClaim.get(claim) ?? []), r]);
  }
  return byClaim;
}

function pvcFinding(
  pvc: BackupObject,
  live: LiveObject | undefined,
  restores: readonly VolumeRestore[],
  fsBackup: boolean,
  optedOut: boolean,
): PvcFinding {
  const status = live && isRecord(live.object.status) ? live.object.status.phase : undefined;
  const phase = live ? (typeof status === "string" ? status : "Unknown") : "missing";
  const volumeRestore: PvcFinding["volumeRestore"] =
    restores.length === 0
      ? optedOut
        ? "excluded"
        : "none"
      : restores.some((r) => r.phase === "Failed" || r.phase === "PartiallyFailed")
        ? "failed"
        : // Canceled is terminal for a pod volume restore since Velero 1.17 (pkg/apis/velero/v1/pod_volume_restore_type.go:77@v1.18.1): over, and not restored.
          restores.some((r) => r.phase === "Canceled")
          ? "canceled"
          : restores.every((r) => r.phase === "Completed")
            ? "completed"
            : "running";
  // A snapshot-backed volume comes back with its claim (from the snapshot): Bound is the proof there is.
  return {
    namespace: pvc.namespace ?? "",
    name: pvc.name,
    phase,
    volumeRestore: fsBackup ? volumeRestore : "snapshot",
    ok: phase === "Bound" && (!fsBackup || volumeRestore === "completed" || volumeRestore === "excluded"),
  };
}

/** Compares a backup's objects in `namespaces` with the live ones. */
export function compareBackup(
  backup: readonly BackupObject[],
  live: readonly LiveObject[],
  namespaces: readonly string[],
  volumeRestores: readonly VolumeRestore[],
  fsBackup = true,
): Comparison {
  const inScope = backup.filter((o) => o.namespace !== undefined && namespaces.includes(o.namespace));
  const expected = inScope.filter(expectedBack);
  const liveById = new Map(live.map((o) => [id(o), o]));
  const byClaim = claimRestores(inScope, volumeRestores);
  const optedOut = optedOutClaims(inScope);
  const result = namespaces.map((namespace): NamespaceVerification => {
    const findings: ObjectFinding[] = [];
    let present = 0;
    for (const o of expected.filter((e) => e.namespace === namespace)) {
      const found = liveById.get(id(o));
      if (!found) {
        findings.push({ kind: o.kind, namespace, name: o.name, verdict: "missing", differences: [] });
        continue;
      }
      const diff = differences(normalize(o.kind, o.object), normalize(found.kind, found.object));
      if (diff.length === 0) present++;
      else
        findings.push({
          kind: o.kind,
          namespace,
          name: o.name,
          verdict: "changed",
          differences: diff.map((d) => (d === "data" ? "data (checksum differs)" : d)),
        });
    }
    const pvcs = expected
      .filter((o) => o.namespace === namespace && o.kind === "PersistentVolumeClaim")
      .map((pvc) =>
        pvcFinding(
          pvc,
          liveById.get(id(pvc)),
          byClaim.get(`${namespace}/${pvc.name}`) ?? [],
          fsBackup,
          optedOut.has(`${namespace}/${pvc.name}`),
        ),
      );
    return {
      namespace,
      present,
      missing: findings.filter((f) => f.verdict === "missing").length,
      changed: findings.filter((f) => f.verdict === "changed").length,
      findings,
      pvcs,
    };
  });
  const totals = {
    present: result.reduce((n, r) => n + r.present, 0),
    missing: result.reduce((n, r) => n + r.missing, 0),
    changed: result.reduce((n, r) => n + r.changed, 0),
    ignored: inScope.length - expected.length,
  };
  const ownerReferencesReset = expected
    .filter(
      (o) =>
        liveById.has(id(o)) &&
        isRecord(o.object.metadata) &&
        Array.isArray(o.object.metadata.ownerReferences) &&
        o.object.metadata.ownerReferences.length > 0,
    )
    .map((o) => `${o.kind} ${o.namespace ?? ""}/${o.name}`);
  return {
    namespaces: result,
    totals,
    ownerReferencesReset,
    passed: totals.missing === 0 && totals.changed === 0 && result.every((r) => r.pvcs.every((p) => p.ok)),
  };
}
