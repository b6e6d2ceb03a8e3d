/** Velero's Helm values: backup locations, the schedules of the imperative namespaces, the AWS plugin. */
import type * as pulumi from "@pulumi/pulumi";
import { images } from "../../catalog";
import type { BackupScope, ExecHook, NamespaceHooks } from "../../types";
import type { HelmValues } from "../contract";
import { BACKUP_LOCATION, BACKUP_SCOPE_LABEL, RESTORE_LOCATION, VELERO_SERVICE_ACCOUNT } from "./names";
import { usesNodeAgent, type VeleroSettings, type VolumeBackupMethod } from "./settings";

/** One entry of the chart's `schedules` map (a Velero Schedule). */
export interface VeleroScheduleValues {
  readonly schedule: string;
  readonly useOwnerReferencesInBackup: false;
  readonly template: {
    readonly metadata: { readonly labels: Record<string, string> };
    readonly includedNamespaces: string[];
    readonly excludedNamespaces: string[];
    readonly ttl: string;
    readonly storageLocation: string;
    readonly defaultVolumesToFsBackup: boolean;
    readonly snapshotVolumes: boolean;
    /** Only with the data mover: copy each CSI snapshot's data into the bucket, then delete the snapshot. */
    readonly snapshotMoveData?: true;
    readonly hooks?: { readonly resources: readonly VeleroHookResource[] };
  };
}

/** A Backup spec's hook resource (the Backup CRD's `spec.hooks.resources[]`). */
export interface VeleroHookResource {
  readonly name: string;
  readonly includedNamespaces: readonly string[];
  readonly labelSelector?: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly pre: readonly { readonly exec: ExecHook }[];
  readonly post: readonly { readonly exec: ExecHook }[];
}

/** One namespace's hooks as a Backup spec's `hooks.resources` entry. */
function hookResource(h: NamespaceHooks): VeleroHookResource {
  const exec = (e: ExecHook) => ({
    exec: { container: e.container, command: [...e.command], timeout: e.timeout, onError: e.onError },
  });
  return {
    name: `phoenix-${h.namespace}`,
    includedNamespaces: [h.namespace],
    ...(h.pods ? { labelSelector: { matchLabels: { ...h.pods } } } : {}),
    pre: h.pre.map(exec),
    post: h.post.map(exec),
  };
}

/**
 * The chart's `schedules` map for a backup scope. Empty when backups are off or when no
 * namespace is imperative: a Schedule with an empty `includedNamespaces` backs up EVERY
 * namespace (Velero treats empty as `*`), which is exactly what Phoenix must never do.
 */
export function veleroSchedules(scope: BackupScope, method: VolumeBackupMethod): Record<string, VeleroScheduleValues> {
  if (!scope.enabled || scope.includedNamespaces.length === 0) return {};
  const schedules: Record<string, VeleroScheduleValues> = {};
  for (const s of scope.schedules) {
    schedules[s.name] = {
      schedule: s.cron,
      // true would let deleting a Schedule garbage-collect its backups (velero #4093).
      useOwnerReferencesInBackup: false,
      template: {
        // A Backup takes its Schedule's template labels. Phoenix's own label only: no
        // argocd.argoproj.io/* label, so Argo CD never treats a Backup as one of its
        // resources and prunes it (velero #2975); Argo CD also excludes
        // velero.io kinds entirely (argocd/values.ts, RESOURCE_EXCLUSIONS).
        metadata: { labels: { [BACKUP_SCOPE_LABEL]: "imperative" } },
        // Velero selects namespaces by name only (no label selector: velero #2477), so
        // the inventory's imperative set is written out here, name by name.
        includedNamespaces: [...scope.includedNamespaces],
        // Redundant with an explicit include list today; it keeps platform and GitOps
        // namespaces out even if someone widens the include list to a glob by hand.
        excludedNamespaces: [...scope.excludedNamespaces],
        ttl: s.ttl,
        storageLocation: s.storageLocation,
        ...volumeFields(method),
        // Each namespace's own hooks, scoped to that namespace (and its selected pods):
        // a dump or flush before kopia reads the volume makes the copy consistent
        // (Velero docs, "Backup Hooks").
        ...(scope.hooks && scope.hooks.length > 0 ? { hooks: { resources: scope.hooks.map(hookResource) } } : {}),
        // includeClusterResources is deliberately left unset ("auto"): Velero then takes
        // only the cluster-scoped objects the included namespaces use (their PVs, the
        // CRDs of their custom resources). true would sweep in every ClusterRole, CRD
        // and webhook of the platform, which code recreates; false would drop the PVs
        // that an EBS-snapshot restore needs. Helm cannot pass the CRD's third state
        // (null) explicitly, so "unset" is how auto is chosen.
      },
    };
  }
  return schedules;
}

