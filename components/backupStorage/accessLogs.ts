/** The S3 server access logs of a backup bucket, in a log bucket of their own. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStorageArgs } from "./args";
import type { Principals, Side } from "./build";
import { accessLogBucketPolicy } from "./policies";

/**
 * S3 server access logs of a backup bucket, into a log bucket of its own in the same
 * region (the destination must be in the source's region and account, and a bucket with
 * Object Lock cannot be a destination: S3 user guide, "Object Lock considerations" and
 * "Enabling Amazon S3 server access logging"). The log bucket is encrypted with SSE-S3:
 * that is the default encryption the S3 user guide documents for a log destination.
 */
export function accessLogs(
  parent: pulumi.ComponentResource,
  side: Side,
  source: aws.s3.Bucket,
  args: BackupStorageArgs,
  who: Principals,
): pulumi.Resource {
  const name = `${side.name}-access-logs`;
  const keep = { parent, retainOnDelete: true, provider: side.provider };
  const logs = new aws.s3.Bucket(
    name,
    { forceDestroy: false, tags: { ...args.tags, "phoenix:purpose": `${side.purpose}-access-logs` } },
    keep,
  );
  const ownership = new aws.s3.BucketOwnershipControls(
    name,
    { bucket: logs.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    keep,
  );
  const block = new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: logs.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    keep,
  );
  const sse = new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    { bucket: logs.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    keep,
  );
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(
    name,
    {
      bucket: logs.id,
      rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.accessLogDays } }],
    },
    keep,
  );
  const policy = new aws.s3.BucketPolicy(
    name,
    {
      bucket: logs.id,
      policy: pulumi
        .all([logs.arn, source.arn, who.accountId, who.dnsSuffix])
        .apply(([logArn, sourceArn, accountId, dnsSuffix]) =>
          JSON.stringify(accessLogBucketPolicy(logArn, [sourceArn], accountId, dnsSuffix)),
        ),
    },
    { ...keep, dependsOn: [block] },
  );
  return new aws.s3.BucketLogging(
    side.name,
    {
      bucket: source.id,
      targetBucket: logs.id,
      targetPrefix: "s3-access/",
      // Date-partitioned keys, which Athena can prune by day.
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
    },
    { ...keep, dependsOn: [ownership, sse, lifecycle, policy] },
  );
}
