/**
 * Pure builders for the cluster's hardening defaults: the secrets key's policy, the
 * node launch template's metadata and volume settings, the cluster role's policies,
 * the control-plane log group and the default StorageClass.
 */
import type { PolicyDocument } from "../identity";

/** What the secrets key's policy names; all from the deploying account, never hard-coded. */
export interface SecretsKeyScope {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly dnsSuffix: string;
  /** The EKS cluster role: the one principal that encrypts and decrypts with the key. */
  readonly clusterRoleArn: string;
}

/**
 * Key administration without use (KMS developer guide, "Key policies": key
 * administrators). Nothing that encrypts, decrypts or grants: an administrator can
 * rotate, disable or schedule deletion, never read a secret.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:UpdateAlias",
  "kms:DescribeKey",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:PutKeyPolicy",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListResourceTags",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateKeyDescription",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
] as const;

/**
 * The policy of the key that envelope-encrypts Kubernetes secrets:
 *  - the account (i.e. its IAM administrators) administers the key but cannot use it;
 *  - the EKS cluster role encrypts and decrypts;
 *  - whoever creates or updates the cluster may let EKS create its grant, only through
 *    EKS and only for an AWS resource (EKS user guide, "Encrypt Kubernetes secrets with
 *    KMS": the creating principal needs kms:CreateGrant and kms:DescribeKey).
 */
export function secretsKeyPolicy(s: SecretsKeyScope): PolicyDocument {
  const account = `arn:${s.partition}:iam::${s.accountId}:root`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: account },
        Action: [...KEY_ADMIN_ACTIONS],
        Resource: "*",
      },
      {
        Sid: "ClusterRoleUse",
        Effect: "Allow",
        Principal: { AWS: s.clusterRoleArn },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
      },
      {
        Sid: "GrantThroughEks",
        Effect: "Allow",
        Principal: { AWS: account },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": `eks.${s.region}.${s.dnsSuffix}` },
          Bool: { "kms:GrantIsForAWSResource": "true" },
        },
      },
    ],
  };
}

/**
 * AWS managed policies of the EKS cluster role: the cluster policy, and with Auto Mode
 * the policies EKS needs to run compute, storage, load balancing and networking itself
 * (EKS user guide, "Amazon EKS Auto Mode cluster IAM role").
 */
export function clusterRolePolicies(autoMode: boolean): string[] {
  return [
    "AmazonEKSClusterPolicy",
    ...(autoMode
      ? [
          "AmazonEKSComputePolicy",
          "AmazonEKSBlockStoragePolicy",
          "AmazonEKSLoadBalancingPolicy",
          "AmazonEKSNetworkingPolicy",
        ]
      : []),
  ];
}

/** The cluster role's trust: EKS only; Auto Mode also tags sessions (EKS user guide, Auto Mode cluster role). */
export function clusterRoleTrust(dnsSuffix: string, autoMode: boolean): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: `eks.${dnsSuffix}` },
        Action: autoMode ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole",
      },
    ],
  };
}

/**
 * Instance metadata of every node: IMDSv2 only, and one network hop, so a pod's own
 * network namespace cannot reach the node role's credentials (EKS best practices,
 * "Restrict access to the instance profile assigned to the worker node"). Pods get AWS
 * identities through Pod Identity or IRSA instead; the node agents that need IMDS run on
 * the host network.
 */
export const NODE_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/** One EBS block device mapping of a launch template. */
export interface BlockDevice {
  readonly deviceName: string;
  readonly ebs: {
    readonly volumeType: "gp3";
    readonly encrypted: "true";
    readonly deleteOnTermination: "true";
    readonly volumeSize?: number;
  };
}

/**
 * Encrypted gp3 volumes of a node. AL2023 boots and keeps containers on /dev/xvda;
 * Bottlerocket has a small OS volume on /dev/xvda and its data volume on /dev/xvdb
 * (Bottlerocket docs, "Storage"), which gets the node group's size.
 */
export function nodeBlockDevices(amiType: string, sizeGiB: number): BlockDevice[] {
  const volume = (deviceName: string, volumeSize?: number): BlockDevice => ({
    deviceName,
    ebs: {
      volumeType: "gp3",
      encrypted: "true",
      deleteOnTermination: "true",
      ...(volumeSize !== undefined ? { volumeSize } : {}),
    },
  });
  return amiType.startsWith("BOTTLEROCKET")
    ? [volume("/dev/xvda"), volume("/dev/xvdb", sizeGiB)]
    : [volume("/dev/xvda", sizeGiB)];
}

/**
 * The policy of the key that encrypts the control-plane log group: the account
 * administers it, and CloudWatch Logs in the cluster's region uses it for that one log
 * group only (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS
 * Key Management Service": the service principal, with the log group's ARN as the
 * encryption context).
 */
export function logsKeyPolicy(
  s: Omit<SecretsKeyScope, "clusterRoleArn"> & { readonly logGroup: string },
): PolicyDocument {
  const account = `arn:${s.partition}:iam::${s.accountId}:root`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: account },
        Action: [...KEY_ADMIN_ACTIONS],
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsUse",
        Effect: "Allow",
        Principal: { Service: `logs.${s.region}.${s.dnsSuffix}` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnEquals: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${s.partition}:logs:${s.region}:${s.accountId}:log-group:${s.logGroup}`,
          },
        },
      },
    ],
  };
}

/** The log group EKS writes control-plane logs to; created first, so its retention applies (EKS user guide, "Send control plane logs to CloudWatch Logs"). */
export function controlPlaneLogGroup(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Name of the default StorageClass Phoenix creates. */
export const DEFAULT_STORAGE_CLASS = "gp3-encrypted";

/**
 * The default StorageClass: encrypted gp3 through the EBS CSI driver (the managed
 * add-on's provisioner, or Auto Mode's own). Bound when a pod is scheduled, so the
 * volume lands in that pod's availability zone. EKS stopped marking gp2 as the default
 * on clusters created at 1.30 or later (EKS Kubernetes versions, 1.30 release notes),
 * so this is the only default.
 */
export function defaultStorageClass(autoMode: boolean): {
  provisioner: string;
  parameters: Record<string, string>;
  volumeBindingMode: string;
  allowVolumeExpansion: boolean;
  reclaimPolicy: string;
} {
  return {
    provisioner: autoMode ? "ebs.csi.eks.amazonaws.com" : "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true" },
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    reclaimPolicy: "Delete",
  };
}
