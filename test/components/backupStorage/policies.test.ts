/**
 * The backup storage's access documents as plain functions: who may read backups, who
 * may change their protection, who may use each key, who may read the repository
 * password, and how a replica secret is named.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accessLogBucketPolicy,
  accountRootArn,
  backupBucketPolicy,
  KEY_ADMIN_ACTIONS,
  PROTECTION_ACTIONS,
  READ_ACTIONS,
  replicaSecretArn,
  repositorySecretPolicy,
  storageKeyPolicy,
  VELERO_ROLE_PATH,
  veleroRolePattern,
} from "../../../components/backupStorage/policies";
import type { PolicyStatement } from "../../../components/identity";
import { at } from "../../helpers";

const BUCKET = "arn:aws:s3:::backups";
const VELERO = "arn:aws:iam::111122223333:role/phoenix/velero/*";
const REPLICATION = "arn:aws:iam::111122223333:role/backups-replication-1a2b3c";
const ADMINS = ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/platform-deploy"];

const sid = (doc: { Statement: readonly PolicyStatement[] }, id: string): PolicyStatement => {
  const st = doc.Statement.find((s) => s.Sid === id);
  assert.ok(st, `statement ${id}`);
  return st;
};
const crypto = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKey*",
  "kms:ReEncrypt*",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:CreateGrant",
  "kms:Create*",
];

describe("the backup bucket's policy", () => {
  const doc = backupBucketPolicy({
    bucketArn: BUCKET,
    readers: [VELERO],
    replicationRoleArn: REPLICATION,
    admins: ADMINS,
  });

  it("keeps the TLS-only deny and adds only denies: it grants nothing by itself", () => {
    assert.equal(doc.Statement[0].Sid, "DenyInsecureTransport");
    assert.deepEqual(at(doc.Statement[0], "Condition"), { Bool: { "aws:SecureTransport": "false" } });
    assert.ok(doc.Statement.every((s) => s.Effect === "Deny" && s.Principal === "*"));
  });

  it("denies reading backup content to everyone but Velero, the replication role and the administrators", () => {
    const reads = sid(doc, "DenyReadsButVeleroReplicationAdmins");
    assert.deepEqual(reads.Action, [...READ_ACTIONS]);
    assert.ok(
      READ_ACTIONS.includes("s3:GetObject") && READ_ACTIONS.includes("s3:GetObjectVersion"),
      "current and older versions alike",
    );
    assert.equal(reads.Resource, `${BUCKET}/*`);
    assert.deepEqual(reads.Condition, { ArnNotLike: { "aws:PrincipalArn": [VELERO, REPLICATION, ...ADMINS] } });
  });

  it("without a replication role names no replication principal", () => {
    const alone = backupBucketPolicy({ bucketArn: BUCKET, readers: [VELERO], admins: ADMINS });
    assert.deepEqual(
      at(sid(alone, "DenyReadsButVeleroReplicationAdmins"), "Condition", "ArnNotLike", "aws:PrincipalArn"),
      [VELERO, ...ADMINS],
    );
  });

  it("denies every change of the protection to all but the administrators: Velero and the replication role included", () => {
    const changes = sid(doc, "DenyProtectionChangesButAdmins");
    assert.deepEqual(changes.Action, [...PROTECTION_ACTIONS]);
    assert.deepEqual(changes.Resource, [BUCKET, `${BUCKET}/*`]);
    const exempt = at(changes, "Condition", "ArnNotLike", "aws:PrincipalArn") as string[];
    assert.deepEqual(exempt, ADMINS);
    assert.ok(!exempt.includes(VELERO) && !exempt.includes(REPLICATION));
    for (const action of [
      "s3:BypassGovernanceRetention",
      "s3:PutObjectRetention",
      "s3:PutBucketObjectLockConfiguration",
      "s3:DeleteObjectVersion",
      "s3:PutBucketPolicy",
      "s3:PutLifecycleConfiguration",
      "s3:PutBucketVersioning",
    ]) {
      assert.ok((changes.Action as readonly string[]).includes(action), action);
    }
  });

  it("leaves Velero what it needs: writing, listing and DeleteObject (a delete marker on a versioned bucket)", () => {
    const denied = doc.Statement.slice(1).flatMap((s) => [s.Action].flat());
    for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:AbortMultipartUpload"])
      assert.ok(!denied.includes(action), `${action} is not denied`);
  });
});

describe("the access-log bucket's policy", () => {
  it("lets only S3's logging service write, only for the given source buckets of this account, over TLS", () => {
    const doc = accessLogBucketPolicy(
      "arn:aws-cn:s3:::logs",
      ["arn:aws-cn:s3:::backups"],
      "111122223333",
      "amazonaws.com.cn",
    );
    assert.equal(doc.Statement[0].Sid, "DenyInsecureTransport");
    const write = sid(doc, "S3ServerAccessLogs");
    assert.deepEqual(
      [write.Effect, write.Principal, write.Action, write.Resource],
      ["Allow", { Service: "logging.s3.amazonaws.com.cn" }, "s3:PutObject", "arn:aws-cn:s3:::logs/*"],
    );
    assert.deepEqual(write.Condition, {
      ArnLike: { "aws:SourceArn": ["arn:aws-cn:s3:::backups"] },
      StringEquals: { "aws:SourceAccount": "111122223333" },
    });
  });
});

describe("a storage key's policy", () => {
  const doc = storageKeyPolicy({
    partition: "aws-us-gov",
    accountId: "111122223333",
    admins: ADMINS,
    users: [
      {
        sid: "VeleroUse",
        principals: [VELERO],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        viaService: "s3.us-gov-west-1.amazonaws.com",
      },
      {
        sid: "ReplicationReadsSource",
        principals: [REPLICATION],
        actions: ["kms:Decrypt"],
        viaService: "s3.us-gov-west-1.amazonaws.com",
      },
    ],
  });

  it("is explicit, in the partition and account given, with no other principal than the account", () => {
    for (const st of doc.Statement) {
      assert.equal(st.Effect, "Allow");
      assert.deepEqual(st.Principal, { AWS: "arn:aws-us-gov:iam::111122223333:root" });
    }
  });

  it("lets the administrators administer the key but never use it", () => {
    const admin = sid(doc, "KeyAdministration");
    assert.deepEqual(admin.Action, [...KEY_ADMIN_ACTIONS]);
    assert.deepEqual(admin.Condition, { ArnLike: { "aws:PrincipalArn": ADMINS } });
    for (const a of crypto) assert.ok(!(admin.Action as readonly string[]).includes(a), `${a} is not administration`);
  });

  it("lets each user group use the key only for its own actions, only through S3 in the key's region", () => {
    assert.deepEqual(sid(doc, "VeleroUse").Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
    assert.deepEqual(sid(doc, "VeleroUse").Condition, {
      ArnLike: { "aws:PrincipalArn": [VELERO] },
      StringEquals: { "kms:ViaService": "s3.us-gov-west-1.amazonaws.com" },
    });
    assert.deepEqual(
      sid(doc, "ReplicationReadsSource").Action,
      ["kms:Decrypt"],
      "the source key: replication only decrypts",
    );
    assert.equal(doc.Statement.length, 3, "nobody else");
  });
});

describe("the repository password secret's policy", () => {
  it("denies reading or changing the password to everyone but the administrators", () => {
    const readers = ["arn:aws:iam::111122223333:role/phoenix-drill"];
    const doc = repositorySecretPolicy(ADMINS, readers);
    assert.equal(doc.Statement.length, 2);
    const [read, change] = doc.Statement;
    assert.deepEqual([read.Effect, read.Principal, read.Action], ["Deny", "*", "secretsmanager:GetSecretValue"]);
    assert.deepEqual(
      read.Condition,
      { ArnNotLike: { "aws:PrincipalArn": [...ADMINS, ...readers] } },
      "the restore readers read the value",
    );
    assert.ok(
      (change.Action as readonly string[]).includes("secretsmanager:PutSecretValue"),
      "nobody else rotates it either",
    );
    assert.ok(!(change.Action as readonly string[]).includes("secretsmanager:GetSecretValue"));
    assert.deepEqual(change.Condition, { ArnNotLike: { "aws:PrincipalArn": ADMINS } }, "only the admins change it");
    assert.deepEqual(
      repositorySecretPolicy(ADMINS).Statement[0].Condition,
      { ArnNotLike: { "aws:PrincipalArn": ADMINS } },
      "no reader: the admins only",
    );
  });
});

describe("principal ARNs", () => {
  it("builds the Velero role pattern and the account root from the partition and account", () => {
    assert.equal(VELERO_ROLE_PATH, "/phoenix/velero/");
    assert.equal(veleroRolePattern("aws-cn", "111122223333"), "arn:aws-cn:iam::111122223333:role/phoenix/velero/*");
    assert.equal(accountRootArn("aws", "111122223333"), "arn:aws:iam::111122223333:root");
  });

  it("names a secret's replica by swapping the region, and nothing that is not a Secrets Manager ARN", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:backups-repository-password-a1b2c3-AbCdEf";
    assert.equal(
      replicaSecretArn(arn, "eu-central-1"),
      "arn:aws:secretsmanager:eu-central-1:111122223333:secret:backups-repository-password-a1b2c3-AbCdEf",
    );
    assert.equal(
      replicaSecretArn("arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:x-AbCdEf", "cn-northwest-1"),
      "arn:aws-cn:secretsmanager:cn-northwest-1:111122223333:secret:x-AbCdEf",
    );
    assert.equal(replicaSecretArn("arn:aws:kms:eu-west-1:111122223333:key/k", "eu-central-1"), undefined);
    assert.equal(replicaSecretArn("backups-repository-password", "eu-central-1"), undefined);
  });
});
