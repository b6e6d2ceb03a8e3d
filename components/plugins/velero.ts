/**
 * Velero: backs up the imperative namespaces, and nothing else, to an S3 bucket that
 * outlives the cluster. Installed as a `helm.v3.Release` because its CRD-upgrade job
 * is a Helm hook that `helm.v4.Chart` would silently drop (Pulumi).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { z } from "zod";
import { PROTECTION_ACTIONS, VELERO_ROLE_PATH } from "../backupStorage/policies";
import { charts, images } from "../catalog";
import type { PolicyDocument, PolicyStatement } from "../identity";
import type { BackupScope, ExecHook, NamespaceHooks } from "../types";
import { pluginIdentity, type HelmValues, type Plugin } from "./contract";
import { strictSettings } from "./settings";
import { restoreModifiers } from "./restoreModifiers";

export { RESTORED_GROUP_RESOURCES, restoreModifiers } from "./restoreModifiers";

/**
 * Stack settings of Velero (`phoenix:plugins.velero`). Where the backups live is not a
 * plugin setting: the bucket, its replica and their keys belong to the backup storage
 * project (stacks/backup-storage), and the composition hands them in as `VeleroInputs`.
 */
export const veleroSettingsSchema = strictSettings({
  /**
   * Back up volume data file by file (kopia, node agent) instead of EBS snapshots.
   * EBS snapshots cannot be restored in another region (velero #103, #7007), so this is
   * on by default: a replica region must be able to restore.
   */
  fsBackup: z.boolean().default(true),
}).prefault({});

/** Validated Velero settings. */
export type VeleroSettings = z.output<typeof veleroSettingsSchema>;

/** Namespace Velero runs in. */
export const VELERO_NAMESPACE = "velero";

/**
 * Service account of the Velero server (the node agent runs under it too). The chart
 * would name it `<fullname>-server` (Velero); Phoenix sets it explicitly so
 * the Pod Identity association cannot drift from the chart.
 */
export const VELERO_SERVICE_ACCOUNT = "velero-server";

/** What Velero's policy is scoped to. */
export interface VeleroPolicyScope {
  /** ARN of the backup bucket. */
  readonly bucketArn: string;
  /** ARN of the bucket's KMS key. */
  readonly keyArn: string;
  /** Whether volumes are backed up as EBS snapshots (fsBackup off). */
  readonly ebsSnapshots: boolean;
  /** Another region's replica to restore from, read-only. */
  readonly restoreFrom?: { readonly bucketArn: string; readonly keyArn: string };
  /**
   * What Velero may do with this region's own bucket: write (back up and expire), read
   * only (backups off), or nothing (backups off in a stack that restores from another
   * region's replica, such as a DR drill's: it must not touch the source's primary).
   */
  readonly ownBucket?: "write" | "read" | "none";
}

/**
 * Velero's IAM policy (Velero: AWS plugin IAM): objects in the backup
 * bucket, listing of that bucket only, the bucket's own KMS key (SSE-KMS: writing needs
 * a data key, reading needs decrypt), and the EC2 snapshot actions only when volumes
 * are backed up as EBS snapshots. Those EC2 actions take no useful resource scope for a
 * volume Velero has not seen yet, hence `*`. A restore source adds read-only access to
 * that bucket and decrypt on its key: no write, no delete.
 *
 * Velero expires a backup with `DeleteObject`, which on a versioned, locked bucket only
 * adds a delete marker: the locked version stays (S3 user guide, "How deletes work with
 * S3 Object Lock"). It never needs to delete a version, bypass or change a retention,
 * or touch the bucket's policy, versioning or lifecycle, and its policy says so with an
 * explicit deny, which no other policy attached to the role can override.
 */
export function veleroPolicy(scope: VeleroPolicyScope): PolicyDocument {
  const own = scope.ownBucket ?? "write";
  const buckets = [scope.bucketArn, ...(scope.restoreFrom ? [scope.restoreFrom.bucketArn] : [])];
  return {
    Version: "2012-10-17",
    Statement: [
      ...(own === "none"
        ? []
        : [
            {
              Sid: "BackupObjects",
              Effect: "Allow" as const,
              Action: own === "write" ? ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] : ["s3:GetObject"],
              Resource: `${scope.bucketArn}/*`,
            },
            { Sid: "BackupBucket", Effect: "Allow" as const, Action: ["s3:ListBucket"], Resource: scope.bucketArn },
            { Sid: "BucketKey", Effect: "Allow" as const, Action: own === "write" ? ["kms:GenerateDataKey", "kms:Decrypt"] : ["kms:Decrypt"], Resource: scope.keyArn },
            ...(own === "read" ? restoreResults(scope.bucketArn, scope.keyArn, "Own") : []),
          ]),
      ...(scope.restoreFrom
        ? [
            { Sid: "RestoreSourceObjects", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: `${scope.restoreFrom.bucketArn}/*` },
            { Sid: "RestoreSourceBucket", Effect: "Allow" as const, Action: ["s3:ListBucket"], Resource: scope.restoreFrom.bucketArn },
            { Sid: "RestoreSourceKey", Effect: "Allow" as const, Action: ["kms:Decrypt"], Resource: scope.restoreFrom.keyArn },
            ...restoreResults(scope.restoreFrom.bucketArn, scope.restoreFrom.keyArn, "Source"),
          ]
        : []),
      ...(scope.ebsSnapshots
        ? [
            {
              Sid: "VolumeSnapshots",
              Effect: "Allow" as const,
              Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot"],
              Resource: "*",
            },
          ]
        : []),
      { Sid: "NeverUndoBackupProtection", Effect: "Deny", Action: [...PROTECTION_ACTIONS], Resource: buckets.flatMap((b) => [b, `${b}/*`]) },
    ],
  };
}

