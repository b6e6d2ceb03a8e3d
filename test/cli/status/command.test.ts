/**
 * `phoenix status` in-process, with the real bucket adapter against a local S3 server
 * holding backups laid out as Velero lays them out, and a drill report the real drill
 * code wrote. The real Velero, MinIO and Object Lock are test/e2e/scenarios/backupRestore.e2e.ts's.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { openBackupStore } from "../../../cli/recovery/s3";
import { DrillState } from "../../../cli/recovery/state";
import type { StatusDocument } from "../../../cli/status/model";
import { backupKeys } from "../../../cli/recovery/velero";
import { backupJson, ledgerObjects } from "../recovery/fixtures";
import { localS3, putBackup, type LocalS3 } from "../recovery/servers";
import { Script } from "../recovery/scripted";
import { phoenix, repositoryCopy, ScriptedEngine } from "../phoenix";

const NOW = Date.parse("2026-11-27T08:10:00Z");

/** The engine's side: the scripted drill's, whose prod storage outputs name the local server's buckets. */
const storageEngine = (): ScriptedEngine => new Script().engine();

/** A daily backup: what backupJson writes, labelled by the daily Schedule. */
async function putDaily(s3: LocalS3, bucket: string, name: string, completed: string): Promise<void> {
  await putBackup(s3, bucket, name, ledgerObjects(), { completed });
  const json = backupJson(name, { completed });
  const meta = json.metadata as Record<string, unknown>;
  await s3.put(
    bucket,
    backupKeys("", name).metadata,
    JSON.stringify({ ...json, metadata: { ...meta, labels: { "velero.io/schedule-name": "velero-daily" } } }),
  );
}

/** A repository copy with a passing drill's report written by the drill itself (scripted cluster and engine). */
async function withDrill(): Promise<{ root: string; reports: string }> {
  const root = repositoryCopy();
  const reports = path.join(root, "reports");
  const script = new Script();
  const run = await phoenix(
    ["drill", "run", "--from", "prod", "--report", path.join(reports, "d1")],
    root,
    script.engine(),
    script.adapters(),
  );
  assert.equal(run.status, 0, run.stderr + run.stdout);
  return { root, reports };
}

