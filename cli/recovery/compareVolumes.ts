/**
 * The backup's claims against the restored cluster's: each Bound, with its data put back
 * by a pod volume restore, or empty because the pod that mounted it opted it out.
 */
import { isRecord } from "../shared/data";
import type { LiveObject } from "./compareObjects";
import type { BackupObject } from "./backupTarball";

/**
 * One volume's data put back: a PodVolumeRestore (a pod's volume, by kopia from a
 * file-system backup), or a DataDownload (a claim, by the data mover), which names its
 * claim as `claim` ("namespace/name") instead of a pod and volume.
 */
export interface VolumeRestore {
  readonly podNamespace: string;
  readonly podName: string;
  readonly volume: string;
  readonly claim?: string;
  readonly phase: string;
}

/** How a backup holds its volumes' data: copied file by file, moved from CSI snapshots, or left in snapshots. */
export type VolumeCopy = "file-system" | "data-mover" | "snapshot";

/** One PVC of the backup, in the restored cluster. */
export interface PvcFinding {
  readonly namespace: string;
  readonly name: string;
  /** The live claim's phase (`missing` when it is not there). */
  readonly phase: string;
  /**
   * Its volume restore (pod volume restore or DataDownload): completed, failed, still
   * running, or none (nothing to restore it from); excluded when the pod that mounted it
   * opted the volume out of file-system backup; snapshot for a backup of EBS snapshots.
   */
  readonly volumeRestore: "completed" | "failed" | "canceled" | "running" | "none" | "excluded" | "snapshot";
  readonly ok: boolean;
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
export function optedOutClaims(backup: readonly BackupObject[]): Set<string> {
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

/** Which volume restores put back each claim: a DataDownload names it, a pod volume restore through the backed-up pod that mounted it. */
export function claimRestores(
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
    const claim = r.claim ?? claimOf.get(`${r.podNamespace}/${r.podName}/${r.volume}`);
    if (claim) byClaim.set(claim, [...(byClaim.get(claim) ?? []), r]);
  }
  return byClaim;
}

/** One claim of the backup in the restored cluster: its phase, and how its data came back. */
export function pvcFinding(
  pvc: BackupObject,
  live: LiveObject | undefined,
  restores: readonly VolumeRestore[],
  copy: VolumeCopy,
  optedOut: boolean,
): PvcFinding {
  const status = live && isRecord(live.object.status) ? live.object.status.phase : undefined;
  const phase = live ? (typeof status === "string" ? status : "Unknown") : "missing";
  const volumeRestore: PvcFinding["volumeRestore"] =
    restores.length === 0
      ? // Only a file-system backup honours the pod's opt-out annotation.
        optedOut && copy === "file-system"
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
  if (copy === "snapshot")
    return { namespace: pvc.namespace ?? "", name: pvc.name, phase, volumeRestore: "snapshot", ok: phase === "Bound" };
  return {
    namespace: pvc.namespace ?? "",
    name: pvc.name,
    phase,
    volumeRestore,
    ok: phase === "Bound" && (volumeRestore === "completed" || volumeRestore === "excluded"),
  };
}
