/**
 * The backup storage program (stacks/backup-storage/program.ts) for one stack, under the
 * offline mock runtime: its stack file's settings reach the storage, and it exports the
 * outputs a platform stack reads (stacks/backup-storage/outputs.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { BACKUP_STORAGE_TYPE } from "../../../components/backupStorage";
import { evaluateOffline, resolve } from "../../../cli/plan/runtime";
import { loadStack } from "../../../cli/stacks/stackFile";
import { ConfigError } from "../../../stacks/config";
import {
  BACKUP_STORAGE_PROJECT,
  LOCK_OUTPUTS,
  PRIMARY_OUTPUTS,
  REPLICA_OUTPUTS,
} from "../../../stacks/backup-storage/outputs";
import { at, one, ROOT } from "../../helpers";

const STORAGE_DIR = path.join(ROOT, "stacks", "backup-storage");

async function runStorage(config: Record<string, string>, stack = "unit") {
  const { program } = await import("../../../stacks/backup-storage/program");
  const result = await evaluateOffline({ project: BACKUP_STORAGE_PROJECT, stack, config }, program);
  return { resources: result.resources, outputs: (await resolve(result.outputs)) as Record<string, unknown> };
}

describe("backup storage program", () => {
  it("is the project its Pulumi.yaml names, the one platform stacks reference", () => {
    const project = parse(fs.readFileSync(path.join(STORAGE_DIR, "Pulumi.yaml"), "utf8")) as {
      name: string;
      runtime: { name: string };
      main: string;
    };
    assert.equal(project.name, BACKUP_STORAGE_PROJECT);
    assert.equal(project.name, "phoenix-backup-storage");
    assert.equal(project.runtime.name, "nodejs");
    assert.ok(fs.existsSync(path.join(STORAGE_DIR, project.main)), `its entry ${project.main} exists`);
  });

  it("builds the prod stack file's storage: the bucket in its region, the replica in the DR region, the noncurrent-version window", async () => {
    const loaded = loadStack(STORAGE_DIR, "prod");
    const { resources, outputs } = await runStorage(loaded.config, "prod");
    const component = one(resources, BACKUP_STORAGE_TYPE, "backups");
    assert.equal(component.parentUrn, undefined, "the storage is the stack's one top-level component");
    assert.equal(one(resources, "pulumi:providers:aws", "backups-replica-eu-central-1").inputs.region, "eu-central-1");
    assert.deepEqual(
      at(
        one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups").inputs,
        "rules",
        0,
        "noncurrentVersionExpiration",
      ),
      { noncurrentDays: 30 },
    );
    for (const name of ["backups", "backups-replica"]) {
      const tags = at(one(resources, "aws:s3/bucket:Bucket", name).inputs, "tags");
      assert.deepEqual(
        [at(tags, "cost-center"), at(tags, "phoenix:stack")],
        ["platform", "prod"],
        `${name}: the stack file's tags and the stack's name`,
      );
    }
    assert.deepEqual(outputs, {
      [PRIMARY_OUTPUTS.bucket]: "<computed: aws:s3/bucket:Bucket backups.bucket>",
      [PRIMARY_OUTPUTS.region]: "eu-west-1",
      [PRIMARY_OUTPUTS.kmsKeyArn]: "<computed: aws:kms/key:Key backups.arn>",
      [REPLICA_OUTPUTS.bucket]: "<computed: aws:s3/bucket:Bucket backups-replica.bucket>",
      [REPLICA_OUTPUTS.region]: "eu-central-1",
      [REPLICA_OUTPUTS.kmsKeyArn]: "<computed: aws:kms/key:Key backups-replica.arn>",
      [PRIMARY_OUTPUTS.repositoryPasswordSecretArn]:
        "arn:aws:secretsmanager:eu-west-1:<computed: account id>:secret:<computed: name of secret backups-repository-password>",
      [REPLICA_OUTPUTS.repositoryPasswordSecretArn]:
        "arn:aws:secretsmanager:eu-central-1:<computed: account id>:secret:<computed: name of secret backups-repository-password>",
      [LOCK_OUTPUTS.mode]: "GOVERNANCE",
      [LOCK_OUTPUTS.days]: 30,
    });
    // The stack file's lock reaches both buckets.
    for (const name of ["backups", "backups-replica"]) {
      assert.deepEqual(
        at(
          one(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", name).inputs,
          "rule",
          "defaultRetention",
        ),
        { mode: "GOVERNANCE", days: 30 },
      );
    }
  });

  it("exports no replica outputs and builds no replica without replication, and takes its own noncurrent-version window", async () => {
    const { resources, outputs } = await runStorage({
      "aws:region": "sa-east-1",
      "phoenix-backup-storage:noncurrentVersionDays": "7",
      "phoenix-backup-storage:access": JSON.stringify({ admins: ["arn:aws:iam::111122223333:role/platform-deploy"] }),
    });
    assert.deepEqual(Object.keys(outputs).sort(), [
      "bucket",
      "kmsKeyArn",
      "objectLockDays",
      "objectLockMode",
      "region",
      "repositoryPasswordSecretArn",
    ]);
    assert.equal(outputs.region, "sa-east-1");
    assert.equal(resources.filter((r) => r.name.includes("replica")).length, 0);
    assert.deepEqual(
      at(
        one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups").inputs,
        "rules",
        0,
        "noncurrentVersionExpiration",
      ),
      { noncurrentDays: 7 },
    );
  });

  it("refuses a bad stack file before declaring a single resource", async () => {
    let caught: unknown;
    const { program } = await import("../../../stacks/backup-storage/program");
    const { resources } = await evaluateOffline(
      {
        project: BACKUP_STORAGE_PROJECT,
        stack: "bad",
        config: {
          "aws:region": "eu-west-1",
          "phoenix-backup-storage:replication": JSON.stringify({ region: "eu-west-1" }),
        },
      },
      () => {
        try {
          return program();
        } catch (err) {
          caught = err;
          return undefined;
        }
      },
    );
    assert.ok(caught instanceof ConfigError);
    assert.match(caught.message, /^stacks\/backup-storage\/Pulumi\.bad\.yaml: invalid stack configuration/);
    assert.equal(resources.length, 0, "no half-built storage");
  });

  it("exports no lock outputs when the stack turns the default retention off, and takes its administrators and log window", async () => {
    const { resources, outputs } = await runStorage({
      "aws:region": "sa-east-1",
      "phoenix-backup-storage:objectLock": JSON.stringify({ enabled: false }),
      "phoenix-backup-storage:access": JSON.stringify({ admins: ["arn:aws:iam::111122223333:role/backup-admins"] }),
      "phoenix-backup-storage:accessLogs": JSON.stringify({ expireDays: 30 }),
    });
    assert.equal(outputs[LOCK_OUTPUTS.days], undefined);
    assert.equal(outputs[LOCK_OUTPUTS.mode], undefined);
    assert.equal(
      resources.filter((r) => r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length,
      0,
    );
    const policy = JSON.parse(String(one(resources, "aws:s3/bucketPolicy:BucketPolicy", "backups").inputs.policy)) as {
      Statement: { Sid: string }[];
    };
    assert.deepEqual(
      at(
        policy.Statement.find((st) => st.Sid === "DenyProtectionChangesButAdmins"),
        "Condition",
        "ArnNotLike",
        "aws:PrincipalArn",
      ),
      ["arn:aws:iam::<computed: account id>:root", "arn:aws:iam::111122223333:role/backup-admins"],
    );
    assert.deepEqual(
      at(
        one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups-access-logs")
          .inputs,
        "rules",
        0,
        "expiration",
      ),
      { days: 30 },
    );
  });
});