describe("phoenix status", () => {
  let s3: LocalS3;
  before(async () => {
    s3 = await localS3(["primary", "replica"]);
    for (const bucket of ["primary", "replica"]) {
      await putBackup(s3, bucket, "velero-hourly-20261127070000", ledgerObjects(), {
        completed: "2026-11-27T07:00:30Z",
      });
      await putDaily(s3, bucket, "velero-daily-20261127030000", "2026-11-27T03:00:30Z");
    }
    await putBackup(s3, "primary", "velero-hourly-20261127080000", ledgerObjects(), {
      completed: "2026-11-27T08:00:30Z",
    });
    // Replication copies object by object: the newest backup's metadata is on the replica, its tarball not yet.
    await s3.put(
      "replica",
      backupKeys("", "velero-hourly-20261127080000").metadata,
      JSON.stringify(backupJson("velero-hourly-20261127080000", { completed: "2026-11-27T08:00:30Z" })),
    );
  });
  after(async () => s3.close());

  const adapters = {
    store: (loc: { bucket: string; region: string }) => openBackupStore(loc, s3.client),
    now: () => NOW,
  };
  const buckets = ["--primary-bucket", "primary", "--replica-bucket", "replica"];

  it("shows each schedule's newest backup on both buckets, what is in flight, RPO now and the last drill", async () => {
    const { root, reports } = await withDrill();
    const run = await phoenix(
      ["status", "--stack", "prod", ...buckets, "--reports", reports, "-o", "json"],
      root,
      undefined,
      adapters,
    );
    const doc = JSON.parse(run.stdout) as StatusDocument;
    const prod = doc.stacks[0];
    assert.ok(prod);
    assert.equal(prod.role, "primary");
    const hourly = prod.schedules.find((s) => s.schedule === "hourly");
    assert.equal(hourly?.primary?.name, "velero-hourly-20261127080000");
    assert.equal(hourly?.replica?.name, "velero-hourly-20261127070000", "the newest one is not whole there");
    assert.equal(hourly?.replica?.items, 8);
    assert.ok((hourly?.replica?.bytes ?? 0) > 0);
    assert.equal(prod.schedules.find((s) => s.schedule === "daily")?.replica?.name, "velero-daily-20261127030000");
    assert.deepEqual(
      prod.inFlight.map((f) => f.name),
      ["velero-hourly-20261127080000"],
    );
    assert.match(prod.inFlight[0]?.missing ?? "", /tarball/);
    assert.equal(prod.rpoNow.backup, "velero-hourly-20261127070000");
    assert.equal(prod.rpoNow.seconds, 69 * 60 + 30, "from the backup's start to now");
    assert.equal(prod.lagSeconds, 3600);
    assert.equal(prod.lastPassingDrill?.outcome, "passed");
    // s3rver does not serve GetObjectLockConfiguration: the declared lock cannot be confirmed, and that is a problem.
    assert.equal(run.status, 1, run.stderr);
    assert.ok(
      prod.problems.some((p) => /primary bucket .*: Object Lock unknown/.test(p)),
      prod.problems.join("\n"),
    );
    assert.equal(prod.problems.length, 2, prod.problems.join("\n"));

    const table = await phoenix(
      ["status", "--stack", "prod", ...buckets, "--reports", reports],
      root,
      undefined,
      adapters,
    );
    assert.match(table.stdout, /^prod \(eu-west-1, primary\): backups in prod$/m);
    assert.match(
      table.stdout,
      /hourly\s+velero-hourly-20261127080000\s+9m\s+\S+ KiB\s+8\s+velero-hourly-20261127070000\s+1h 09m/,
    );
    assert.match(table.stdout, /in flight: velero-hourly-20261127080000 \(9m, missing its tarball/);
    assert.match(table.stdout, /RPO now:\s+1h 09m \(velero-hourly-20261127070000, whole on the replica\) against 80m/);
    assert.match(table.stdout, /PROBLEM: primary bucket s3:\/\/primary \(eu-west-1\): Object Lock unknown/);
    assert.match(table.stdout, /status: 2 problems/);
  });

  it("exits 0 when every target is met (a storage stack that declares no retention), reading the buckets from the storage stack's outputs", async () => {
    const { root, reports } = await withDrill();
    const file = path.join(root, "stacks", "backup-storage", "Pulumi.prod.yaml");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace("    mode: GOVERNANCE\n", "    enabled: false\n    mode: GOVERNANCE\n"),
    );
    const engine = storageEngine();
    const run = await phoenix(["status", "--stack", "prod", "--reports", reports], root, engine, adapters);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /status: every target met \(1 stack\)/);
    assert.ok(
      engine.calls.every((c) => c.op === "outputs"),
      "read-only: only outputs are read",
    );
  });

  it("exits 1 when RPO now is over its target, and when the last passing drill is too old", async () => {
    const { root, reports } = await withDrill();
    const later = { ...adapters, now: () => NOW + 40 * 86_400_000 };
    const run = await phoenix(["status", "--stack", "prod", ...buckets, "--reports", reports], root, undefined, later);
    assert.equal(run.status, 1);
    assert.match(run.stdout, /PROBLEM: RPO now 57670 min is over the 80 min target/);
    assert.match(
      run.stdout,
      /PROBLEM: the last passing drill \(drill-[a-z0-9-]+\) is 40 days old, over recovery.maxDrillAgeDays 35/,
    );
    const none = await phoenix(
      ["status", "--stack", "prod", ...buckets, "--reports", path.join(root, "none")],
      root,
      undefined,
      adapters,
    );
    assert.match(none.stdout, /PROBLEM: no passing drill on record \(phoenix drill run --from prod\)/);
  });

  it("--all covers a pilot-light standby: the primary's backups it would restore, its own drills, and its drift", async () => {
    const { root, reports } = await withDrill();
    const rep = await phoenix(
      ["replicate", "--from", "prod", "--region", "eu-central-1", "--stack", "euc1", "--strategy", "pilot-light"],
      root,
    );
    assert.equal(rep.status, 0, rep.stderr);
    const engine = storageEngine();
    const run = await phoenix(["status", "--all", "--reports", reports, "-o", "json"], root, engine, adapters);
    const doc = JSON.parse(run.stdout) as StatusDocument;
    assert.deepEqual(
      doc.stacks.map((s) => [s.stack, s.role, s.restoresFrom, s.storageStack]),
      [
        ["euc1", "standby", "prod", "prod"],
        ["prod", "primary", undefined, "prod"],
      ],
    );
    const euc1 = doc.stacks[0];
    assert.equal(euc1?.rpoNow.backup, "velero-hourly-20261127070000", "what a promotion would restore");
    assert.deepEqual(euc1?.drift?.unexplained, []);
    assert.ok((euc1?.drift?.explained ?? 0) > 0);
    assert.equal(euc1?.lastDrill, undefined, "prod's drill is not the standby's");
    assert.ok(euc1?.problems.includes("no passing drill on record (phoenix drill run --standby euc1)"));

    const file = path.join(root, "Pulumi.euc1.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("ttl: 72h0m0s", "ttl: 48h0m0s"));
    const drifted = await phoenix(["status", "--stack", "euc1", "--reports", reports], root, engine, adapters);
    assert.equal(drifted.status, 1);
    // Standing by, its schedules are off (the standby rule); the ttl it would back up with once promoted is drift.
    assert.match(drifted.stdout, /Drift:\s+1 unexplained/);
    assert.match(
      drifted.stdout,
      /PROBLEM: drift from prod: helm\/velero\/values\.schedules\.hourly\.template\.ttl \(phoenix drift --from prod --to euc1\)/,
    );
  });

  it("says once that the buckets are not known when the storage stack's outputs cannot be read", async () => {
    const engine = new ScriptedEngine({ fail: ["outputs storage/prod"] });
    const run = await phoenix(
      ["status", "--stack", "prod", "--reports", "none", "-o", "json"],
      repositoryCopy(),
      engine,
      adapters,
    );
    assert.equal(run.status, 1);
    const prod = (JSON.parse(run.stdout) as StatusDocument).stacks[0];
    assert.deepEqual(
      prod?.problems.map((p) => p.split(":")[0]),
      ["the buckets are not known", "no passing drill on record (phoenix drill run --from prod)"],
    );
    assert.match(prod?.problems[0] ?? "", /give --primary-bucket and --replica-bucket/);
  });

  it("names a drill running now, from its record", async () => {
    const { root, reports } = await withDrill();
    const state = path.join(root, "state");
    new DrillState(state).write({
      id: "drill-now-0001",
      source: "prod",
      stack: "prod-drill-now-0001",
      region: "eu-central-1",
      startedAt: new Date(NOW - 600_000).toISOString(),
      host: os.hostname(),
      pid: process.pid,
      phase: "restore",
      status: "running",
      stackCreated: true,
      files: [],
      keep: false,
    });
    const run = await phoenix(
      ["status", "--stack", "prod", ...buckets, "--reports", reports, "--state-dir", state],
      root,
      undefined,
      adapters,
    );
    assert.match(run.stdout, /Last drill:\s+drill-\S+ \S+ passed, RTO .*; running now: drill-now-0001$/m);
  });

  it("names a bucket it cannot read, and exits 1", async () => {
    const run = await phoenix(
      ["status", "--stack", "prod", "--primary-bucket", "primary", "--replica-bucket", "gone", "--reports", "none"],
      repositoryCopy(),
      undefined,
      adapters,
    );
    assert.equal(run.status, 1);
    assert.match(run.stdout, /PROBLEM: replica bucket s3:\/\/gone \(eu-central-1\): cannot list backups/);
  });

  it("refuses bad usage with exit 2", async () => {
    const root = repositoryCopy();
    const cases: [string[], RegExp][] = [
      [["status"], /give --stack S \(one stack\) or --all/],
      [["status", "--stack", "prod", "--all"], /not both/],
      [["status", "--all", "--primary-bucket", "x"], /give --stack too/],
      [["status", "--stack", "nope"], /--stack nope: there is no Pulumi.nope.yaml/],
      [["status", "--stack", "prod", "-o", "yaml"], /yaml/],
    ];
    for (const [args, message] of cases) {
      const run = await phoenix(args, root);
      assert.equal(run.status, 2, args.join(" "));
      assert.match(run.stderr, message, args.join(" "));
    }
  });
});
