/** Velero's IAM policy: the backup bucket and its key, never the bucket's protection. */
import { PROTECTION_ACTIONS } from "../../backupStorage/policies";
import type { PolicyDocument, PolicyStatement } from "../../identity";
import type { BackupScope } from "../../types";

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
              Action:
                own === "write"
                  ? [
                      "s3:GetObject",
                      "s3:DeleteObject",
                      "s3:PutObject",
                      "s3:AbortMultipartUpload",
                      "s3:ListMultipartUploadParts",
                    ]
                  : ["s3:GetObject"],
              Resource: `${scope.bucketArn}/*`,
            },
            { Sid: "BackupBucket", Effect: "Allow" as const, Action: ["s3:ListBucket"], Resource: scope.bucketArn },
            {
              Sid: "BucketKey",
              Effect: "Allow" as const,
              Action: own === "write" ? ["kms:GenerateDataKey", "kms:Decrypt"] : ["kms:Decrypt"],
              Resource: scope.keyArn,
            },
            ...(own === "read" ? restoreResults(scope.bucketArn, scope.keyArn, "Own") : []),
          ]),
      ...(scope.restoreFrom
        ? [
            {
              Sid: "RestoreSourceObjects",
              Effect: "Allow" as const,
              Action: ["s3:GetObject"],
              Resource: `${scope.restoreFrom.bucketArn}/*`,
            },
            {
              Sid: "RestoreSourceBucket",
              Effect: "Allow" as const,
              Action: ["s3:ListBucket"],
              Resource: scope.restoreFrom.bucketArn,
            },
            {
              Sid: "RestoreSourceKey",
              Effect: "Allow" as const,
              Action: ["kms:Decrypt"],
              Resource: scope.restoreFrom.keyArn,
            },
            ...restoreResults(scope.restoreFrom.bucketArn, scope.restoreFrom.keyArn, "Source"),
          ]
        : []),
      ...(scope.ebsSnapshots
        ? [
            {
              Sid: "VolumeSnapshots",
              Effect: "Allow" as const,
              Action: [
                "ec2:DescribeVolumes",
                "ec2:DescribeSnapshots",
                "ec2:CreateTags",
                "ec2:CreateVolume",
                "ec2:CreateSnapshot",
                "ec2:DeleteSnapshot",
              ],
              Resource: "*",
            },
          ]
        : []),
      {
        Sid: "NeverUndoBackupProtection",
        Effect: "Deny",
        Action: [...PROTECTION_ACTIONS],
        Resource: buckets.flatMap((b) => [b, `${b}/*`]),
      },
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

/** What Velero may do with its own region's bucket (see `VeleroPolicyScope.ownBucket`). */
export function ownBucketAccess(
  backup: Pick<BackupScope, "enabled">,
  restoresFromReplica: boolean,
): "write" | "read" | "none" {
  return backup.enabled ? "write" : restoresFromReplica ? "none" : "read";
}
