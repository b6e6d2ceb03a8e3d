/**
 * The backup storage component's defences against a stolen Velero identity, wired under
 * the offline mock runtime: Object Lock on both buckets, the bucket and key policies with
 * the principals looked up at run time (or given), server access logs per region, and
 * the kopia repository password as a replicated, never-rotated secret.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BackupStorage, type BackupStorageArgs } from "../../../components/backupStorage";
import type { PolicyDocument, PolicyStatement } from "../../../components/identity";
import { COMPUTED, evaluateOffline, resolve, SECRET, type RecordedResource } from "../../../cli/plan/runtime";
import { at, ofType, one } from "../../helpers";

/** The stack's administrator: admins are always named (a default would lock out the next deployer). */
const DEPLOYER = "arn:aws:iam::111122223333:role/platform-deploy";
const base: BackupStorageArgs = {
  region: "eu-west-1",
  replicaRegion: "eu-central-1",
  noncurrentVersionDays: 30,
  accessLogDays: 180,
  objectLock: { mode: "GOVERNANCE", days: 30 },
  admins: [DEPLOYER],
};
const run = (a: BackupStorageArgs = base) =>
  evaluateOffline(
    { project: "phoenix-backup-storage", stack: "unit", config: { "aws:region": a.region } },
    () => new BackupStorage("backups", a),
  );

const ACCOUNT = `${COMPUTED} account id>`;
const computedOf = (type: string, name: string, prop: string): string => `${COMPUTED} ${type} ${name}.${prop}>`;
const policyOf = (resources: readonly RecordedResource[], type: string, name: string): PolicyDocument =>
  JSON.parse(String(one(resources, type, name).inputs.policy)) as PolicyDocument;
const sid = (doc: PolicyDocument, id: string): PolicyStatement => {
  const st = doc.Statement.find((s) => s.Sid === id);
  assert.ok(st, `statement ${id} in ${JSON.stringify(doc)}`);
  return st;
};
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

