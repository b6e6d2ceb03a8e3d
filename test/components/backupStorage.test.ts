/**
 * The backup storage component on its own, under the offline mock runtime: the Velero
 * bucket with its own key, its DR replica in another region under its own key and role,
 * and what keeps all of it alive whatever happens to a stack. Then its two IAM documents
 * as plain functions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BACKUP_STORAGE_TYPE, BackupStorage, type BackupStorageArgs } from "../../components/backupStorage";
import {
  arnMatches,
  backupBucketPolicy,
  deployerProblem,
  replicationPolicy,
  tlsOnlyBucketPolicy,
} from "../../components/backupStorage/policies";
import type { PolicyDocument } from "../../components/identity";
import { COMPUTED, evaluateOffline, resolve, type RecordedResource } from "../../cli/plan/runtime";
import { at, grants, ofType, one } from "../helpers";

const DEPLOY_ROLE = "arn:aws:iam::111122223333:role/platform-deploy";
const args: BackupStorageArgs = {
  region: "ap-southeast-2",
  noncurrentVersionDays: 45,
  accessLogDays: 90,
  objectLock: { mode: "GOVERNANCE", days: 14 },
  tags: { team: "platform" },
  admins: [DEPLOY_ROLE],
};

const run = (a: BackupStorageArgs = args) =>
  evaluateOffline(
    { project: "phoenix-backup-storage", stack: "unit", config: { "aws:region": a.region } },
    () => new BackupStorage("backups", a),
  );

const computedOf = (type: string, name: string, prop: string): string => `${COMPUTED} ${type} ${name}.${prop}>`;
/** The account id as the offline runtime answers it. */
const ACCOUNT = `${COMPUTED} account id>`;
const BUCKET = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";

/** The types below `aws:s3/` of a bucket's settings (everything but the bucket itself). */
function bucketSettings(resources: readonly RecordedResource[], name: string): string[] {
  return resources
    .filter(
      (r) => r.type.startsWith("aws:s3/") && r.type !== BUCKET && r.name === name && !r.type.includes("Replication"),
    )
    .map((r) => r.type.split(":")[2])
    .sort();
}

