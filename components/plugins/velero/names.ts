/**
 * The names Velero runs under, as Phoenix installs it: pure, with no Pulumi import, so
 * the command (recovery, backup checks) uses these very values instead of copies.
 */

/** Helm release Velero is installed as. */
export const VELERO_RELEASE = "velero";

/**
 * The Schedule object the chart makes of `schedules.<name>`, whose name every backup it
 * starts carries in `velero.io/schedule-name`: `<fullname>-<name>`, and the fullname is the
 * release's name when it holds the chart's (templates/schedule.yaml:6 and
 * _helpers.tpl:14-20 of chart 12.1.0); the e2e run checks it on the rendered chart.
 */
export function scheduleObjectName(name: string): string {
  return `${VELERO_RELEASE}-${name}`;
}

/** Namespace Velero runs in. */
export const VELERO_NAMESPACE = "velero";

/**
 * Service account of the Velero server (the node agent runs under it too). The chart
 * would name it `<fullname>-server` (Velero); Phoenix sets it explicitly so
 * the Pod Identity association cannot drift from the chart.
 */
export const VELERO_SERVICE_ACCOUNT = "velero-server";

/**
 * The Kubernetes Secret holding the kopia repository password, and its key: Velero uses
 * it when it exists and otherwise creates it with the published default password
 * (velero pkg/repository/keys/keys.go; velero #6443, #8137).
 */
export const REPOSITORY_SECRET = { name: "velero-repo-credentials", key: "repository-password" } as const;

/** Name of the backup storage location in this region's bucket (the default one). */
export const BACKUP_LOCATION = "default";

/** Every backup storage location a schedule may write to (the restore source is read-only). */
export const BACKUP_LOCATIONS = [BACKUP_LOCATION] as const;

/** Name of the read-only location on another region's replicated backups (`restoreFrom`). */
export const RESTORE_LOCATION = "restore-source";

/** Label every scheduled Backup carries (and no other label of Phoenix's). */
export const BACKUP_SCOPE_LABEL = "phoenix.platform/backup-scope";

/** ConfigMap holding the restore resource modifiers, in Velero's namespace. */
export const RESTORE_MODIFIERS_CONFIGMAP = "phoenix-restore-modifiers";

/** The VolumeSnapshotClass Velero's data mover snapshots claims with (./snapshotClass.ts). */
export const VOLUME_SNAPSHOT_CLASS = "phoenix-velero";
