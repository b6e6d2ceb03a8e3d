/**
 * Velero: backs up the imperative namespaces, and nothing else, to an S3 bucket that
 * outlives the cluster. Installed as a `helm.v3.Release` because its CRD-upgrade job
 * is a Helm hook that `helm.v4.Chart` would silently drop (FIELD-NOTES, Pulumi).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { z } from "zod";
import { charts, images } from "../catalog";
import type { PolicyDocument } from "../identity";
import { ARGOCD_INSTANCE_LABEL, ARGOCD_TRACKING_ANNOTATION } from "../labels";
import { pluginIdentity, type BackupScope, type HelmValues, type Plugin, type PluginContext } from "./contract";
import { REGION_CODE, strictSettings } from "./settings";

/** An AWS region code, such as eu-central-1. */
const regionCode = z.string().regex(REGION_CODE, "must be an AWS region code (area-direction-number, as aws:region)");

/** Stack settings of Velero (`phoenix:plugins.velero`). */
export const veleroSettingsSchema = strictSettings({
  /**
   * Back up volume data file by file (kopia, node agent) instead of EBS snapshots.
   * EBS snapshots cannot be restored in another region (FIELD-NOTES, velero #103,
   * #7007), so this is on by default: a replica region must be able to restore.
   */
  fsBackup: z.boolean().default(true),
  /**
   * Days an overwritten or deleted backup object stays recoverable as a noncurrent
   * version before S3 expires it. Velero deleting an expired backup is such a delete.
   */
  noncurrentVersionDays: z.number().int().min(1).max(3650).default(30),
  /** Replicate the backup bucket to a bucket in this DR region (S3 Cross-Region Replication). */
  replication: strictSettings({ region: regionCode }).optional(),
  /**
   * Another region's backups to restore from, read-only: the replica bucket a primary
   * stack exports (`replicaBucket`, `replicaKeyArn`). Velero gets a read-only backup
   * storage location on it and the rights to read it, and nothing more.
   */
  restoreFrom: strictSettings({
    /** Bucket name (the primary stack's `replicaBucket` output). */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (the primary stack's replicaBucket output)"),
    /** The bucket's region: the location's region is the bucket's (velero #6732). */
    region: regionCode,
    /** ARN of the bucket's KMS key (the primary stack's replicaKeyArn output). */
    kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "must be a KMS key ARN (the primary stack's replicaKeyArn output)"),
  }).optional(),
}).prefault({});

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
}

/**
 * Velero's IAM policy (FIELD-NOTES, Velero: AWS plugin IAM): objects in the backup
 * bucket, listing of that bucket only, the bucket's own KMS key (SSE-KMS: writing needs
 * a data key, reading needs decrypt), and the EC2 snapshot actions only when volumes
 * are backed up as EBS snapshots. Those EC2 actions take no useful resource scope for a
 * volume Velero has not seen yet, hence `*`. A restore source adds read-only access to
 * that bucket and decrypt on its key: no write, no delete.
 */
