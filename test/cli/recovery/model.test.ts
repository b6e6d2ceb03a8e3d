/** The rehearsal's model, and the drill records' leftovers (pure). */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { interrupt } from "../../../cli/recovery/drill";
import {
  backupSeconds,
  BSL_SYNC_SECONDS,
  modelPilotLight,
  modelRecovery,
  modelRpo,
  promotionChanges,
  REPLICATION_SECONDS,
} from "../../../cli/recovery/model";
import { durationSeconds } from "../../../cli/recovery/verify";
import { DrillState, leftovers, stillRunning, type DrillRecord } from "../../../cli/recovery/state";
import type { PlanResource } from "../../../cli/plan/plan";

const res = (type: string, name: string, dependencies: string[] = []): PlanResource =>
  ({ type, name, layer: "cluster", parent: undefined, inputs: {}, dependencies }) as unknown as PlanResource;

describe("the modeled recovery", () => {
  const none = { dataGiB: 0, items: 0, volumeBackup: "file-system" } as const;

  it("takes the cluster phase from the plan's critical path and labels every phase's basis", () => {
    const plan = [res("aws:ec2/vpc:Vpc", "vpc"), res("eks:index:Cluster", "eks", ["aws:ec2/vpc:Vpc::vpc"])];
    const m = modelRecovery(plan, { size: none, applications: 2 });
    assert.equal(m.phases.find((p) => p.name === "cluster")?.seconds, 24 + 900);
    assert.deepEqual(
      m.phases.map((p) => p.name),
      ["cluster", "gitops", "restore", "verify", "teardown"],
    );
    assert.ok(m.phases.every((p) => /published|assumption|critical path/.test(p.basis)));
  });

  it("counts the backup storage stack a recovery into another region deploys before the platform", () => {
    const plan = [res("eks:index:Cluster", "eks")];
    const storage = [
      res("aws:iam/role:Role", "replication"),
      res("aws:s3/bucket:Bucket", "b", ["aws:iam/role:Role::replication"]),
    ];
    const m = modelRecovery(plan, { size: none, applications: 0, storage });
    assert.equal(m.phases[0].seconds, 900 + 7 + 5);
    assert.match(m.phases[0].basis, /12 s for the backup storage stack/);
  });

  it("restores volume data at kopia's published file-system rates, 6 and 30 MB/s (velero #5920), not the data mover's", () => {
    const m = modelRecovery([], { size: { dataGiB: 10, items: 0, volumeBackup: "file-system" }, applications: 0 });
    const bytes = 10 * 1024 ** 3;
    assert.equal(m.restore.low, Math.round(BSL_SYNC_SECONDS + bytes / 6e6));
    assert.equal(m.restore.high, Math.round(BSL_SYNC_SECONDS + bytes / 30e6));
    assert.equal(
      m.phases.find((p) => p.name === "restore")?.seconds,
      m.restore.low,
      "the target is checked against the low rate",
    );
    assert.match(m.phases.find((p) => p.name === "restore")?.basis ?? "", /6 MB\/s.*velero #5920/);
  });

  it("models the RPO as the longest gap of the most frequent schedule, plus the backup's own duration, plus replication", () => {
    const from = new Date("2026-11-27T08:00:00Z");
    const rpo = (crons: string[]): number => modelRpo(crons, from, none).seconds;
    assert.equal(rpo(["0 3 * * *", "0 * * * *"]), 3600 + REPLICATION_SECONDS);
    assert.equal(rpo(["0 3 * * *"]), 86400 + REPLICATION_SECONDS);
    // Uneven schedules: the longest gap counts, not the average.
    assert.equal(rpo(["0 1,2 * * *"]), 23 * 3600 + REPLICATION_SECONDS);
    assert.equal(rpo([]), Number.POSITIVE_INFINITY);
    // Velero's own @every (robfig/cron) is its interval, not an ignored schedule.
    assert.equal(rpo(["@every 2h"]), 7200 + REPLICATION_SECONDS);
    assert.equal(rpo(["0 3 * * *", "@every 30m"]), 1800 + REPLICATION_SECONDS);
    const size = { dataGiB: 10, items: 3186, volumeBackup: "file-system" } as const;
    assert.equal(backupSeconds(size), Math.round(38 + (10 * 1024 ** 3) / 1e6 / (10_400 / 97)));
    assert.equal(modelRpo(["0 * * * *"], from, size).seconds, 3600 + backupSeconds(size) + REPLICATION_SECONDS);
    assert.match(modelRpo(["0 * * * *"], from, size).basis, /for a backup of 3186 items and 10 GiB/);
  });

  it("restores data-mover volumes at the data mover's one published rate, 148 MiB/s, at both ends", () => {
    const size = { dataGiB: 10, items: 0, volumeBackup: "data-mover" } as const;
    const m = modelRecovery([], { size, applications: 0 });
    const seconds = Math.round(BSL_SYNC_SECONDS + (10 * 1024 ** 3) / (148 * 1024 ** 2));
    assert.deepEqual([m.restore.low, m.restore.high], [seconds, seconds]);
    assert.match(
      m.phases.find((p) => p.name === "restore")?.basis ?? "",
      /data mover at 148 MiB\/s.*no range is published/,
    );
    // Backed up at its published upload rate, 190 MiB/s: the modeled RPO is that much shorter.
    assert.equal(backupSeconds(size), Math.round((10 * 1024 ** 3) / (190 * 1024 ** 2)));
    // EBS snapshots have no published restore figure: they take the slower file-system rates.
    const ebs = modelRecovery([], { size: { ...size, volumeBackup: "ebs-snapshots" }, applications: 0 });
    assert.equal(ebs.restore.low, Math.round(BSL_SYNC_SECONDS + (10 * 1024 ** 3) / 6e6));
  });
});

describe("interrupts", () => {
  it("Ctrl-C stops the waits but leaves a running `pulumi up` to the SIGINT the terminal sent it; SIGTERM cancels both", () => {
    const a = { waits: new AbortController(), engine: new AbortController() };
    interrupt(a, "SIGINT");
    assert.deepEqual([a.waits.signal.aborted, a.engine.signal.aborted], [true, false]);
    const b = { waits: new AbortController(), engine: new AbortController() };
    interrupt(b, "SIGTERM");
    assert.deepEqual([b.waits.signal.aborted, b.engine.signal.aborted], [true, true]);
    assert.match(String((b.waits.signal.reason as Error).message), /interrupted by SIGTERM/);
  });
});

describe("drill records", () => {
  const rec = (patch: Partial<DrillRecord>): DrillRecord => ({
    id: "drill-a",
    source: "prod",
    stack: "prod-drill-a",
    region: "eu-central-1",
    startedAt: "2026-11-27T08:00:00Z",
    host: os.hostname(),
    pid: 1,
    phase: "cluster",
    status: "running",
    stackCreated: true,
    files: [],
    keep: false,
    ...patch,
  });

  it("a leftover created something, is not cleaned or kept, and is not running in a live process", () => {
    const alive = (r: DrillRecord): boolean => r.status === "running" && r.pid === 42;
    assert.deepEqual(leftovers([rec({ pid: 7 })], alive).length, 1, "its process is gone");
    assert.deepEqual(leftovers([rec({ pid: 42 })], alive).length, 0, "still running");
    assert.deepEqual(leftovers([rec({ status: "failed", pid: 42 })], alive).length, 1, "failed, its stack still there");
    assert.deepEqual(leftovers([rec({ keep: true, status: "passed" })], alive).length, 0, "kept on purpose");
    assert.deepEqual(leftovers([rec({ status: "cleaned" })], alive).length, 0);
    assert.deepEqual(
      leftovers([rec({ stackCreated: false, status: "failed" })], alive).length,
      0,
      "nothing was created",
    );
  });

  it("a running record is alive while its process is, on this machine; from another machine, until it is older than any drill", () => {
    const now = Date.parse("2026-11-27T10:00:00Z");
    assert.equal(stillRunning(rec({ pid: process.pid }), now), true);
    assert.equal(stillRunning(rec({ pid: 999999999 }), now), false);
    assert.equal(stillRunning(rec({ status: "failed", pid: process.pid }), now), false);
    assert.equal(stillRunning(rec({ host: "ci-runner-7", startedAt: "2026-11-27T08:00:00Z" }), now), true);
    assert.equal(stillRunning(rec({ host: "ci-runner-7", startedAt: "2026-11-26T08:00:00Z" }), now), false);
  });

  it("writes records atomically, updates them, lists them oldest first, and refuses an id that is not one", () => {
    const state = new DrillState(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-state-")));
    state.write(rec({ id: "drill-b", startedAt: "2026-11-27T09:00:00Z" }));
    state.write(rec({}));
    state.update("drill-a", { phase: "gitops" });
    assert.deepEqual(
      state.list().map((r) => `${r.id}:${r.phase}`),
      ["drill-a:gitops", "drill-b:cluster"],
    );
    assert.throws(() => state.get("../etc/passwd"), /not a drill id/);
    assert.throws(() => state.update("drill-zz", {}), /no drill drill-zz/);
  });
});

describe("verify command timeouts", () => {
  it("read a Go duration as the stack schema takes it, in seconds", () => {
    assert.deepEqual(["2m", "30s", "1h30m", "10m5s"].map(durationSeconds), [120, 30, 5400, 605]);
    assert.throws(() => durationSeconds("2 minutes"), /not a duration: 2 minutes/);
    assert.throws(() => durationSeconds(""), /not a duration/);
  });
});

describe("the modeled pilot light", () => {
  const withInputs = (r: PlanResource, inputs: Record<string, unknown>): PlanResource => ({ ...r, inputs });
  const nodes = res("aws:eks/nodeGroup:NodeGroup", "system");
  const role = res("aws:iam/role:Role", "dns");
  const dns = res("kubernetes:helm.sh/v3:Release", "externalDns", ["aws:iam/role:Role::dns"]);
  const standby = [res("eks:index:Cluster", "eks"), withInputs(nodes, { scalingConfig: { desiredSize: 0 } })];
  const promoted = [
    res("eks:index:Cluster", "eks"),
    withInputs(nodes, { scalingConfig: { desiredSize: 3 } }),
    role,
    dns,
  ];

  it("counts only what the promotion adds or changes: the scaled node group and the DNS plugin, not the cluster", () => {
    assert.deepEqual(
      promotionChanges(standby, promoted).map((r) => r.name),
      ["system", "dns", "externalDns"],
    );
  });

  it("times the promotion along its dependencies, then the apps, the restore at both rates and the verification", () => {
    const size = { dataGiB: 1, items: 100, volumeBackup: "file-system" } as const;
    const m = modelPilotLight(standby, promoted, { size, applications: 2 });
    // The node group (300 s) and the DNS chain (role 7 s, release 120 s) run side by side.
    assert.equal(m.promotion.total, 300);
    assert.deepEqual(
      m.phases.map((p) => [p.name, p.seconds]),
      [
        ["cluster", 300],
        ["gitops", 60],
        ["restore", m.seconds.low - 300 - 60 - 60],
        ["verify", 60],
      ],
    );
    const full = modelRecovery(promoted, { size, applications: 2 });
    assert.equal(m.phases[2].seconds, full.restore.low, "the same restore as the backup-restore model");
    // 900 s less 420 s of the rest, less the sync and the items: 1 GiB must move in what is left.
    const forData = 900 - 420 - BSL_SYNC_SECONDS - 100 / (865 / 90);
    assert.match(
      m.phases[2].basis,
      new RegExp(`Within 15 min while the data restores at ${Math.ceil(1024 ** 3 / 1e6 / forData)} MB/s or more`),
    );
    assert.equal(m.seconds.low - m.seconds.high, full.restore.low - full.restore.high);
  });
});
