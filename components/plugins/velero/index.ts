/**
 * Velero: backs up the imperative namespaces, and nothing else, to an S3 bucket that
 * outlives the cluster. Installed as a `helm.v3.Release` because its CRD-upgrade job
 * is a Helm hook that `helm.v4.Chart` would silently drop (Pulumi).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { VELERO_ROLE_PATH } from "../../backupStorage/policies";
import { charts } from "../../catalog";
import type { BackupScope } from "../../types";
import { pluginIdentity, type Plugin } from "../contract";
import { ownBucketAccess, veleroPolicy } from "./iam";
import {
  RESTORE_MODIFIERS_CONFIGMAP,
  REPOSITORY_SECRET,
  VELERO_NAMESPACE,
  VELERO_RELEASE,
  VELERO_SERVICE_ACCOUNT,
} from "./names";
import { restoreModifiers } from "./restoreModifiers";
import { usesNodeAgent, veleroSettingsSchema } from "./settings";
import { volumeSnapshotClass } from "./snapshotClass";
import { veleroValues, type BackupLocation } from "./values";

export * from "./iam";
export * from "./names";
export * from "./restoreModifiers";
export * from "./settings";
export * from "./snapshotClass";
export * from "./values";

/** What Velero needs from the composition. */
export interface VeleroInputs {
  /** Backup scope from the namespace inventory: the imperative namespaces, and only them. */
  readonly backup: BackupScope;
  /** This region's backup storage (its storage stack's `bucket`, `region`, `kmsKeyArn`). */
  readonly storage: BackupLocation;
  /** Another region's replica (its storage stack's `replica*` outputs), read-only. */
  readonly restoreFrom?: BackupLocation;
  /**
   * The kopia repository password (a secret output), read from the backup storage's
   * Secrets Manager secret at deploy time: the restore source's when there is one, so a
   * DR cluster opens the primary's repositories.
   */
  readonly repositoryPassword: pulumi.Input<string>;
  /**
   * The cluster's CSI snapshots (the Cluster's `volumeSnapshots`): required with
   * `volumeBackup: data-mover`, whose snapshot class names the driver and waits for the add-on.
   */
  readonly volumeSnapshots?: { readonly driver: string; readonly ready: readonly pulumi.Resource[] };
}

/** What Velero offers: the restore modifiers a restore must use. */
export interface VeleroOutputs {
  /** ConfigMap (in Velero's namespace) of the restore resource modifiers that strip Argo CD metadata. */
  readonly restoreModifiers: pulumi.Output<string>;
}