export function veleroPolicy(scope: VeleroPolicyScope): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "BackupObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: `${scope.bucketArn}/*`,
      },
      { Sid: "BackupBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: scope.bucketArn },
      { Sid: "BucketKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: scope.keyArn },
      ...(scope.restoreFrom
        ? [
            { Sid: "RestoreSourceObjects", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: `${scope.restoreFrom.bucketArn}/*` },
            { Sid: "RestoreSourceBucket", Effect: "Allow" as const, Action: ["s3:ListBucket"], Resource: scope.restoreFrom.bucketArn },
            { Sid: "RestoreSourceKey", Effect: "Allow" as const, Action: ["kms:Decrypt"], Resource: scope.restoreFrom.keyArn },
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
    ],
  };
}

/** A bucket's TLS-only policy: every request over plain HTTP is denied, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** What the replication role is scoped to. */
export interface ReplicationScope {
  readonly sourceBucketArn: string;
  readonly sourceKeyArn: string;
  readonly sourceRegion: string;
  readonly replicaBucketArn: string;
  readonly replicaKeyArn: string;
  readonly replicaRegion: string;
  readonly dnsSuffix: string;
}

/**
 * The S3 replication role's policy (S3 user guide, "Setting up permissions" for
 * replication of SSE-KMS objects): read the source's versions, write replicas into the
 * replica bucket only, decrypt with the source key and encrypt with the replica key,
 * each only when S3 in that region asks on behalf of that bucket.
 */
export function replicationPolicy(s: ReplicationScope): PolicyDocument {
  const viaS3 = (region: string, bucketArn: string) => ({
    StringEquals: { "kms:ViaService": `s3.${region}.${s.dnsSuffix}` },
    // With S3 Bucket Keys the encryption context is the bucket ARN; without, the object's.
    StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "SourceBucket", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: s.sourceBucketArn },
      {
        Sid: "SourceVersions",
        Effect: "Allow",
        Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        Resource: `${s.sourceBucketArn}/*`,
      },
      {
        Sid: "ReplicaObjects",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: `${s.replicaBucketArn}/*`,
      },
      { Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: s.sourceKeyArn, Condition: viaS3(s.sourceRegion, s.sourceBucketArn) },
      {
        Sid: "EncryptReplica",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: s.replicaKeyArn,
        Condition: viaS3(s.replicaRegion, s.replicaBucketArn),
      },
    ],
  };
}

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
        // A Backup takes its Schedule's template labels. Phoenix's own label only: no
        // argocd.argoproj.io/* label, so Argo CD never treats a Backup as one of its
        // resources and prunes it (FIELD-NOTES, velero #2975); Argo CD also excludes
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

/**
 * The group-resources whose Argo CD metadata a restore strips. A rule's `groupResource`
 * matches one group-resource exactly (velero internal/resourcemodifiers), so the kinds
 * an imperative namespace usually holds are listed one by one; custom resources are not
 * covered and the README says so.
 */
export const RESTORED_GROUP_RESOURCES = [
  "persistentvolumeclaims",
  "configmaps",
  "secrets",
  "services",
  "serviceaccounts",
  "pods",
  "deployments.apps",
  "statefulsets.apps",
  "daemonsets.apps",
  "replicasets.apps",
  "jobs.batch",
  "cronjobs.batch",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "ingresses.networking.k8s.io",
  "networkpolicies.networking.k8s.io",
  "poddisruptionbudgets.policy",
  "horizontalpodautoscalers.autoscaling",
] as const;

/**
 * Velero resource modifiers (v1) that remove Argo CD's tracking annotation and instance
 * label from every restored object of the backed-up namespaces: a restored object that
 * still carries them is pruned by Argo CD as soon as it appears (FIELD-NOTES, velero
 * #7848). A JSON merge patch (Velero >= 1.13) sets them to null, which is a no-op where
 * they are absent; a JSON patch `remove` would fail on every object without them.
 */
export function restoreModifiers(namespaces: readonly string[]): Record<string, unknown> {
  // A rule without namespaces matches every namespace: with nothing imperative, no rules.
  if (namespaces.length === 0) return { version: "v1", resourceModifierRules: [] };
  const strip = JSON.stringify({ metadata: { annotations: { [ARGOCD_TRACKING_ANNOTATION]: null }, labels: { [ARGOCD_INSTANCE_LABEL]: null } } });
  return {
    version: "v1",
    resourceModifierRules: RESTORED_GROUP_RESOURCES.map((groupResource) => ({
      conditions: { groupResource, namespaces: [...namespaces] },
      mergePatches: [{ patchData: strip }],
    })),
  };
}