describe("backup storage", () => {
  it("is a private, versioned, SSE-KMS, TLS-only bucket with its own rotating key, and nothing else without a replica", async () => {
    const { resources, outputs } = await run();
    assert.deepEqual(bucketSettings(resources, "backups"), [
      "BucketLifecycleConfiguration",
      "BucketLogging",
      "BucketObjectLockConfiguration",
      "BucketOwnershipControls",
      "BucketPolicy",
      "BucketPublicAccessBlock",
      "BucketServerSideEncryptionConfiguration",
      "BucketVersioning",
    ]);
    const key = one(resources, KEY, "backups").inputs;
    assert.deepEqual([key.enableKeyRotation, key.deletionWindowInDays], [true, 30]);
    assert.equal(
      one(resources, BUCKET, "backups").inputs.forceDestroy,
      false,
      "a bucket holding backups is never emptied by a delete",
    );
    const sse = one(
      resources,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "backups",
    ).inputs;
    assert.deepEqual(at(sse, "rules", 0), {
      applyServerSideEncryptionByDefault: {
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: computedOf(KEY, "backups", "arn"),
      },
      bucketKeyEnabled: true,
    });
    assert.equal(
      at(
        one(resources, "aws:s3/bucketVersioning:BucketVersioning", "backups").inputs,
        "versioningConfiguration",
        "status",
      ),
      "Enabled",
    );
    const block = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "backups").inputs;
    assert.deepEqual(
      [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
      [true, true, true, true],
    );
    assert.equal(
      at(
        one(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "backups").inputs,
        "rule",
        "objectOwnership",
      ),
      "BucketOwnerEnforced",
    );
    const policy = JSON.parse(
      String(one(resources, "aws:s3/bucketPolicy:BucketPolicy", "backups").inputs.policy),
    ) as PolicyDocument;
    assert.deepEqual(
      policy,
      backupBucketPolicy({
        bucketArn: computedOf(BUCKET, "backups", "arn"),
        // Velero's default, from the partition and account looked up at run time; the stack's admins with the account root.
        readers: [`arn:aws:iam::${ACCOUNT}:role/phoenix/velero/*`],
        admins: [`arn:aws:iam::${ACCOUNT}:root`, DEPLOY_ROLE],
      }),
    );
    assert.deepEqual(
      policy.Statement[0],
      tlsOnlyBucketPolicy(computedOf(BUCKET, "backups", "arn")).Statement[0],
      "still TLS only",
    );
    const lifecycle = one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups");
    assert.deepEqual(
      at(lifecycle.inputs, "rules", 0, "noncurrentVersionExpiration"),
      { noncurrentDays: 45 },
      "the stack's noncurrentVersionDays",
    );
    assert.ok(
      lifecycle.dependencies.includes(one(resources, "aws:s3/bucketVersioning:BucketVersioning", "backups").urn),
      "lifecycle rules act on versions: versioning first",
    );
    // No replica asked for: no second region, no replication.
    assert.equal(ofType(resources, "pulumi:providers:aws").length, 0);
    assert.equal(ofType(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 0);
    assert.equal(ofType(resources, "aws:iam/role:Role").length, 0);
    assert.equal(outputs.replica, undefined);
    assert.equal(await resolve(outputs.bucket), computedOf(BUCKET, "backups", "bucket"));
    assert.equal(await resolve(outputs.kmsKeyArn), computedOf(KEY, "backups", "arn"));
    assert.equal(outputs.region, "ap-southeast-2");
  });

  it("protects every resource (destroying the stack fails) and keeps every AWS resource on delete", async () => {
    const { resources } = await run({ ...args, replicaRegion: "ap-southeast-4" });
    const component = one(resources, BACKUP_STORAGE_TYPE, "backups");
    assert.equal(component.options.protect, true);
    for (const r of resources) {
      assert.equal(r.options.protect, true, `${r.type} ${r.name} is protected`);
      if (r.type.startsWith("aws:"))
        assert.equal(r.options.retainOnDelete, true, `${r.type} ${r.name} outlives even an unprotected destroy`);
      if (r !== component) assert.equal(r.parentUrn, component.urn, `${r.type} ${r.name} sits under the component`);
    }
  });

  it("tags every AWS resource with the stack's tags, and each bucket and key with its purpose", async () => {
    const { resources } = await run({ ...args, replicaRegion: "ap-southeast-4" });
    const purposes: Record<string, string> = {
      backups: "velero-backups",
      "backups-replica": "velero-backups-replica",
      "backups-access-logs": "velero-backups-access-logs",
      "backups-replica-access-logs": "velero-backups-replica-access-logs",
    };
    for (const r of resources.filter((x) => x.type === BUCKET || x.type === KEY)) {
      assert.equal(at(r.inputs, "tags", "team"), "platform", `${r.type} ${r.name}`);
      assert.equal(at(r.inputs, "tags", "phoenix:purpose"), purposes[r.name], `${r.type} ${r.name}`);
    }
    // Provider inputs reach the engine as JSON text.
    const defaultTags = one(resources, "pulumi:providers:aws", "backups-replica-ap-southeast-4").inputs.defaultTags;
    assert.deepEqual(
      JSON.parse(String(defaultTags)),
      { tags: { team: "platform" } },
      "the DR region's resources carry the tags too",
    );
  });
});

describe("the DR replica", () => {
  it("is a bucket in the DR region, under its own key, as private and encrypted as the primary", async () => {
    const { resources, outputs } = await run({ ...args, replicaRegion: "ap-southeast-4" });
    const dr = one(resources, "pulumi:providers:aws", "backups-replica-ap-southeast-4");
    assert.equal(dr.inputs.region, "ap-southeast-4");
    for (const r of resources.filter((x) => x.name === "backups-replica"))
      assert.equal(r.providerUrn, dr.urn, `${r.type} lives in the DR region`);
    assert.equal(one(resources, KEY, "backups").providerUrn, undefined, "the primary stays in the stack's region");
    assert.deepEqual(bucketSettings(resources, "backups-replica"), bucketSettings(resources, "backups"));
    const sse = one(
      resources,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "backups-replica",
    ).inputs;
    assert.equal(
      at(sse, "rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"),
      computedOf(KEY, "backups-replica", "arn"),
      "its own key",
    );
    assert.ok(outputs.replica);
    assert.deepEqual(
      [await resolve(outputs.replica.bucket), outputs.replica.region, await resolve(outputs.replica.kmsKeyArn)],
      [computedOf(BUCKET, "backups-replica", "bucket"), "ap-southeast-4", computedOf(KEY, "backups-replica", "arn")],
    );
  });

  it("is filled by S3 replication under its own role, once versioning is on both sides and the role may act", async () => {
    const { resources } = await run({ ...args, replicaRegion: "ap-southeast-4" });
    const rule = one(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups");
    assert.equal(rule.inputs.bucket, computedOf(BUCKET, "backups", "id"));
    assert.equal(rule.inputs.role, computedOf("aws:iam/role:Role", "backups-replication", "arn"));
    assert.deepEqual(at(rule.inputs, "rules", 0, "destination"), {
      bucket: computedOf(BUCKET, "backups-replica", "arn"),
      encryptionConfiguration: { replicaKmsKeyId: computedOf(KEY, "backups-replica", "arn") },
    });
    assert.deepEqual(at(rule.inputs, "rules", 0, "sourceSelectionCriteria"), {
      sseKmsEncryptedObjects: { status: "Enabled" },
    });
    assert.deepEqual(at(rule.inputs, "rules", 0, "deleteMarkerReplication"), { status: "Enabled" });
    for (const [type, name] of [
      ["aws:s3/bucketVersioning:BucketVersioning", "backups"],
      ["aws:s3/bucketVersioning:BucketVersioning", "backups-replica"],
      ["aws:iam/rolePolicy:RolePolicy", "backups-replication"],
    ]) {
      assert.ok(rule.dependencies.includes(one(resources, type, name).urn), `replication waits for ${type} ${name}`);
    }
    const trust = JSON.parse(
      String(one(resources, "aws:iam/role:Role", "backups-replication").inputs.assumeRolePolicy),
    ) as PolicyDocument;
    assert.deepEqual(
      trust.Statement.map((s) => [s.Effect, s.Principal, s.Action]),
      [["Allow", { Service: "s3.amazonaws.com" }, "sts:AssumeRole"]],
    );
    const policy = JSON.parse(
      String(one(resources, "aws:iam/rolePolicy:RolePolicy", "backups-replication").inputs.policy),
    ) as PolicyDocument;
    assert.deepEqual(
      policy,
      replicationPolicy({
        sourceBucketArn: computedOf(BUCKET, "backups", "arn"),
        sourceKeyArn: computedOf(KEY, "backups", "arn"),
        sourceRegion: "ap-southeast-2",
        replicaBucketArn: computedOf(BUCKET, "backups-replica", "arn"),
        replicaKeyArn: computedOf(KEY, "backups-replica", "arn"),
        replicaRegion: "ap-southeast-4",
        dnsSuffix: "amazonaws.com",
      }),
    );
  });

  it("trusts and reaches S3 through the partition's own DNS suffix", async () => {
    const { resources } = await run({
      region: "cn-north-1",
      replicaRegion: "cn-northwest-1",
      noncurrentVersionDays: 30,
      accessLogDays: 30,
      admins: ["arn:aws-cn:iam::111122223333:role/platform-deploy"],
    });
    const trust = JSON.parse(
      String(one(resources, "aws:iam/role:Role", "backups-replication").inputs.assumeRolePolicy),
    ) as PolicyDocument;
    assert.deepEqual(trust.Statement[0].Principal, { Service: "s3.amazonaws.com.cn" });
    const policy = JSON.parse(
      String(one(resources, "aws:iam/rolePolicy:RolePolicy", "backups-replication").inputs.policy),
    ) as PolicyDocument;
    const viaService = policy.Statement.filter(
      (s) => s.Action === "kms:Decrypt" || [s.Action].flat().includes("kms:Encrypt"),
    ).map((s) => at(s, "Condition", "StringEquals", "kms:ViaService"));
    assert.deepEqual(viaService, ["s3.cn-north-1.amazonaws.com.cn", "s3.cn-northwest-1.amazonaws.com.cn"]);
  });
});

describe("backup bucket policies", () => {
  it("denies every request without TLS, to the bucket and its objects, whoever sends it", () => {
    const doc = tlsOnlyBucketPolicy("arn:aws:s3:::b");
    assert.deepEqual(doc.Statement, [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("lets the replication role read the source's versions and write replicas, each key only through S3 in its region", () => {
    const doc = replicationPolicy({
      sourceBucketArn: "arn:aws:s3:::src",
      sourceKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/a",
      sourceRegion: "eu-west-1",
      replicaBucketArn: "arn:aws:s3:::dst",
      replicaKeyArn: "arn:aws:kms:eu-central-1:111122223333:key/b",
      replicaRegion: "eu-central-1",
      dnsSuffix: "amazonaws.com",
    });
    assert.deepEqual(grants(doc), {
      "s3:GetReplicationConfiguration": ["arn:aws:s3:::src"],
      "s3:ListBucket": ["arn:aws:s3:::src"],
      "s3:GetObjectVersionForReplication": ["arn:aws:s3:::src/*"],
      "s3:GetObjectVersionAcl": ["arn:aws:s3:::src/*"],
      "s3:GetObjectVersionTagging": ["arn:aws:s3:::src/*"],
      "s3:GetObjectRetention": ["arn:aws:s3:::src/*"],
      "s3:GetObjectLegalHold": ["arn:aws:s3:::src/*"],
      "s3:ReplicateObject": ["arn:aws:s3:::dst/*"],
      "s3:ReplicateDelete": ["arn:aws:s3:::dst/*"],
      "s3:ReplicateTags": ["arn:aws:s3:::dst/*"],
      "kms:Decrypt": ["arn:aws:kms:eu-west-1:111122223333:key/a"],
      "kms:Encrypt": ["arn:aws:kms:eu-central-1:111122223333:key/b"],
      "kms:GenerateDataKey": ["arn:aws:kms:eu-central-1:111122223333:key/b"],
    });
    const decrypt = doc.Statement.find((s) => s.Action === "kms:Decrypt");
    assert.deepEqual(at(decrypt, "Condition", "StringEquals"), { "kms:ViaService": "s3.eu-west-1.amazonaws.com" });
    assert.deepEqual(at(decrypt, "Condition", "StringLike"), {
      "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::src", "arn:aws:s3:::src/*"],
    });
    const encrypt = doc.Statement.find((s) => [s.Action].flat().includes("kms:Encrypt"));
    assert.deepEqual(at(encrypt, "Condition", "StringEquals"), { "kms:ViaService": "s3.eu-central-1.amazonaws.com" });
  });
});

describe("moving a bucket out of an older platform stack", () => {
  /**
   * The resources the platform stack held before the storage project, as its reviewed
   * plan listed them (type and name; all children of the Plugins component). After
   * `pulumi state move` they sit at the root of the storage stack under these names.
   */
  const MOVED = [
    "aws:iam/role:Role plugins-velero-replication",
    "aws:iam/rolePolicy:RolePolicy plugins-velero-replication",
    "aws:kms/key:Key plugins-velero-backups",
    "aws:kms/key:Key plugins-velero-backups-replica",
    "aws:s3/bucket:Bucket plugins-velero-backups",
    "aws:s3/bucket:Bucket plugins-velero-backups-replica",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration plugins-velero-backups",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration plugins-velero-backups-replica",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls plugins-velero-backups",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls plugins-velero-backups-replica",
    "aws:s3/bucketPolicy:BucketPolicy plugins-velero-backups",
    "aws:s3/bucketPolicy:BucketPolicy plugins-velero-backups-replica",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock plugins-velero-backups",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock plugins-velero-backups-replica",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig plugins-velero-backups",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration plugins-velero-backups",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration plugins-velero-backups-replica",
    "aws:s3/bucketVersioning:BucketVersioning plugins-velero-backups",
    "aws:s3/bucketVersioning:BucketVersioning plugins-velero-backups-replica",
    "pulumi:providers:aws plugins-velero-backups-replica-eu-central-1",
  ];

  it("gives every resource an alias to its moved root-level name, so the move replaces nothing", async () => {
    const { resources } = await run({
      ...args,
      region: "eu-west-1",
      replicaRegion: "eu-central-1",
      movedFromPrefix: "plugins-velero",
    });
    const children = resources.filter((r) => r.type !== BACKUP_STORAGE_TYPE);
    const aliased = children
      .flatMap((r) =>
        (r.aliases ?? []).filter((a) => a.endsWith("@root")).map((a) => `${r.type} ${a.slice(0, -"@root".length)}`),
      )
      .sort();
    assert.deepEqual(aliased, [...MOVED].sort(), "one alias per moved resource, each to exactly its old name");
  });

  it("adds no alias to a storage stack that was never moved", async () => {
    const { resources } = await run({ ...args, replicaRegion: "eu-central-1" });
    assert.deepEqual(
      resources.flatMap((r) => r.aliases ?? []),
      [],
    );
  });
});

describe("the administrators", () => {
  it("match ARN patterns as ArnLike does", () => {
    assert.ok(
      arnMatches(
        "arn:aws:iam::111122223333:role/phoenix/velero/*",
        "arn:aws:iam::111122223333:role/phoenix/velero/prod-velero",
      ),
    );
    assert.ok(arnMatches("arn:aws:iam::111122223333:role/deploy", "arn:aws:iam::111122223333:role/deploy"));
    assert.ok(!arnMatches("arn:aws:iam::111122223333:role/deploy", "arn:aws:iam::111122223333:role/deployer"));
    assert.ok(
      !arnMatches("arn:aws:iam::111122223333:role/a.b", "arn:aws:iam::111122223333:role/aXb"),
      "a dot is a dot",
    );
  });

  it("let the read-only preview role preview (an update by it is refused), and the deploy role update", async () => {
    const as = (issuerArn: string, preview: boolean) =>
      evaluateOffline(
        {
          project: "phoenix-backup-storage",
          stack: "unit",
          config: { "aws:region": args.region },
          preview,
          wrapMocks: (mocks) => ({
            newResource: (a) => mocks.newResource(a),
            call: (a) =>
              a.token === "aws:iam/getSessionContext:getSessionContext"
                ? { arn: String((a.inputs as Record<string, unknown>).arn), issuerArn }
                : mocks.call(a),
          }),
        },
        () => new BackupStorage("backups", args),
      );
    const preview = await as("arn:aws:iam::111122223333:role/phoenix-preview", true);
    assert.ok(
      preview.resources.some((r) => r.type === BUCKET),
      "the preview goes on under the preview role",
    );
    // The update's refusal is the same deployerProblem, thrown where the preview warns: the test below.
    const update = await as(DEPLOY_ROLE, false);
    assert.ok(
      update.resources.some((r) => r.type === BUCKET),
      "the deploy role, an admin, updates",
    );
  });

  it("refuse a deployer who is not one of them, before its policies lock it out", () => {
    const admins = ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/platform-deploy"];
    assert.equal(deployerProblem("arn:aws:iam::111122223333:role/platform-deploy", admins), undefined);
    assert.match(
      deployerProblem(
        "arn:aws:iam::111122223333:role/laptop",
        admins,
        "phoenix-backup-storage:access.admins in stacks/backup-storage/Pulumi.prod.yaml",
      ) ?? "",
      /role\/laptop, is not among the backup storage administrators .* Add it to phoenix-backup-storage:access.admins in stacks\/backup-storage\/Pulumi.prod.yaml/,
    );
    assert.equal(
      deployerProblem("<computed: role of the deploying session>", admins),
      undefined,
      "offline, not checked",
    );
  });
});
