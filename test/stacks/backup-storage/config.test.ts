/** The backup storage project's stack configuration: defaults, and errors that name the file, the key and the fix. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStorageConfig } from "../../../stacks/backup-storage/config";
import { ConfigError } from "../../../stacks/config";

const id = { project: "phoenix-backup-storage", stack: "prod" };
const partitionOf = (region: string): string =>
  region.startsWith("us-gov-") ? "aws-us-gov" : region.startsWith("cn-") ? "aws-cn" : "aws";
/** Every storage stack names its admins; a test that is about them gives its own `access`. */
const ADMIN = "arn:aws:iam::111122223333:role/platform-deploy";
const flat = (region: string, keys: Record<string, unknown> = {}): Record<string, string> => ({
  "aws:region": region,
  ...Object.fromEntries(
    Object.entries({ access: { admins: [ADMIN.replace("arn:aws:", `arn:${partitionOf(region)}:`)] }, ...keys }).map(
      ([k, v]) => [`phoenix-backup-storage:${k}`, typeof v === "string" ? v : JSON.stringify(v)],
    ),
  ),
});

function problems(raw: Record<string, string>): { key: string; message: string }[] {
  try {
    parseStorageConfig(raw, id);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.match(err.message, /^stacks\/backup-storage\/Pulumi\.prod\.yaml: invalid stack configuration/);
    return [...err.problems];
  }
  assert.fail("config was accepted");
}

function problemAt(raw: Record<string, string>, key: string): string {
  const found = problems(raw).filter((p) => p.key === key);
  assert.equal(found.length, 1, `one problem at ${key}: ${JSON.stringify(problems(raw))}`);
  return found[0].message;
}