/** Everything the Velero values depend on besides the settings. */
export interface VeleroValuesInput {
  /** Backup bucket name. */
  readonly bucket: pulumi.Input<string>;
  /** Region of the bucket: the BSL region is the bucket's, not the cluster's (FIELD-NOTES, velero #6732). */
  readonly bucketRegion: string;
  /** Backup scope from the namespace inventory. */
  readonly backup: BackupScope;
  /** Service-account annotations of the AWS identity (IRSA's role ARN). */
  readonly serviceAccountAnnotations: pulumi.Input<Record<string, string>>;
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
    serviceAccount: { server: { name: VELERO_SERVICE_ACCOUNT, annotations: input.serviceAccountAnnotations } },
    configuration: {
      backupStorageLocation: [
        { name: BACKUP_LOCATION, provider: "aws", bucket: input.bucket, default: true, config: { region: input.bucketRegion } },
        // Read-only: Velero syncs and restores its backups but can never write or
        // garbage-collect them (FIELD-NOTES, Velero: the DR cluster's BSL).
        ...(settings.restoreFrom
          ? [{ name: RESTORE_LOCATION, provider: "aws", bucket: settings.restoreFrom.bucket, default: false, accessMode: "ReadOnly", config: { region: settings.restoreFrom.region } }]
          : []),
      ],
      volumeSnapshotLocation: [{ name: BACKUP_LOCATION, provider: "aws", config: { region: input.bucketRegion } }],
      uploaderType: "kopia",
      defaultVolumesToFsBackup: settings.fsBackup,
    },
    deployNodeAgent: settings.fsBackup,
    schedules: veleroSchedules(input.backup, settings.fsBackup),
  };
}

/** A private, versioned, SSE-KMS, TLS-only bucket with its own key. */
interface SecureBucket {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  /** Its settings: what must exist before anything is written to it. */
  readonly settings: pulumi.Resource[];
}

/**
 * One backup bucket and its own KMS key. Both outlive the stack: `retainOnDelete` keeps
 * them when the cluster's stack is destroyed (a backup that dies with its cluster is
 * not a backup), and the key must survive with the bucket or every object in it
 * becomes unreadable. Not `protect`: that would make the recreate drill's
 * `pulumi destroy` fail instead of leaving the backups behind.
 */