describe("Object Lock", () => {
  it("puts the default retention on the bucket and its replica, once versioning is on", async () => {
    const { resources } = await run({ ...base, objectLock: { mode: "COMPLIANCE", days: 45 } });
    for (const name of ["backups", "backups-replica"]) {
      const lock = one(resources, LOCK, name);
      assert.equal(lock.inputs.objectLockEnabled, "Enabled");
      assert.deepEqual(at(lock.inputs, "rule", "defaultRetention"), { mode: "COMPLIANCE", days: 45 });
      assert.equal(lock.inputs.bucket, computedOf("aws:s3/bucket:Bucket", name, "id"));
      assert.ok(
        lock.dependencies.includes(one(resources, "aws:s3/bucketVersioning:BucketVersioning", name).urn),
        `${name}: Object Lock needs versioning first`,
      );
      assert.deepEqual([lock.options.protect, lock.options.retainOnDelete], [true, true]);
    }
    // Enabled by its own resource, never by replacing the bucket that holds the backups.
    assert.equal(one(resources, "aws:s3/bucket:Bucket", "backups").inputs.objectLockEnabled, undefined);
    const replication = one(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups");
    assert.ok(
      replication.dependencies.includes(one(resources, LOCK, "backups-replica").urn),
      "the replica is locked before anything is replicated into it",
    );
  });

  it("is left out when the stack turns the default retention off", async () => {
    const { resources, outputs } = await run({ ...base, objectLock: undefined });
    assert.equal(ofType(resources, LOCK).length, 0);
    assert.equal(outputs.objectLock, undefined);
  });
});

describe("who may read and who may change the backups", () => {
  it("by default admits the account's Velero roles by path and names the account root and the deploying role as administrators", async () => {
    const { resources } = await run();
    const doc = policyOf(resources, BUCKET_POLICY, "backups");
    assert.deepEqual(
      at(sid(doc, "DenyReadsButVeleroReplicationAdmins"), "Condition", "ArnNotLike", "aws:PrincipalArn"),
      [
        `arn:aws:iam::${ACCOUNT}:role/phoenix/velero/*`,
        computedOf("aws:iam/role:Role", "backups-replication", "arn"),
        `arn:aws:iam::${ACCOUNT}:root`,
        DEPLOYER,
      ],
    );
    assert.deepEqual(at(sid(doc, "DenyProtectionChangesButAdmins"), "Condition", "ArnNotLike", "aws:PrincipalArn"), [
      `arn:aws:iam::${ACCOUNT}:root`,
      DEPLOYER,
    ]);
    // The replica has the same policy, on its own ARN.
    const replica = policyOf(resources, BUCKET_POLICY, "backups-replica");
    assert.equal(
      sid(replica, "DenyProtectionChangesButAdmins").Resource?.[0],
      computedOf("aws:s3/bucket:Bucket", "backups-replica", "arn"),
    );
  });

  it("takes another stack's administrators and Velero roles, keeping the account root an administrator", async () => {
    const admins = ["arn:aws:iam::111122223333:role/backup-break-glass"];
    const veleroRoles = ["arn:aws:iam::111122223333:role/custom/velero-*"];
    const { resources } = await run({ ...base, admins, veleroRoles });
    const doc = policyOf(resources, BUCKET_POLICY, "backups");
    const changers = at(
      sid(doc, "DenyProtectionChangesButAdmins"),
      "Condition",
      "ArnNotLike",
      "aws:PrincipalArn",
    ) as string[];
    assert.deepEqual(changers, [`arn:aws:iam::${ACCOUNT}:root`, ...admins]);
    assert.ok(!changers.includes(DEPLOYER), "the stack's list is the whole list, with the account root");
    assert.equal(
      (
        at(sid(doc, "DenyReadsButVeleroReplicationAdmins"), "Condition", "ArnNotLike", "aws:PrincipalArn") as string[]
      )[0],
      veleroRoles[0],
    );
  });

  it("puts the bucket policy on last, once everything it guards exists", async () => {
    const { resources } = await run();
    const policy = one(resources, BUCKET_POLICY, "backups");
    for (const type of [
      "aws:s3/bucketVersioning:BucketVersioning",
      LOCK,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketLogging:BucketLogging",
    ]) {
      assert.ok(policy.dependencies.includes(one(resources, type, "backups").urn), `after ${type}`);
    }
  });
});

describe("the storage keys", () => {
  it("have explicit policies: the primary key used by Velero and decrypted by replication, the replica key written by replication, read by Velero, and used by Velero only to write a restore's results", async () => {
    const { resources } = await run();
    const primary = policyOf(resources, "aws:kms/key:Key", "backups");
    const replica = policyOf(resources, "aws:kms/key:Key", "backups-replica");
    const role = computedOf("aws:iam/role:Role", "backups-replication", "arn");
    assert.deepEqual(
      primary.Statement.map((s) => [s.Sid, s.Action, at(s, "Condition", "StringEquals", "kms:ViaService") ?? null]),
      [
        ["KeyAdministration", at(primary.Statement[0], "Action"), null],
        ["VeleroUse", ["kms:GenerateDataKey", "kms:Decrypt"], "s3.eu-west-1.amazonaws.com"],
        ["ReplicationReadsSource", ["kms:Decrypt"], "s3.eu-west-1.amazonaws.com"],
      ],
    );
    assert.deepEqual(
      replica.Statement.map((s) => [s.Sid, s.Action, at(s, "Condition", "StringEquals", "kms:ViaService") ?? null]),
      [
        ["KeyAdministration", at(replica.Statement[0], "Action"), null],
        ["VeleroUse", ["kms:Decrypt", "kms:GenerateDataKey"], "s3.eu-central-1.amazonaws.com"],
        ["ReplicationWritesReplica", ["kms:Encrypt", "kms:GenerateDataKey"], "s3.eu-central-1.amazonaws.com"],
      ],
    );
    assert.deepEqual(at(sid(replica, "ReplicationWritesReplica"), "Condition", "ArnLike", "aws:PrincipalArn"), [role]);
    assert.deepEqual(at(sid(primary, "KeyAdministration"), "Condition", "ArnLike", "aws:PrincipalArn"), [
      `arn:aws:iam::${ACCOUNT}:root`,
      DEPLOYER,
    ]);
  });

  it("without a replica name no replication role", async () => {
    const { resources } = await run({ ...base, replicaRegion: undefined });
    assert.deepEqual(
      policyOf(resources, "aws:kms/key:Key", "backups").Statement.map((s) => s.Sid),
      ["KeyAdministration", "VeleroUse"],
    );
  });
});

describe("server access logs", () => {
  it("go to a private, SSE-S3, expiring log bucket in each bucket's own region", async () => {
    const { resources } = await run();
    const dr = one(resources, "pulumi:providers:aws", "backups-replica-eu-central-1");
    for (const [source, provider] of [
      ["backups", undefined],
      ["backups-replica", dr.urn],
    ] as const) {
      const logs = `${source}-access-logs`;
      const logging = one(resources, "aws:s3/bucketLogging:BucketLogging", source);
      assert.deepEqual(
        [logging.inputs.bucket, logging.inputs.targetBucket],
        [computedOf("aws:s3/bucket:Bucket", source, "id"), computedOf("aws:s3/bucket:Bucket", logs, "id")],
      );
      assert.equal(
        one(resources, "aws:s3/bucket:Bucket", logs).providerUrn,
        provider,
        `${logs} is in ${source}'s region`,
      );
      assert.equal(one(resources, "aws:s3/bucket:Bucket", logs).inputs.forceDestroy, false);
      const sse = one(
        resources,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        logs,
      ).inputs;
      assert.deepEqual(
        at(sse, "rules", 0, "applyServerSideEncryptionByDefault"),
        { sseAlgorithm: "AES256" },
        "SSE-S3, the encryption a log destination takes",
      );
      const block = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", logs).inputs;
      assert.deepEqual(
        [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
        [true, true, true, true],
      );
      assert.deepEqual(
        at(
          one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", logs).inputs,
          "rules",
          0,
          "expiration",
        ),
        { days: 180 },
      );
      const write = sid(policyOf(resources, BUCKET_POLICY, logs), "S3ServerAccessLogs");
      assert.deepEqual(
        at(write, "Condition", "ArnLike", "aws:SourceArn"),
        [computedOf("aws:s3/bucket:Bucket", source, "arn")],
        "only its own source bucket",
      );
      assert.equal(
        ofType(resources, LOCK).some((r) => r.name === logs),
        false,
        "a locked bucket cannot take server access logs",
      );
      for (const r of resources.filter((x) => x.name === logs))
        assert.deepEqual([r.options.protect, r.options.retainOnDelete], [true, true], `${r.type} ${r.name}`);
    }
  });
});

describe("the kopia repository password", () => {
  it("is generated once into a replicated secret that no deployment rotates, readable only by the administrators", async () => {
    const { resources, outputs } = await run();
    const password = one(resources, "random:index/randomPassword:RandomPassword", "backups-repository-password");
    assert.deepEqual([password.inputs.length, password.inputs.special], [48, false]);
    assert.equal(password.options.protect, true);
    const secret = one(resources, "aws:secretsmanager/secret:Secret", "backups-repository-password");
    assert.deepEqual(secret.inputs.replicas, [{ region: "eu-central-1" }], "readable by a DR region's deployment");
    assert.deepEqual([secret.options.protect, secret.options.retainOnDelete], [true, true]);
    assert.deepEqual(
      at(JSON.parse(String(secret.inputs.policy)), "Statement", 0, "Condition", "ArnNotLike", "aws:PrincipalArn"),
      [`arn:aws:iam::${ACCOUNT}:root`, DEPLOYER],
    );
    const version = one(resources, "aws:secretsmanager/secretVersion:SecretVersion", "backups-repository-password");
    assert.equal(version.inputs.secretString, SECRET, "the value never shows");
    assert.deepEqual(version.options.ignoreChanges, ["secretString"], "never rotated by a deployment");
    assert.ok(version.dependencies.includes(password.urn));
    const arn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${COMPUTED} name of secret backups-repository-password>`;
    assert.equal(await resolve(outputs.repositoryPasswordSecretArn), arn);
    assert.ok(outputs.replica);
    assert.equal(
      await resolve(outputs.replica.repositoryPasswordSecretArn),
      arn.replace(":eu-west-1:", ":eu-central-1:"),
      "the replica's ARN, in the DR region",
    );
  });

  it("has no replica without a DR region", async () => {
    const { resources } = await run({ ...base, replicaRegion: undefined });
    assert.equal(
      one(resources, "aws:secretsmanager/secret:Secret", "backups-repository-password").inputs.replicas,
      undefined,
    );
  });
});