describe("backup storage stack config", () => {
  it("fills its defaults: no replica, 30 days of noncurrent versions, no tags", () => {
    const cfg = parseStorageConfig(flat("eu-west-1"), id);
    assert.deepEqual(
      {
        region: cfg.region,
        replication: cfg.replication,
        days: cfg.noncurrentVersionDays,
        tags: cfg.tags,
        stackFile: cfg.stackFile,
      },
      {
        region: "eu-west-1",
        replication: undefined,
        days: 30,
        tags: {},
        stackFile: "stacks/backup-storage/Pulumi.prod.yaml",
      },
    );
    const set = parseStorageConfig(
      flat("eu-west-1", { replication: { region: "eu-central-1" }, noncurrentVersionDays: "90", tags: { team: "x" } }),
      id,
    );
    assert.deepEqual(
      [set.replication, set.noncurrentVersionDays, set.tags],
      [{ region: "eu-central-1" }, 90, { team: "x" }],
    );
  });

  it("refuses a DR replica in the stack's own region or another partition", () => {
    assert.match(
      problemAt(
        flat("eu-west-1", { replication: { region: "eu-west-1" } }),
        "phoenix-backup-storage:replication.region",
      ),
      /this stack's own region \(eu-west-1\)/,
    );
    assert.match(
      problemAt(
        flat("eu-west-1", { replication: { region: "cn-north-1" } }),
        "phoenix-backup-storage:replication.region",
      ),
      /another AWS partition \(aws-cn\) than eu-west-1 \(aws\)/,
    );
    assert.match(
      problemAt(
        flat("us-gov-west-1", { replication: { region: "us-east-1" } }),
        "phoenix-backup-storage:replication.region",
      ),
      /another AWS partition/,
    );
    assert.equal(
      parseStorageConfig(flat("us-gov-west-1", { replication: { region: "us-gov-east-1" } }), id).replication?.region,
      "us-gov-east-1",
    );
  });

  it("takes only regions AWS lists, for the stack and its replica", () => {
    assert.match(problemAt(flat("xx-nowhere-1"), "aws:region"), /is not a region AWS lists/);
    assert.match(
      problemAt(
        flat("eu-west-1", { replication: { region: "eu-nowhere-9" } }),
        "phoenix-backup-storage:replication.region",
      ),
      /is not a region AWS lists/,
    );
    assert.match(problemAt(flat("Ireland"), "aws:region"), /AWS region code such as eu-west-1/);
  });

  it("refuses unknown keys, naming the allowed ones, and other projects' namespaces", () => {
    assert.match(
      problemAt(flat("eu-west-1", { replicaton: { region: "eu-central-1" } }), "phoenix-backup-storage:replicaton"),
      /unknown key \(did you mean phoenix-backup-storage:replication\?\); allowed: phoenix-backup-storage:replication, phoenix-backup-storage:noncurrentVersionDays/,
    );
    assert.match(
      problemAt(
        flat("eu-west-1", { replication: { regoin: "eu-central-1" } }),
        "phoenix-backup-storage:replication.regoin",
      ),
      /allowed here: region/,
    );
    assert.match(
      problemAt({ ...flat("eu-west-1"), "phoenix:backups": "{}" }, "phoenix:backups"),
      /unknown config namespace "phoenix"/,
    );
  });

  it("bounds the noncurrent-version window and checks tags", () => {
    assert.ok(
      problemAt(flat("eu-west-1", { noncurrentVersionDays: "0" }), "phoenix-backup-storage:noncurrentVersionDays"),
    );
    assert.ok(
      problemAt(flat("eu-west-1", { noncurrentVersionDays: "5000" }), "phoenix-backup-storage:noncurrentVersionDays"),
    );
    assert.match(
      problemAt(flat("eu-west-1", { tags: { "bad key!": "x" } }), "phoenix-backup-storage:tags.bad key!"),
      /tag keys/,
    );
  });

  it("reports every problem at once", () => {
    const keys = problems(
      flat("eu-west-1", { replication: { region: "eu-west-1" }, noncurrentVersionDays: "0", bogus: 1 }),
    )
      .map((p) => p.key)
      .sort();
    assert.deepEqual(keys, [
      "phoenix-backup-storage:bogus",
      "phoenix-backup-storage:noncurrentVersionDays",
      "phoenix-backup-storage:replication.region",
    ]);
  });

  it("locks both buckets by default in GOVERNANCE mode for 30 days, and takes COMPLIANCE, other days or no default retention", () => {
    assert.deepEqual(parseStorageConfig(flat("eu-west-1"), id).objectLock, {
      enabled: true,
      mode: "GOVERNANCE",
      days: 30,
    });
    assert.deepEqual(
      parseStorageConfig(flat("eu-west-1", { objectLock: { mode: "COMPLIANCE", days: 90 } }), id).objectLock,
      { enabled: true, mode: "COMPLIANCE", days: 90 },
    );
    assert.equal(
      parseStorageConfig(flat("eu-west-1", { objectLock: { enabled: false } }), id).objectLock.enabled,
      false,
    );
  });

  it("refuses an unknown lock mode, a retention outside 1 to 36500 days, and unknown lock keys", () => {
    assert.match(
      problemAt(flat("eu-west-1", { objectLock: { mode: "governance" } }), "phoenix-backup-storage:objectLock.mode"),
      /GOVERNANCE or COMPLIANCE/,
    );
    assert.ok(problemAt(flat("eu-west-1", { objectLock: { days: 0 } }), "phoenix-backup-storage:objectLock.days"));
    assert.ok(problemAt(flat("eu-west-1", { objectLock: { days: 40000 } }), "phoenix-backup-storage:objectLock.days"));
    assert.match(
      problemAt(
        flat("eu-west-1", { objectLock: { retentionDays: 30 } }),
        "phoenix-backup-storage:objectLock.retentionDays",
      ),
      /allowed here: enabled, mode, days/,
    );
  });

  it("requires the administrators, naming the key and an example; derives Velero roles at run time unless named; IAM principal ARNs of its partition", () => {
    assert.match(
      problemAt({ "aws:region": "eu-west-1" }, "phoenix-backup-storage:access.admins"),
      /is required: list the roles that administer the backup storage, every role that deploys it among them/,
    );
    assert.deepEqual(parseStorageConfig(flat("eu-west-1"), id).access, { admins: [ADMIN] });
    const access = {
      admins: ["arn:aws:iam::111122223333:role/backup-break-glass"],
      veleroRoles: ["arn:aws:iam::111122223333:role/phoenix/velero/*"],
    };
    assert.deepEqual(parseStorageConfig(flat("eu-west-1", { access }), id).access, access);
    assert.match(
      problemAt(
        flat("eu-west-1", { access: { admins: ["backup-admins"] } }),
        "phoenix-backup-storage:access.admins[0]",
      ),
      /must be an IAM principal ARN/,
    );
    assert.match(
      problemAt(
        flat("eu-west-1", { access: { admins: [ADMIN], veleroRoles: ["arn:aws:s3:::bucket"] } }),
        "phoenix-backup-storage:access.veleroRoles[0]",
      ),
      /must be an IAM principal ARN/,
    );
    assert.match(
      problemAt(
        flat("eu-west-1", { access: { admins: [ADMIN], restoreReaders: ["drill"] } }),
        "phoenix-backup-storage:access.restoreReaders[0]",
      ),
      /must be an IAM principal ARN/,
    );
    assert.ok(
      problemAt(flat("eu-west-1", { access: { admins: [] } }), "phoenix-backup-storage:access.admins"),
      "an empty list would leave only the root",
    );
    assert.match(
      problemAt(
        flat("cn-north-1", { access: { admins: ["arn:aws:iam::111122223333:root"] } }),
        "phoenix-backup-storage:access.admins[0]",
      ),
      /is in partition aws, but this stack's region cn-north-1 is in aws-cn: use arn:aws-cn:iam::/,
    );
  });

  it("keeps server access logs 365 days by default, and refuses a window outside 1 to 3650 days", () => {
    assert.equal(parseStorageConfig(flat("eu-west-1"), id).accessLogs.expireDays, 365);
    assert.equal(
      parseStorageConfig(flat("eu-west-1", { accessLogs: { expireDays: 90 } }), id).accessLogs.expireDays,
      90,
    );
    assert.ok(
      problemAt(flat("eu-west-1", { accessLogs: { expireDays: 0 } }), "phoenix-backup-storage:accessLogs.expireDays"),
    );
    assert.ok(
      problemAt(
        flat("eu-west-1", { accessLogs: { expireDays: 4000 } }),
        "phoenix-backup-storage:accessLogs.expireDays",
      ),
    );
  });
});
