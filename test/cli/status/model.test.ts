/** The pure parts of `phoenix status`: newest per schedule, flight, locks, drills and problems. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backupSummary } from "../../../cli/recovery/velero";
import { drillOfReport, drillsOf, type DrillOnRecord } from "../../../cli/status/drills";
import {
  completedOf,
  inFlight,
  lockProblem,
  lockText,
  problemsOf,
  type BucketStatus,
  type StackStatus,
} from "../../../cli/status/model";
import { age, size } from "../../../cli/status/render";
import { backupJson } from "../recovery/fixtures";

const NOW = Date.parse("2026-11-27T08:10:00Z");
const hourly = (hh: string, phase = "Completed") =>
  backupSummary(backupJson(`velero-hourly-20261127${hh}0000`, { completed: `2026-11-27T${hh}:00:30Z`, phase }));

describe("status, pure", () => {
  it("takes a schedule's Completed backups newest first, and only its own", () => {
    const daily = backupSummary({
      ...backupJson("velero-daily-1", { completed: "2026-11-27T08:05:00Z" }),
      metadata: { name: "velero-daily-1", labels: { "velero.io/schedule-name": "velero-daily" } },
    });
    const got = completedOf([hourly("06"), hourly("08", "PartiallyFailed"), hourly("07"), daily], "velero-hourly");
    assert.deepEqual(
      got.map((b) => b.name),
      ["velero-hourly-20261127070000", "velero-hourly-20261127060000"],
    );
  });

  it("counts as in flight only the primary's backups newer than the newest whole one on the replica", () => {
    const flying = inFlight(
      [hourly("08"), hourly("07"), hourly("05")],
      new Set(["velero-hourly-20261127060000"]),
      hourly("06"),
      new Map([["velero-hourly-20261127080000", "missing its tarball"]]),
      NOW,
    );
    assert.deepEqual(flying, [
      { name: "velero-hourly-20261127080000", ageSeconds: 9 * 60 + 30, missing: "missing its tarball" },
      { name: "velero-hourly-20261127070000", ageSeconds: 69 * 60 + 30, missing: "not on the replica yet" },
    ]);
  });

  it("holds a bucket's lock against what the storage stack declares", () => {
    const declared = { enabled: true, mode: "GOVERNANCE", days: 30 };
    const at = (lock: { enabled: boolean; mode?: string; days?: number } | { error: string }) =>
      ({ location: "s3://b (eu-west-1)", lock }) satisfies BucketStatus;
    assert.equal(lockProblem("primary", at({ enabled: true, mode: "GOVERNANCE", days: 30 }), declared), undefined);
    assert.match(
      lockProblem("replica", at({ enabled: true, mode: "GOVERNANCE", days: 7 }), declared) ?? "",
      /replica bucket s3:\/\/b \(eu-west-1\): Object Lock is GOVERNANCE 7 days, the storage stack declares GOVERNANCE 30 days/,
    );
    assert.match(lockProblem("primary", at({ enabled: false }), declared) ?? "", /Object Lock is off/);
    assert.match(lockProblem("primary", at({ error: "AccessDenied" }), declared) ?? "", /unknown \(AccessDenied\)/);
    assert.equal(lockProblem("primary", at({ enabled: true }), { ...declared, enabled: false }), undefined);
    assert.equal(lockText({ enabled: true }), "on, no default retention");
  });

  const base: Omit<StackStatus, "problems"> = {
    stack: "euc1",
    region: "eu-central-1",
    role: "standby",
    restoresFrom: "prod",
    storageStack: "prod",
    buckets: {
      primary: { location: "s3://p", lock: { enabled: true, mode: "GOVERNANCE", days: 30 } },
      replica: { location: "s3://r", lock: { enabled: true, mode: "GOVERNANCE", days: 30 } },
    },
    declaredLock: { enabled: true, mode: "GOVERNANCE", days: 30 },
    schedules: [{ schedule: "hourly", veleroSchedule: "velero-hourly" }],
    inFlight: [],
    rpoNow: { seconds: 3600, targetMinutes: 80, note: "" },
    maxDrillAgeDays: 35,
    runningDrills: [],
    drift: { unexplained: ["helm/velero/version"], accepted: 0, explained: 12 },
  };

  it("names every missed target: a schedule with nothing whole, no drill, a standby's drift", () => {
    const problems = problemsOf(base, NOW);
    assert.deepEqual(problems, [
      "schedule hourly: no Completed backup whole on the replica",
      "no passing drill on record (phoenix drill run --standby euc1)",
      "drift from prod: helm/velero/version (phoenix drift --from prod --to euc1)",
    ]);
    const fine = problemsOf(
      {
        ...base,
        schedules: [],
        drift: { unexplained: [], accepted: 1, explained: 12 },
        lastPassingDrill: {
          id: "drill-1",
          stack: "euc1",
          startedAt: "2026-11-20T00:00:00Z",
          outcome: "passed",
          report: "r",
        },
      },
      NOW,
    );
    assert.deepEqual(fine, []);
  });

  it("reads drills from their reports, and gives each role the drills that prove it", () => {
    const report = (id: string, source: string, stack: string, outcome: string, startedAt: string) =>
      drillOfReport(
        {
          kind: "drill",
          id,
          source,
          stack,
          startedAt,
          outcome,
          rto: { seconds: 3000, modeled: false },
          rpo: { seconds: 600 },
        },
        `${id}/report.json`,
      ) as DrillOnRecord;
    assert.equal(drillOfReport({ kind: "rehearsal", id: "x" }, "f"), undefined, "a rehearsal proves nothing");
    const drills = [
      report("drill-a", "prod", "prod-drill-a", "passed", "2026-11-01T00:00:00Z"),
      report("drill-b", "euc1", "euc1", "passed", "2026-11-10T00:00:00Z"),
      report("drill-c", "prod", "prod-drill-c", "failed", "2026-11-20T00:00:00Z"),
    ];
    const prod = drillsOf(drills, { stack: "prod", role: "primary" });
    assert.equal(prod.last?.id, "drill-c");
    assert.equal(prod.lastPassing?.id, "drill-a");
    assert.equal(prod.last?.rtoSeconds, 3000);
    assert.equal(drillsOf(drills, { stack: "euc1", role: "standby", restoresFrom: "prod" }).last?.id, "drill-b");
    assert.equal(drillsOf(drills, { stack: "use1", role: "replica", restoresFrom: "prod" }).lastPassing?.id, "drill-a");
  });

  it("prints ages and sizes as a person reads them", () => {
    assert.deepEqual(
      [age(59), age(9 * 60), age(69 * 60 + 30), age(3 * 86_400 + 4 * 3600)],
      ["0m", "9m", "1h 09m", "3d 4h"],
    );
    assert.deepEqual(
      [size(undefined), size(512), size(1536), size(10 * 1024 ** 3)],
      ["-", "512 B", "1.5 KiB", "10.0 GiB"],
    );
  });
});
