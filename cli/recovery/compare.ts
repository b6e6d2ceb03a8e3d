/**
 * Restore verification (pure): a backup's objects against the live cluster's, object by
 * object, in the imperative namespaces. Velero stores no per-object checksums, and its
 * restored counts differ from the backed-up ones by design (events, nodes and its own
 * objects are never restored), so Phoenix compares normalised objects itself.
 */
import { isRecord } from "../shared/data";
import type { BackupObject } from "./backupTarball";
import { differences, normalize, type LiveObject } from "./compareObjects";
import {
  claimRestores,
  optedOutClaims,
  pvcFinding,
  type PvcFinding,
  type VolumeCopy,
  type VolumeRestore,
} from "./compareVolumes";

export { checksum, differences, normalize, type LiveObject } from "./compareObjects";
export type { PvcFinding, VolumeRestore } from "./compareVolumes";

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

function id(o: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${o.apiVersion.split("/").length > 1 ? o.apiVersion.split("/")[0] : ""}/${o.kind}/${o.namespace ?? ""}/${o.name}`;
}

/** Compares a backup's objects in `namespaces` with the live ones. */
export function compareBackup(
  backup: readonly BackupObject[],
  live: readonly LiveObject[],
  namespaces: readonly string[],
  volumeRestores: readonly VolumeRestore[],
  copy: VolumeCopy = "file-system",
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
          copy,
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
