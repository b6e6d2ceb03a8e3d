/**
 * backup-buckets-hardened: a hardened bucket passes, each missing guard fails, and buckets are found by their role.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyResource } from "@pulumi/policy";
import { tlsOnlyBucketPolicy } from "../../../components/backupStorage";
import { backupBucketsHardened } from "../../../policy/rules/backupBuckets";
import { res, stackViolations } from "./harness";

/** A hardened backup bucket and its settings, as the storage project declares them. */
function backupStack(
  overrides: {
    objectLock?: boolean;
    protect?: boolean;
    sharedKeyWith?: boolean;
    plainHttp?: boolean;
    versioning?: string;
    publicAccess?: boolean;
  } = {},
): PolicyResource[] {
  const key = res("aws:kms/key:Key", "backups", {});
  const bucket = res(
    "aws:s3/bucket:Bucket",
    "backups",
    {
      tags: { "phoenix:purpose": "velero-backups" },
      ...(overrides.objectLock === false ? {} : { objectLockEnabled: true }),
    },
    [],
    overrides.protect ?? true,
  );
  const on = [bucket];
  const resources = [
    key,
    bucket,
    res(
      "aws:s3/bucketVersioning:BucketVersioning",
      "backups",
      { versioningConfiguration: { status: overrides.versioning ?? "Enabled" } },
      on,
    ),
    res(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "backups",
      {
        rules: [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "<computed: key arn>" } },
        ],
      },
      [bucket, key],
    ),
    res(
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "backups",
      {
        blockPublicAcls: true,
        blockPublicPolicy: overrides.publicAccess !== true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      on,
    ),
    res(
      "aws:s3/bucketPolicy:BucketPolicy",
      "backups",
      {
        policy: JSON.stringify(
          overrides.plainHttp ? { Version: "2012-10-17", Statement: [] } : tlsOnlyBucketPolicy("arn:aws:s3:::b"),
        ),
      },
      on,
    ),
  ];
  if (overrides.objectLock !== false)
    resources.push(
      res(
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "backups",
        { rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } },
        on,
      ),
    );
  if (overrides.sharedKeyWith) {
    const other = res(
      "aws:s3/bucket:Bucket",
      "replica",
      { tags: { "phoenix:purpose": "velero-backups-replica" }, objectLockEnabled: true },
      [],
      true,
    );
    resources.push(
      other,
      res(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "replica",
        { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }] },
        [other, key],
      ),
    );
  }
  return resources;
}

describe("backup-buckets-hardened (stack)", () => {
  it("passes a bucket with its own key, versioning, a public access block, a TLS-only policy, Object Lock and protect", () => {
    assert.deepEqual(stackViolations(backupBucketsHardened, backupStack()), []);
  });
  it("passes a lock enabled by the lock configuration alone (S3 locks an existing versioned bucket in place)", () => {
    const stack = backupStack().map((r) =>
      r.type === "aws:s3/bucket:Bucket" ? { ...r, props: { tags: r.props.tags as unknown } } : r,
    );
    const lock = stack.find((r) => r.type.includes("ObjectLock"));
    if (lock)
      lock.props = { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 35 } } };
    assert.deepEqual(stackViolations(backupBucketsHardened, stack), []);
    // A lock configuration without a default retention locks nothing Velero writes.
    if (lock) lock.props = { objectLockEnabled: "Enabled" };
    assert.match(
      (stackViolations(backupBucketsHardened, stack) as string[]).join("\n"),
      /is not locked: .*default retention/,
    );
  });

  it("fails each missing guard, naming it", () => {
    const one = (o: Parameters<typeof backupStack>[0]): string => {
      const v = stackViolations(backupBucketsHardened, backupStack(o));
      assert.ok(Array.isArray(v) && v.length >= 1, JSON.stringify(o));
      return v.join("\n");
    };
    assert.match(one({ objectLock: false }), /is not locked/);
    assert.match(one({ protect: false }), /is not protected/);
    assert.match(one({ versioning: "Suspended" }), /is not versioned/);
    assert.match(one({ publicAccess: true }), /may become public/);
    assert.match(one({ plainHttp: true }), /accepts plain HTTP/);
    assert.match(one({ sharedKeyWith: true }), /shares its KMS key backups with another backup bucket/);
  });
  it("finds a backup bucket by its role when its tag is missing: either end of a replication, or the storage component's bucket", () => {
    const untagged = (stack: PolicyResource[]) =>
      stack.map((r) => (r.type === "aws:s3/bucket:Bucket" ? { ...r, props: { ...r.props, tags: {} } } : r));
    const bare = res("aws:s3/bucket:Bucket", "replica", {});
    const replicated = [
      ...untagged(backupStack()),
      bare,
      res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups", {}, [backupStack()[1], bare]),
    ];
    const found = (stackViolations(backupBucketsHardened, replicated) as string[]).join("\n");
    assert.match(found, /backup bucket replica is not protected/);
    assert.match(found, /backup bucket replica is not versioned/);
    const storage = res("phoenix:backupStorage:BackupStorage", "storage", {});
    const child = { ...res("aws:s3/bucket:Bucket", "backups", {}), parent: storage };
    assert.match(
      (stackViolations(backupBucketsHardened, [storage, child]) as string[]).join("\n"),
      /backup bucket backups is not locked/,
    );
    const logs = {
      ...res("aws:s3/bucket:Bucket", "logs", { tags: { "phoenix:purpose": "velero-backups-access-logs" } }),
      parent: storage,
    };
    assert.equal(
      stackViolations(backupBucketsHardened, [storage, logs]),
      "not applicable",
      "the component's access-log bucket is none",
    );
  });
  it("is not applicable where there is no backup bucket (the platform stack; an access-log bucket is none)", () => {
    assert.equal(
      stackViolations(backupBucketsHardened, [
        res("aws:s3/bucket:Bucket", "logs", { tags: { "phoenix:purpose": "velero-backups-access-logs" } }),
      ]),
      "not applicable",
    );
  });
});