/**
 * A restore's log and results, written under `restores/` of the location it restores
 * from, even a ReadOnly one: the restore finalizer uploads them whatever the access mode
 * (velero #1978, #6753) and, refused, retries forever, so the Restore never leaves
 * Finalizing (seen on Velero v1.18.1 in test/e2e/scenarios/backupRestore.e2e.ts). The
 * grant is that prefix alone, with a data key of the bucket's key for SSE-KMS; backups
 * stay read-only, and the bucket's lock keeps what is written there.
 */
function restoreResults(bucketArn: string, keyArn: string, which: "Own" | "Source"): PolicyStatement[] {
  return [
    { Sid: `RestoreResults${which}`, Effect: "Allow", Action: ["s3:PutObject"], Resource: `${bucketArn}/restores/*` },
    { Sid: `RestoreResults${which}Key`, Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: keyArn },
  ];
}

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
  const exec = (e: ExecHook) => ({ exec: { container: e.container, command: [...e.command], timeout: e.timeout, onError: e.onError } });
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
export function veleroSchedules(scope: BackupScope, fsBackup: boolean): Record<string, VeleroScheduleValues> {
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
        // velero.io kinds entirely (argocd.ts, RESOURCE_EXCLUSIONS).
        metadata: { labels: { [BACKUP_SCOPE_LABEL]: "imperative" } },
        // Velero selects namespaces by name only (no label selector: velero #2477), so
        // the inventory's imperative set is written out here, name by name.
        includedNamespaces: [...scope.includedNamespaces],
        // Redundant with an explicit include list today; it keeps platform and GitOps
        // namespaces out even if someone widens the include list to a glob by hand.
        excludedNamespaces: [...scope.excludedNamespaces],
        ttl: s.ttl,
        storageLocation: s.storageLocation,
        defaultVolumesToFsBackup: fsBackup,
        snapshotVolumes: !fsBackup,
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

/** ConfigMap holding the restore resource modifiers, in Velero's namespace. */
export const RESTORE_MODIFIERS_CONFIGMAP = "phoenix-restore-modifiers";

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
export function backupLocations(input: Pick<VeleroValuesInput, "storage" | "restoreFrom" | "backup">): Record<string, unknown>[] {
  const source = input.restoreFrom;
  const restoreSource = (isDefault: boolean): Record<string, unknown> => ({ name: RESTORE_LOCATION, provider: "aws", bucket: source?.bucket, default: isDefault, accessMode: "ReadOnly", config: { region: source?.region } });
  if (!input.backup.enabled && source) return [restoreSource(true)];
  return [
    { name: BACKUP_LOCATION, provider: "aws", bucket: input.storage.bucket, default: true, ...(input.backup.enabled ? {} : { accessMode: "ReadOnly" }), config: { region: input.storage.region } },
    ...(source ? [restoreSource(false)] : []),
  ];
}

/** What Velero may do with its own region's bucket (see `VeleroPolicyScope.ownBucket`). */
export function ownBucketAccess(backup: Pick<BackupScope, "enabled">, restoresFromReplica: boolean): "write" | "read" | "none" {
  return backup.enabled ? "write" : restoresFromReplica ? "none" : "read";
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
      // EBS snapshots live in the cluster's region (used only with fsBackup: false).
      volumeSnapshotLocation: [{ name: BACKUP_LOCATION, provider: "aws", config: { region: input.clusterRegion } }],
      uploaderType: "kopia",
      defaultVolumesToFsBackup: settings.fsBackup,
    },
    deployNodeAgent: settings.fsBackup,
    schedules: veleroSchedules(input.backup, settings.fsBackup),
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
  releaseName: "velero",
  settings: veleroSettingsSchema,
  freeFormValues: [
    // Keyed by schedule name; each entry is checked against the Schedule CRD (RENDERED).
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
  // Velero is how imperative state survives a disaster: always on. Turning scheduled
  // backups off is `phoenix:backups.enabled`, which the namespace table then shows.
  enabled: () => true,
  // The node agent mounts the kubelet's pod and plugin folders from the host (the
  // chart's nodeAgent.podVolumePath/pluginVolumePath; its values suggest privileged
  // labels), which only privileged allows. Without it the server's pod still sets no
  // security context of its own (the chart's defaults are empty): baseline.
  podSecurity: (settings) => (settings.fsBackup ? "privileged" : "baseline"),
  install(settings, inputs, ctx) {
    const arn = (bucket: string, partition: string): string => `arn:${partition}:s3:::${bucket}`;
    const identity = pluginIdentity(ctx, {
      description: "Velero server and node agent",
      namespace: VELERO_NAMESPACE,
      serviceAccount: VELERO_SERVICE_ACCOUNT,
      // The backup storage's bucket and key policies admit Velero's roles by this path.
      path: VELERO_ROLE_PATH,
      policy: pulumi
        .all([inputs.storage.bucket, inputs.storage.kmsKeyArn, ctx.partition, inputs.restoreFrom?.bucket, inputs.restoreFrom?.kmsKeyArn])
        .apply(([bucket, keyArn, partition, sourceBucket, sourceKeyArn]) =>
          veleroPolicy({
            bucketArn: arn(bucket, partition),
            keyArn,
            ebsSnapshots: !settings.fsBackup,
            restoreFrom: sourceBucket !== undefined && sourceKeyArn !== undefined ? { bucketArn: arn(sourceBucket, partition), keyArn: sourceKeyArn } : undefined,
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
