/** Pure IAM documents of the backup storage: the bucket policy and the replication role's policy. */
import type { PolicyDocument } from "../identity";

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