/**
 * A Backup's volume fields for each method. The data mover takes CSI snapshots
 * (snapshotVolumes) and moves their data (snapshotMoveData, pkg/apis/velero/v1/backup_types.go@v1.18.1);
 * file-system backup is opted into for every pod volume (defaultVolumesToFsBackup).
 */
function volumeFields(
  method: VolumeBackupMethod,
): Pick<VeleroScheduleValues["template"], "defaultVolumesToFsBackup" | "snapshotVolumes" | "snapshotMoveData"> {
  if (method === "data-mover")
    return { defaultVolumesToFsBackup: false, snapshotVolumes: true, snapshotMoveData: true };
  return { defaultVolumesToFsBackup: method === "file-system", snapshotVolumes: method === "ebs-snapshots" };
}

/** Everything the Velero values depend on besides the settings. */
export interface VeleroValuesInput {
  /** This region's backup storage. */
  readonly storage: BackupLocation;
  /** Another region's replicated backups, mounted read-only. */
  readonly restoreFrom?: BackupLocation;
  /** Backup scope from the namespace inventory. */
  readonly backup: BackupScope;
  /** The cluster's region, where EBS snapshots are taken. */
  readonly clusterRegion: string;
  /** Service-account annotations of the AWS identity (IRSA's role ARN). */
  readonly serviceAccountAnnotations: pulumi.Input<Record<string, string>>;
}

/**
 * Velero's backup storage locations. A region that writes backups gets its own bucket as
 * the default location. With backups off it writes nowhere: its own bucket is read-only,
 * and when it restores from another region's replica that replica is its only location
 * (the default, read-only), so a restore can only come from there and nothing of it
 * reaches the source's primary bucket. A read-only location is synced and restored from,
 * never written or garbage-collected (Velero docs, "Backup Storage Locations": accessMode).
 */
export function backupLocations(
  input: Pick<VeleroValuesInput, "storage" | "restoreFrom" | "backup">,
): Record<string, unknown>[] {
  const source = input.restoreFrom;
  const restoreSource = (isDefault: boolean): Record<string, unknown> => ({
    name: RESTORE_LOCATION,
    provider: "aws",
    bucket: source?.bucket,
    default: isDefault,
    accessMode: "ReadOnly",
    config: { region: source?.region },
  });
  if (!input.backup.enabled && source) return [restoreSource(true)];
  return [
    {
      name: BACKUP_LOCATION,
      provider: "aws",
      bucket: input.storage.bucket,
      default: true,
      ...(input.backup.enabled ? {} : { accessMode: "ReadOnly" }),
      config: { region: input.storage.region },
    },
    ...(source ? [restoreSource(false)] : []),
  ];
}

/**
 * The server's (and node agent's) flags the data mover needs: Velero skips its CSI
 * actions without the EnableCSI feature flag (pkg/util/csi/util.go:31@v1.18.1), and a backup made by hand (`velero backup create`, a
 * drill's) moves its snapshots' data too (--default-snapshot-move-data; chart 12.1.0
 * templates/deployment.yaml:172-177, node-agent-daemonset.yaml:118).
 */
function dataMoverConfiguration(method: VolumeBackupMethod): Record<string, unknown> {
  return method === "data-mover" ? { features: "EnableCSI", defaultSnapshotMoveData: true } : {};
}

/** Helm values for the velero chart. */
export function veleroValues(settings: VeleroSettings, input: VeleroValuesInput): HelmValues {
  return {
    initContainers: [
      {
        name: "velero-plugin-for-aws",
        image: images.veleroPluginForAws,
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
      },
    ],
    // With a pod-level AWS identity the plugin must not look for a credentials file, or
    // it silently bypasses the role (Velero).
    credentials: { useSecret: false },
    serviceAccount: { server: { name: VELERO_SERVICE_ACCOUNT, annotations: input.serviceAccountAnnotations } },
    configuration: {
      backupStorageLocation: backupLocations(input),
      // EBS snapshots live in the cluster's region (used only with volumeBackup: ebs-snapshots).
      volumeSnapshotLocation: [{ name: BACKUP_LOCATION, provider: "aws", config: { region: input.clusterRegion } }],
      uploaderType: "kopia",
      defaultVolumesToFsBackup: settings.volumeBackup === "file-system",
      ...dataMoverConfiguration(settings.volumeBackup),
    },
    deployNodeAgent: usesNodeAgent(settings.volumeBackup),
    schedules: veleroSchedules(input.backup, settings.volumeBackup),
  };
}

/**
 * A bucket Velero reads or writes, as the backup storage stack exports it. Its region is
 * the location's region, which is the bucket's, not the cluster's (velero #6732).
 */
export interface BackupLocation {
  readonly bucket: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  /** ARN of the bucket's KMS key (SSE-KMS: writing needs a data key, reading needs decrypt). */
  readonly kmsKeyArn: pulumi.Input<string>;
}