function secureBucket(name: string, purpose: string, noncurrentDays: number, ctx: PluginContext, provider?: pulumi.ProviderResource): SecureBucket {
  const keep = { parent: ctx.parent, retainOnDelete: true, provider };
  const tags = { ...ctx.tags, "phoenix:purpose": purpose };
  const key = new aws.kms.Key(
    name,
    { description: `SSE-KMS key of the ${purpose} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
    keep,
  );
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags }, keep);
  const versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, keep);
  const settings = [
    new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, keep),
    new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      keep,
    ),
    versioning,
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      // The bucket key cuts KMS requests (and cost) for kopia's many small objects.
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
      keep,
    ),
    new aws.s3.BucketPolicy(name, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) }, keep),
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: noncurrentDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
          // Delete markers left once all their noncurrent versions have expired.
          { id: "expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
        ],
      },
      // Lifecycle rules on a versioned bucket act on versions: versioning comes first.
      { ...keep, dependsOn: [versioning] },
    ),
  ];
  return { bucket, key, settings };
}

/**
 * The DR copy: a bucket like the primary's in the replication region, and S3
 * Cross-Region Replication with its own role. Replication is asynchronous and does not
 * copy objects written before the rule existed (FIELD-NOTES, Velero): the README says
 * what that means for the first backups.
 */
function replicate(
  primary: SecureBucket,
  drRegion: string,
  settings: VeleroSettings,
  ctx: PluginContext,
): { rule: pulumi.Resource; replicaBucket: pulumi.Output<string>; replicaKeyArn: pulumi.Output<string> } {
  const name = `${ctx.name}-backups-replica`;
  const provider = new aws.Provider(`${name}-${drRegion}`, { region: drRegion as aws.Region, defaultTags: { tags: { ...ctx.tags } } }, { parent: ctx.parent });
  const replica = secureBucket(name, "velero-backups-replica", settings.noncurrentVersionDays, ctx, provider);
  const dnsSuffix = aws.getPartitionOutput({}, { parent: ctx.parent }).dnsSuffix;
  const role = new aws.iam.Role(
    `${ctx.name}-replication`,
    {
      description: "S3 replication of the Velero backup bucket to its DR replica",
      assumeRolePolicy: dnsSuffix.apply((suffix) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: `s3.${suffix}` }, Action: "sts:AssumeRole" }] }),
      ),
      tags: { ...ctx.tags },
    },
    // Kept with the rule: a retained rule whose role is gone stops copying silently.
    { parent: ctx.parent, retainOnDelete: true },
  );
  const policy = new aws.iam.RolePolicy(
    `${ctx.name}-replication`,
    {
      role: role.name,
      policy: pulumi
        .all([primary.bucket.arn, primary.key.arn, replica.bucket.arn, replica.key.arn, dnsSuffix])
        .apply(([sourceBucketArn, sourceKeyArn, replicaBucketArn, replicaKeyArn, suffix]) =>
          JSON.stringify(
            replicationPolicy({ sourceBucketArn, sourceKeyArn, sourceRegion: ctx.region, replicaBucketArn, replicaKeyArn, replicaRegion: drRegion, dnsSuffix: suffix }),
          ),
        ),
    },
    { parent: ctx.parent, retainOnDelete: true },
  );
  const rule = new aws.s3.BucketReplicationConfig(
    `${ctx.name}-backups`,
    {
      bucket: primary.bucket.id,
      role: role.arn,
      rules: [
        {
          id: "dr-replica",
          status: "Enabled",
          filter: {},
          // Velero deleting an expired backup is replicated too, so the DR cluster's
          // read-only location lists the same backups as the primary; the versions stay
          // recoverable on both sides for noncurrentVersionDays.
          deleteMarkerReplication: { status: "Enabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: { bucket: replica.bucket.arn, encryptionConfiguration: { replicaKmsKeyId: replica.key.arn } },
        },
      ],
    },
    // Replication needs versioning on both sides and the role's permissions in place.
    { parent: ctx.parent, retainOnDelete: true, dependsOn: [...primary.settings, ...replica.settings, policy] },
  );
  return { rule, replicaBucket: replica.bucket.bucket, replicaKeyArn: replica.key.arn };
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
    const primary = secureBucket(`${ctx.name}-backups`, "velero-backups", settings.noncurrentVersionDays, ctx);
    const identity = pluginIdentity(ctx, {
      description: "Velero server and node agent",
      namespace: VELERO_NAMESPACE,
      serviceAccount: VELERO_SERVICE_ACCOUNT,
      policy: pulumi.all([primary.bucket.arn, primary.key.arn, ctx.partition]).apply(([bucketArn, keyArn, partition]) =>
        veleroPolicy({
          bucketArn,
          keyArn,
          ebsSnapshots: !settings.fsBackup,
          restoreFrom: settings.restoreFrom && { bucketArn: `arn:${partition}:s3:::${settings.restoreFrom.bucket}`, keyArn: settings.restoreFrom.kmsKeyArn },
        }),
      ),
    });
    const replication = settings.replication ? replicate(primary, settings.replication.region, settings, ctx) : undefined;
    return {
      values: veleroValues(settings, {
        bucket: primary.bucket.bucket,
        bucketRegion: ctx.region,
        backup: ctx.backup,
        serviceAccountAnnotations: identity.serviceAccountAnnotations,
      }),
      outputs: {
        backupBucket: primary.bucket.bucket,
        restoreModifiers: pulumi.output(RESTORE_MODIFIERS_CONFIGMAP),
        ...(replication ? { replicaBucket: replication.replicaBucket, replicaKeyArn: replication.replicaKeyArn } : {}),
      },
      // No backup is written before the bucket is private, versioned, encrypted and
      // replicated, and Velero starts with its AWS identity in place.
      dependsOn: [...primary.settings, ...identity.ready, ...(replication ? [replication.rule] : [])],
      // In Velero's namespace, which exists once the release does. A restore uses it
      // with --resource-modifier-configmap (README, "Restoring").
      afterRelease: (release) =>
        void new k8s.core.v1.ConfigMap(
          `${ctx.name}-restore-modifiers`,
          {
            metadata: { name: RESTORE_MODIFIERS_CONFIGMAP, namespace: VELERO_NAMESPACE },
            data: { "resource-modifiers.yaml": stringify(restoreModifiers(ctx.backup.includedNamespaces)) },
          },
          { parent: ctx.parent, provider: ctx.provider, dependsOn: [release] },
        ),
    };
  },
};
