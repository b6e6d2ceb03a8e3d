/**
 * Velero: backs up the imperative namespaces, and nothing else, to an S3 bucket that
 * outlives the cluster. Installed as a `helm.v3.Release` because its CRD-upgrade job
 * is a Helm hook that `helm.v4.Chart` would silently drop (FIELD-NOTES, Pulumi).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { charts, images } from "../catalog";
import { podIdentityTrustPolicy, type PolicyDocument } from "../identity";
import type { BackupScope, HelmValues, Plugin, PluginContext } from "./contract";

/** Stack settings of Velero (`phoenix:plugins.velero`). */
export const veleroSettingsSchema = z
  .strictObject(
    {
      /**
       * Back up volume data file by file (kopia, node agent) instead of EBS snapshots.
       * EBS snapshots cannot be restored in another region (FIELD-NOTES, velero #103,
       * #7007), so this is on by default: a replica region must be able to restore.
       */
      fsBackup: z.boolean().default(true),
    },
    { error: (i) => (i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.join(", ")}; allowed here: fsBackup` : undefined) },
  )
  .prefault({});

/** Validated Velero settings. */
export type VeleroSettings = z.output<typeof veleroSettingsSchema>;

/** Namespace Velero runs in. */
export const VELERO_NAMESPACE = "velero";

/**
 * Service account of the Velero server (the node agent runs under it too). The chart
 * would name it `<fullname>-server` (FIELD-NOTES, Velero); Phoenix sets it explicitly so
 * the Pod Identity association cannot drift from the chart.
 */
export const VELERO_SERVICE_ACCOUNT = "velero-server";

/**
 * Velero's IAM policy (FIELD-NOTES, Velero: AWS plugin IAM): objects in the backup
 * bucket, listing of that bucket only, and the EC2 snapshot actions only when volumes
 * are backed up as EBS snapshots (those actions take no resource scope, hence `*`).
 */
export function veleroPolicy(bucketArn: string, ebsSnapshots: boolean): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "BackupObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: `${bucketArn}/*`,
      },
      { Sid: "BackupBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
      ...(ebsSnapshots
        ? [
            {
              Sid: "VolumeSnapshots",
              Effect: "Allow" as const,
              Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot"],
              Resource: "*",
            },
          ]
        : []),
    ],
  };
}

/** Name of the backup storage location every schedule writes to. */
export const BACKUP_LOCATION = "default";

/** One entry of the chart's `schedules` map (a Velero Schedule). */
export interface VeleroScheduleValues {
  readonly schedule: string;
  readonly useOwnerReferencesInBackup: false;
  readonly template: {
    readonly includedNamespaces: string[];
    readonly excludedNamespaces: string[];
    readonly ttl: string;
    readonly storageLocation: string;
    readonly defaultVolumesToFsBackup: boolean;
    readonly snapshotVolumes: boolean;
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
      // true would let deleting a Schedule garbage-collect its backups (FIELD-NOTES, velero #4093).
      useOwnerReferencesInBackup: false,
      template: {
        // Velero selects namespaces by name only (no label selector: velero #2477), so
        // the inventory's imperative set is written out here, name by name.
        includedNamespaces: [...scope.includedNamespaces],
        // Redundant with an explicit include list today; it keeps platform and GitOps
        // namespaces out even if someone widens the include list to a glob by hand.
        excludedNamespaces: [...scope.excludedNamespaces],
        ttl: s.ttl,
        storageLocation: BACKUP_LOCATION,
        defaultVolumesToFsBackup: fsBackup,
        snapshotVolumes: !fsBackup,
        // includeClusterResources is left unset on purpose: Velero then takes the
        // cluster-scoped objects the included namespaces use (their PVs, the CRDs of
        // their custom resources) and no others.
      },
    };
  }
  return schedules;
}

/** Everything the Velero values depend on besides the settings. */
export interface VeleroValuesInput {
  /** Backup bucket name. */
  readonly bucket: pulumi.Input<string>;
  /** Region of the bucket: the BSL region is the bucket's, not the cluster's (FIELD-NOTES, velero #6732). */
  readonly bucketRegion: string;
  /** Backup scope from the namespace inventory. */
  readonly backup: BackupScope;
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
    // it silently bypasses the role (FIELD-NOTES, Velero).
    credentials: { useSecret: false },
    serviceAccount: { server: { name: VELERO_SERVICE_ACCOUNT } },
    configuration: {
      backupStorageLocation: [
        { name: BACKUP_LOCATION, provider: "aws", bucket: input.bucket, default: true, config: { region: input.bucketRegion } },
      ],
      volumeSnapshotLocation: [{ name: BACKUP_LOCATION, provider: "aws", config: { region: input.bucketRegion } }],
      uploaderType: "kopia",
      defaultVolumesToFsBackup: settings.fsBackup,
    },
    deployNodeAgent: settings.fsBackup,
    schedules: veleroSchedules(input.backup, settings.fsBackup),
  };
}

/**
 * The backup bucket. It must outlive any cluster: `retainOnDelete` keeps it when the
 * stack is destroyed, and versioning keeps overwritten or deleted backups recoverable.
 */
function backupBucket(ctx: PluginContext): { bucket: aws.s3.Bucket; settings: pulumi.Resource[] } {
  const keep = { parent: ctx.parent, retainOnDelete: true };
  const name = `${ctx.name}-backups`;
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags: { ...ctx.tags, "phoenix:purpose": "velero-backups" } }, keep);
  const settings = [
    new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, keep),
    new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      keep,
    ),
    new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, keep),
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
      keep,
    ),
  ];
  return { bucket, settings };
}

/** Velero's IAM role, its scoped policy and the Pod Identity association to its service account. */
function veleroIdentity(ctx: PluginContext, bucket: aws.s3.Bucket, ebsSnapshots: boolean): pulumi.Resource[] {
  const parent = { parent: ctx.parent };
  const role = new aws.iam.Role(
    `${ctx.name}`,
    { description: "Velero server and node agent (EKS Pod Identity)", assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()), tags: { ...ctx.tags } },
    parent,
  );
  const policy = new aws.iam.RolePolicy(
    `${ctx.name}`,
    { role: role.name, policy: bucket.arn.apply((arn) => JSON.stringify(veleroPolicy(arn, ebsSnapshots))) },
    parent,
  );
  const association = new aws.eks.PodIdentityAssociation(
    `${ctx.name}`,
    { clusterName: ctx.clusterName, namespace: VELERO_NAMESPACE, serviceAccount: VELERO_SERVICE_ACCOUNT, roleArn: role.arn, tags: { ...ctx.tags } },
    parent,
  );
  return [policy, association];
}

/** The Velero plugin. */
export const velero: Plugin<VeleroSettings> = {
  id: "velero",
  chart: charts.velero,
  namespace: VELERO_NAMESPACE,
  releaseName: "velero",
  // Velero is how imperative state survives a disaster: always on. Turning scheduled
  // backups off is `phoenix:backups.enabled`, which the namespace table then shows.
  enabled: () => true,
  install(settings, ctx) {
    const { bucket, settings: bucketSettings } = backupBucket(ctx);
    const identity = veleroIdentity(ctx, bucket, !settings.fsBackup);
    return {
      values: veleroValues(settings, { bucket: bucket.bucket, bucketRegion: ctx.region, backup: ctx.backup }),
      outputs: { backupBucket: bucket.bucket },
      // No backup is written before the bucket is private, versioned and encrypted, and
      // Velero starts with its AWS identity in place.
      dependsOn: [...bucketSettings, ...identity],
    };
  },
};
