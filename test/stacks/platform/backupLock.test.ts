/**
 * A platform stack's backups against its storage's Object Lock and repository password:
 * the TTL check as a plain function, then the program under mocks (which storage's
 * password Velero gets, and a TTL beyond the lock refused at deploy time), then the
 * offline plan refusing it before anything runs.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Planner } from "../../../cli/plan/planner";
import { loadStack } from "../../../cli/stacks/stackFile";
import { COMPUTED, SECRET } from "../../../cli/plan/runtime";
import { ConfigError } from "../../../stacks/config";
import { lockRetentionProblems, storageStackFile, ttlHours } from "../../../stacks/platform/backupLock";
import { at, flatConfig, one, ROOT, runProgram, storageOutputs } from "../../helpers";

const schedules = [
  { name: "hourly", ttl: "72h0m0s" },
  { name: "daily", ttl: "720h0m0s" },
];
const cfg = (s = schedules, enabled = true) => ({ project: "phoenix", backups: { enabled, schedules: s } });

describe("schedule TTLs against the storage's Object Lock", () => {
  it("reads Velero TTLs in hours", () => {
    assert.equal(ttlHours("720h0m0s"), 720);
    assert.equal(ttlHours("168h"), 168);
    assert.equal(ttlHours("1h30m"), 1.5);
    assert.equal(ttlHours("0h0m3600s"), 1);
    assert.throws(() => ttlHours("30d"), /not a Velero TTL in hours: 30d/);
  });

  it("accepts every TTL up to the retention, the boundary included", () => {
    assert.deepEqual(lockRetentionProblems(cfg(), "organization/phoenix-backup-storage/prod", 30), []);
    assert.deepEqual(
      lockRetentionProblems(cfg([{ name: "long", ttl: "720h0m1s" }]), "organization/phoenix-backup-storage/prod", 31),
      [],
    );
  });

  it("refuses each TTL longer than the retention, naming its key, the storage stack file and both fixes", () => {
    const problems = lockRetentionProblems(cfg(), "organization/phoenix-backup-storage/prod", 7);
    assert.deepEqual(
      problems.map((p) => p.key),
      ["phoenix:backups.schedules[1].ttl"],
      "the 72h schedule fits in 7 days",
    );
    assert.equal(
      problems[0].message,
      "is 720h0m0s, longer than the Object Lock retention of backup storage stack organization/phoenix-backup-storage/prod (7 days, 168h): schedule daily's backups would outlive their lock. " +
        "Shorten the ttl to at most 168h0m0s, or set phoenix-backup-storage:objectLock.days to at least 30 in stacks/backup-storage/Pulumi.prod.yaml",
    );
    assert.equal(
      lockRetentionProblems(
        cfg([{ name: "x", ttl: "721h" }]),
        "organization/phoenix-backup-storage/prod",
        30,
      )[0].message.includes("at least 31"),
      true,
      "rounded up to whole days",
    );
  });

  it("checks nothing without a default retention, or with backups off", () => {
    assert.deepEqual(lockRetentionProblems(cfg(), "organization/phoenix-backup-storage/prod", undefined), []);
    assert.deepEqual(lockRetentionProblems(cfg(schedules, false), "organization/phoenix-backup-storage/prod", 1), []);
  });

  it("names the storage stack's file for qualified and short stack names", () => {
    assert.equal(storageStackFile("acme/phoenix-backup-storage/dr"), "stacks/backup-storage/Pulumi.dr.yaml");
    assert.equal(storageStackFile("phoenix-backup-storage/prod"), "stacks/backup-storage/Pulumi.prod.yaml");
  });
});

const sections = {
  namespaces: { imperative: [{ name: "ledger" }] },
  backups: { schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s" }] },
};
const SECRET_VERSION = (arn: unknown): string => `${COMPUTED} value of secret ${String(arn)}>`;

describe("the platform program and its storage's password and lock", () => {
  it("copies its own storage's password into Velero's namespace, read from Secrets Manager, masked", async () => {
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"), { stack: "blue" });
    const secret = one(resources, "kubernetes:core/v1:Secret", "plugins-velero-repo-credentials");
    assert.equal(secret.inputs.stringData, SECRET);
    const everything = JSON.stringify(resources.map((r) => r.inputs));
    assert.ok(
      !everything.includes(SECRET_VERSION(storageOutputs("blue", "sa-east-1").repositoryPasswordSecretArn)),
      "the value read never shows",
    );
  });

  it("a DR stack takes the restore source's replica password (its repositories were written with it), and both stacks read from their own region", async () => {
    const { program } = await import("../../../stacks/platform/program");
    const { evaluateOffline } = await import("../../../cli/plan/runtime");
    const primary = "organization/phoenix-backup-storage/prod";
    const prod = storageOutputs("prod", "eu-west-1", "sa-east-1");
    const reads: { secretId: unknown; region: unknown }[] = [];
    let handedToVelero: unknown;
    const { resources } = await evaluateOffline(
      {
        project: "phoenix",
        stack: "dr",
        config: flatConfig(
          { ...sections, backups: { ...sections.backups, restoreFrom: { stack: primary } } },
          "sa-east-1",
        ),
        secretKeys: ["phoenix:plugins"],
        stackOutputs: {
          [primary]: prod,
          "organization/phoenix-backup-storage/dr": storageOutputs("dr", "sa-east-1", "us-east-1"),
        },
        wrapMocks: (inner) => ({
          newResource: (a) => {
            // What the engine would store (a secret, which the plan masks): which secret's value it is.
            if (a.type === "kubernetes:core/v1:Secret" && a.name === "plugins-velero-repo-credentials")
              handedToVelero = at(a.inputs, "stringData", "value", "repository-password");
            return inner.newResource(a);
          },
          call: (a) => {
            if (a.token === "aws:secretsmanager/getSecretVersion:getSecretVersion")
              reads.push({ secretId: at(a.inputs, "secretId"), region: at(a.inputs, "region") });
            return inner.call(a);
          },
        }),
      },
      program,
    );
    assert.deepEqual(
      reads.sort((a, b) => String(a.secretId).localeCompare(String(b.secretId))),
      [
        { secretId: storageOutputs("dr", "sa-east-1", "us-east-1").repositoryPasswordSecretArn, region: "sa-east-1" },
        { secretId: prod.replicaRepositoryPasswordSecretArn, region: "sa-east-1" },
      ].sort((a, b) => String(a.secretId).localeCompare(String(b.secretId))),
    );
    assert.equal(
      handedToVelero,
      SECRET_VERSION(prod.replicaRepositoryPasswordSecretArn),
      "the restore source's password, not the DR storage's own",
    );
    assert.equal(
      one(resources, "kubernetes:core/v1:Secret", "plugins-velero-repo-credentials").inputs.stringData,
      SECRET,
    );
  });

  it("a preview reads no secret: the password is read only when the engine applies, and the cluster's copy ignores changes", async () => {
    const { program } = await import("../../../stacks/platform/program");
    const { evaluateOffline } = await import("../../../cli/plan/runtime");
    const reads: unknown[] = [];
    const { resources } = await evaluateOffline(
      {
        project: "phoenix",
        stack: "blue",
        config: flatConfig(sections, "sa-east-1"),
        secretKeys: ["phoenix:plugins"],
        preview: true,
        stackOutputs: { "organization/phoenix-backup-storage/blue": storageOutputs("blue", "sa-east-1") },
        wrapMocks: (inner) => ({
          newResource: (a) => inner.newResource(a),
          call: (a) => {
            if (a.token === "aws:secretsmanager/getSecretVersion:getSecretVersion") reads.push(a.inputs);
            return inner.call(a);
          },
        }),
      },
      program,
    );
    assert.deepEqual(reads, [], "the preview role never needs the password (issue 18: the secret's policy refuses it)");
    assert.deepEqual(
      one(resources, "kubernetes:core/v1:Secret", "plugins-velero-repo-credentials").options?.ignoreChanges,
      ["stringData", "data"],
    );
  });

  it("refuses at deploy time a schedule whose backups would outlive the storage's lock", async () => {
    // The check fails the registration of whatever uses the bucket's name, as a real
    // engine reports it; under mocks that surfaces as the registration's rejection.
    const short = { ...storageOutputs("blue", "sa-east-1"), objectLockDays: 7 };
    const seen: unknown[] = [];
    const capture = (err: unknown): void => void seen.push(err);
    process.prependListener("unhandledRejection", capture);
    const listeners = process.listeners("unhandledRejection").filter((l) => l !== capture);
    for (const l of listeners) process.off("unhandledRejection", l);
    try {
      await runProgram(flatConfig(sections, "sa-east-1"), {
        stack: "blue",
        stackOutputs: { "organization/phoenix-backup-storage/blue": short },
      }).catch(capture);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off("unhandledRejection", capture);
      for (const l of listeners) process.on("unhandledRejection", l);
    }
    const text = seen.map((e) => (e instanceof Error ? e.message : String(e))).join("\n");
    assert.match(text, /phoenix:backups\.schedules\[0\]\.ttl: is 720h0m0s, longer than the Object Lock retention/);
    assert.match(
      text,
      /phoenix-backup-storage:objectLock\.days to at least 30 in stacks\/backup-storage\/Pulumi\.blue\.yaml/,
    );
  });

  it("deploys a storage without a default retention without a TTL check", async () => {
    const unlocked = Object.fromEntries(
      Object.entries(storageOutputs("blue", "sa-east-1")).filter(([k]) => !k.startsWith("objectLock")),
    );
    const { resources } = await runProgram(flatConfig(sections, "sa-east-1"), {
      stack: "blue",
      stackOutputs: { "organization/phoenix-backup-storage/blue": unlocked },
    });
    assert.ok(one(resources, "kubernetes:helm.sh/v3:Release", "velero"));
  });
});

describe("the offline plan and the storage's lock", () => {
  it("refuses a prod schedule longer than the prod storage's lock before the program runs, naming the platform file and key", async () => {
    const loaded = loadStack(ROOT, "prod");
    const schedules = JSON.parse(loaded.config["phoenix:backups"]) as { schedules: { ttl: string }[] };
    schedules.schedules[1].ttl = "1000h0m0s";
    const bad = { ...loaded, config: { ...loaded.config, "phoenix:backups": JSON.stringify(schedules) } };
    await assert.rejects(new Planner(ROOT).planPlatform({ loaded: bad }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^Pulumi\.prod\.yaml: invalid stack configuration/);
      assert.deepEqual(
        err.problems.map((p) => p.key),
        ["phoenix:backups.schedules[1].ttl"],
      );
      assert.match(err.problems[0].message, /at least 42 in stacks\/backup-storage\/Pulumi\.prod\.yaml/);
      return true;
    });
  });

  it("plans prod as its stack files stand: the longest TTL fits the lock", async () => {
    const doc = await new Planner(ROOT).planPlatform({ loaded: loadStack(ROOT, "prod") });
    assert.ok(doc.backupSchedules.some((s) => s.ttl === "720h0m0s"));
    assert.equal(
      path.basename(loadStack(path.join(ROOT, "stacks", "backup-storage"), "prod").stackFile),
      "Pulumi.prod.yaml",
    );
  });
});