/** The Velero plugin. */
export const velero: Plugin<typeof veleroSettingsSchema, VeleroInputs, VeleroOutputs> = {
  id: "velero",
  chart: charts.velero,
  namespace: VELERO_NAMESPACE,
  releaseName: VELERO_RELEASE,
  settings: veleroSettingsSchema,
  freeFormValues: [
    // Keyed by schedule name; each entry is checked against the Schedule CRD (renderedResources).
    "schedules",
    // Provider-specific BSL/VSL config (velero-plugin-for-aws: region, s3Url, kmsKeyId, ...);
    // the chart's default is `{}` with the keys only in comments.
    "configuration.backupStorageLocation[].config",
    "configuration.volumeSnapshotLocation[].config",
    // Kubernetes Containers (the provider plugins), copied verbatim into the pod spec; the
    // chart's default is empty, so there is no example item to compare with.
    "initContainers",
    // Kubernetes label/annotation maps and scheduling objects.
    "podAnnotations",
    "podLabels",
    "nodeSelector",
    "tolerations",
    "resources",
    "serviceAccount.server.annotations",
    "serviceAccount.server.labels",
    "nodeAgent.podLabels",
    "nodeAgent.nodeSelector",
    "nodeAgent.tolerations",
    "nodeAgent.resources",
  ],
  renderedResources: [
    {
      // velero templates/schedule.yaml and the values.yaml example: `disabled`, `labels` and
      // `annotations` drive the template; the rest becomes the Schedule spec, `template`
      // (a Backup spec) verbatim.
      chart: charts.velero.chart,
      at: "schedules",
      kind: "Schedule",
      version: "v1",
      crdChart: charts.velero.chart,
      ownKeys: ["disabled", "labels", "annotations"],
      specKeys: ["schedule", "paused", "useOwnerReferencesInBackup", "skipImmediately", "template"],
    },
  ],
  // Velero is how imperative state survives a disaster: always on. Turning scheduled
  // backups off is `phoenix:backups.enabled`, which the namespace table then shows.
  enabled: () => true,
  // The node agent mounts the kubelet's pod and plugin folders from the host (the
  // chart's nodeAgent.podVolumePath/pluginVolumePath; its values suggest privileged
  // labels), which only privileged allows. Without it the server's pod still sets no
  // security context of its own (the chart's defaults are empty): baseline.
  podSecurity: (settings) => (usesNodeAgent(settings.volumeBackup) ? "privileged" : "baseline"),
  install(settings, inputs, ctx) {
    const arn = (bucket: string, partition: string): string => `arn:${partition}:s3:::${bucket}`;
    const identity = pluginIdentity(ctx, {
      description: "Velero server and node agent",
      namespace: VELERO_NAMESPACE,
      serviceAccount: VELERO_SERVICE_ACCOUNT,
      // The backup storage's bucket and key policies admit Velero's roles by this path.
      path: VELERO_ROLE_PATH,
      policy: pulumi
        .all([
          inputs.storage.bucket,
          inputs.storage.kmsKeyArn,
          ctx.partition,
          inputs.restoreFrom?.bucket,
          inputs.restoreFrom?.kmsKeyArn,
        ])
        .apply(([bucket, keyArn, partition, sourceBucket, sourceKeyArn]) =>
          veleroPolicy({
            bucketArn: arn(bucket, partition),
            keyArn,
            ebsSnapshots: settings.volumeBackup === "ebs-snapshots",
            restoreFrom:
              sourceBucket !== undefined && sourceKeyArn !== undefined
                ? { bucketArn: arn(sourceBucket, partition), keyArn: sourceKeyArn }
                : undefined,
            ownBucket: ownBucketAccess(inputs.backup, inputs.restoreFrom !== undefined),
          }),
        ),
    });
    // In Velero's namespace, which Phoenix creates before the release: it needs only the
    // API server. A restore uses it with --resource-modifier-configmap (docs/operations/backups.md, "Restoring").
    new k8s.core.v1.ConfigMap(
      `${ctx.name}-restore-modifiers`,
      {
        metadata: { name: RESTORE_MODIFIERS_CONFIGMAP, namespace: VELERO_NAMESPACE },
        data: { "resource-modifiers.yaml": stringify(restoreModifiers(inputs.backup.includedNamespaces)) },
      },
      { parent: ctx.parent, provider: ctx.provider, dependsOn: [ctx.namespace] },
    );
    // Before the release, so it exists before Velero's first backup: Velero never writes
    // its default password (velero #6443, #8137). The value is a secret output, so state
    // and previews show it masked.
    const repositoryCredentials = new k8s.core.v1.Secret(
      `${ctx.name}-repo-credentials`,
      {
        metadata: { name: REPOSITORY_SECRET.name, namespace: VELERO_NAMESPACE },
        type: "Opaque",
        stringData: { [REPOSITORY_SECRET.key]: pulumi.secret(inputs.repositoryPassword) },
      },
      // A repository keeps its password for good: once made, the copy never changes, so
      // a preview, which reads no secret (stacks/platform/storage.ts), shows no diff here.
      { parent: ctx.parent, provider: ctx.provider, dependsOn: [ctx.namespace], ignoreChanges: ["stringData", "data"] },
    );
    if (settings.volumeBackup === "data-mover") {
      if (!inputs.volumeSnapshots)
        throw new Error(
          "phoenix:plugins.velero.volumeBackup is data-mover, but the cluster has no CSI snapshots: the composition must ask the Cluster for volumeSnapshots",
        );
      const { driver, ready } = inputs.volumeSnapshots;
      new k8s.apiextensions.CustomResource(`${ctx.name}-snapshot-class`, volumeSnapshotClass(driver), {
        parent: ctx.parent,
        provider: ctx.provider,
        dependsOn: [...ready],
      });
    }
    return {
      values: veleroValues(settings, {
        storage: inputs.storage,
        restoreFrom: inputs.restoreFrom,
        clusterRegion: ctx.region,
        backup: inputs.backup,
        serviceAccountAnnotations: identity.serviceAccountAnnotations,
      }),
      outputs: { restoreModifiers: pulumi.output(RESTORE_MODIFIERS_CONFIGMAP) },
      // Velero starts with its AWS identity in place. The bucket's own settings
      // (encryption, versioning, replication) are the storage stack's, applied before the
      // platform stack can read its outputs.
      dependsOn: [...identity.ready, repositoryCredentials],
    };
  },
};
