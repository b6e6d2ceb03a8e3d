/** The VolumeSnapshotClass Velero's data mover snapshots claims with. */
import { VOLUME_SNAPSHOT_CLASS } from "./names";

/**
 * The label by which Velero picks, per CSI driver, the class of the snapshots it takes
 * (VolumeSnapshotClassSelectorLabel, pkg/apis/velero/v1/labels_annotations.go@v1.18.1).
 */
export const SNAPSHOT_CLASS_LABEL = "velero.io/csi-volumesnapshot-class";

/** A VolumeSnapshotClass manifest, as a `k8s.apiextensions.CustomResource` takes it. */
export interface VolumeSnapshotClassManifest {
  readonly apiVersion: "snapshot.storage.k8s.io/v1";
  readonly kind: "VolumeSnapshotClass";
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly driver: string;
  readonly deletionPolicy: "Delete";
}

/**
 * The class for `driver`. Delete: once the data mover has copied a snapshot into the
 * bucket, Velero deletes the VolumeSnapshot, and with it the EBS snapshot, which would
 * otherwise stay in the region and be billed (Velero docs, "CSI Snapshot Data Movement").
 */
export function volumeSnapshotClass(driver: string): VolumeSnapshotClassManifest {
  return {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name: VOLUME_SNAPSHOT_CLASS, labels: { [SNAPSHOT_CLASS_LABEL]: "true" } },
    driver,
    deletionPolicy: "Delete",
  };
}
