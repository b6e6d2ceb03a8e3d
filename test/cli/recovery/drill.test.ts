/**
 * `phoenix drill`, `recover` and `restore verify` end to end through the command, with a
 * scripted engine, bucket, cluster and AWS: the phases in order, a failure and an
 * interrupt injected at every phase (each still tears down, marks the phase, writes the
 * report and exits non-zero), the records that let a killed drill be cleaned up, and the
 * targets.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse, parseDocument } from "yaml";
import { Planner } from "../../../cli/plan/planner";
import { stackFromDocument } from "../../../cli/stacks/stackFile";
import type { EngineProgress, EngineStack } from "../../../cli/engine/adapter";
import type { RecoveryReport } from "../../../cli/recovery/report";
import { DrillState, type DrillRecord } from "../../../cli/recovery/state";
import { phoenix, repositoryCopy } from "../phoenix";
import { Script, type Step } from "./scripted";

function readReport(dir: string): RecoveryReport {
  return JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as RecoveryReport;
}

function records(root: string): DrillRecord[] {
  const dir = path.join(root, ".phoenix", "drills");
  return fs.existsSync(dir)
    ? fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as DrillRecord)
    : [];
}

/** Rehearses a recovery of prod into us-east-1 from the copy at `root`; the report it wrote. */
async function rehearseProd(root: string): Promise<{ r: RecoveryReport; report: string }> {
  const report = path.join(root, "rehearsal");
  const run = await phoenix(
    ["drill", "run", "--from", "prod", "--region", "us-east-1", "--rehearse", "--report", report],
    root,
  );
  assert.equal(run.status, 0, run.stderr);
  return { r: readReport(report), report };
}

async function drill(script: Script, extra: string[] = [], engine = script.engine()) {
  const root = repositoryCopy();
  const report = path.join(root, "report");
  const run = await phoenix(
    ["drill", "run", "--from", "prod", "--region", "us-east-1", "--report", report, ...extra],
    root,
    engine,
    script.adapters(),
  );
  return { root, report, run, engine, stack: `platform/prod-${script.drillId}` };
}

describe("phoenix drill", () => {
  it("runs every phase in order, restores the imperative namespaces from the replica, verifies, reports and tears down", async () => {
    const script = new Script();
    const { root, report, run, engine, stack } = await drill(script);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const r = readReport(report);
    assert.deepEqual(
      r.phases.map((p) => `${p.name}:${p.status}`),
      [
        "preflight:passed",
        "cluster:passed",
        "gitops:passed",
        "restore:passed",
        "verify:passed",
        "report:passed",
        "teardown:passed",
      ],
    );
    assert.equal(r.outcome, "passed");
    assert.equal(r.backup?.name, "velero-hourly-20261127070000");
    assert.equal(r.backup?.location, "s3://replica (eu-central-1)");
    // RPO: the backup completed at 07:00:30 and the drill started at 08:00:00.
    assert.ok(r.rpo.seconds !== undefined && r.rpo.seconds >= 3570 && r.rpo.seconds < 3700, String(r.rpo.seconds));
    assert.equal(r.rpo.met, true);
    assert.equal(r.rto.met, true);
    assert.match(
      r.rto.note,
      /^measured start to verified, plus \d+s modeled for the backup storage stack a real recovery into another region deploys first/,
    );
    const verified = r.phases.find((p) => p.name === "verify");
    assert.ok(
      (r.rto.seconds ?? 0) > (verified?.start ?? 0) + (verified?.seconds ?? 0),
      "the storage stack a real recovery deploys is counted",
    );
    assert.equal(r.verification?.passed, true);
    assert.deepEqual(
      r.verification?.checks.map((c) => `${c.namespace} ${c.passed}`),
      ["payments-ledger true"],
    );
    assert.deepEqual(r.verification?.hooks.find((h) => h.namespace === "payments-ledger")?.declared, {
      pre: 1,
      post: 1,
    });
    // The engine: the ephemeral stack created, deployed, destroyed with its program, removed.
    const ops = engine.calls.filter((c) => c.stack === stack).map((c) => c.op);
    assert.deepEqual(
      ops.filter((o) => ["ensureStack", "up", "destroy", "removeStack"].includes(o)),
      ["ensureStack", "up", "destroy", "removeStack"],
    );
    assert.ok(
      !engine.calls.some((c) => c.op === "up" && c.stack.startsWith("storage/")),
      "a drill never deploys backup storage",
    );
    // Only the imperative namespaces, with the modifiers, existing objects skipped.
    const restore = script.calls.find((c) => c.startsWith("createRestore")) ?? "";
    assert.match(restore, /"includedNamespaces":\["ml-models","payments-ledger"\]/);
    assert.match(restore, /"existingResourcePolicy":"none"/);
    assert.match(restore, /"resourceModifier":\{"kind":"ConfigMap","name":"phoenix-restore-modifiers"\}/);
    assert.doesNotMatch(restore, /includeClusterResources/);
    // The Restore is made only after the backup's pod volume backups (its list on the replica names one) are synced.
    assert.ok(
      script.calls.indexOf("waitBackup with 1 pod volume backups") >= 0 &&
        script.calls.indexOf("waitBackup with 1 pod volume backups") <
          script.calls.findIndex((c) => c.startsWith("createRestore")),
      script.calls.join("\n"),
    );
    assert.ok(
      script.calls.includes("readSecret arn:aws:secretsmanager:eu-central-1:111122223333:secret:kopia eu-central-1"),
    );
    assert.ok(script.calls.some((c) => c.startsWith(`release phoenix-prod-${script.drillId} us-east-1 true`)));
    // Teardown removed the stack file; the record says the drill is over and left nothing.
    assert.ok(!fs.existsSync(path.join(root, `Pulumi.prod-${script.drillId}.yaml`)));
    assert.deepEqual(
      records(root).map((x) => [x.status, x.stackCreated, x.files.length]),
      [["passed", false, 0]],
    );
    for (const f of ["report.json", "report.md", "report.html"]) assert.ok(fs.existsSync(path.join(report, f)), f);
    assert.match(
      fs.readFileSync(path.join(report, "report.md"), "utf8"),
      /\| payments-ledger \| 5 \| 0 \| 0 \| 1\/1 restored \| 1\/1 \| passed \(exit 0\) \|/,
    );
    assert.match(run.stdout, /drill drill-[\w-]+: PASSED/);
  });

  it("derives the ephemeral stack linked to the source's storage, with no schedules and no deletion protection", async () => {
    const script = new Script();
    const engine = script.engine();
    const root = repositoryCopy();
    let text = "";
    // Read the stack file while it exists: the cluster phase is where it is used.
    const original = engine.up.bind(engine);
    engine.up = async (
      s: EngineStack,
      progress: EngineProgress,
      opts?: { readonly signal?: AbortSignal; readonly refresh?: boolean },
    ) => {
      if (s.project === "platform") text = fs.readFileSync(path.join(root, `Pulumi.${s.stack}.yaml`), "utf8");
      return original(s, progress, opts);
    };
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--region", "us-east-1", "--report", path.join(root, "r")],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(text, /aws:region: us-east-1/);
    assert.match(text, /storage:\s+stack: phoenix-backup-storage\/prod # drill: linked/);
    assert.match(text, /enabled: false # drill: an ephemeral cluster never writes backups/);
    assert.match(text, /deletionProtection: false # drill: torn down/);
    assert.match(text, /externalDns:[\s\S]*enabled: false # drill: a drill never writes the source's DNS records/);
    assert.doesNotMatch(text, /dns01:/);
    // Planned offline, its Velero can only read the source's replica: no location on the primary, no schedule.
    const stack = `prod-${script.drillId}`;
    const plan = await new Planner(root).planPlatform({
      loaded: stackFromDocument("phoenix", stack, path.join(root, `Pulumi.${stack}.yaml`), parse(text)),
    });
    const velero = plan.helmReleases.find((r) => r.name.includes("velero"));
    const locations = (
      velero?.values as {
        configuration: {
          backupStorageLocation: { name: string; default: boolean; accessMode?: string; config: { region: string } }[];
        };
      }
    ).configuration.backupStorageLocation;
    assert.deepEqual(
      locations.map((l) => [l.name, l.default, l.accessMode, l.config.region]),
      [["restore-source", true, "ReadOnly", "eu-central-1"]],
    );
    assert.deepEqual(plan.backupSchedules, []);
  });

  const phases: [Step, string][] = [
    ["store.listBackups", "preflight"],
    ["aws.readSecret", "preflight"],
    ["engine.up", "cluster"],
    ["cluster.waitApplications", "gitops"],
    ["cluster.waitRestore", "restore"],
    ["cluster.listObjects", "verify"],
  ];
  for (const [step, phase] of phases) {
    for (const kind of ["fail", "interrupt"] as const) {
      it(`${kind === "fail" ? "a failure" : "an interrupt"} in ${phase} (${step}) still tears down, marks ${phase}, writes the report and exits 1`, async () => {
        const script = new Script({ [kind]: step });
        const { root, report, run, engine, stack } = await drill(script);
        assert.equal(run.status, 1, run.stderr + run.stdout);
        const r = readReport(report);
        assert.equal(r.outcome, kind === "fail" ? "failed" : "interrupted");
        assert.equal(r.failure?.phase, phase);
        assert.equal(r.phases.find((p) => p.name === phase)?.status, kind === "fail" ? "failed" : "interrupted");
        const after = r.phases
          .slice(r.phases.findIndex((p) => p.name === phase) + 1)
          .filter((p) => p.name !== "report" && p.name !== "teardown");
        assert.ok(
          after.every((p) => p.status === "skipped"),
          JSON.stringify(after),
        );
        assert.equal(r.phases.find((p) => p.name === "report")?.status, "passed");
        assert.equal(r.phases.find((p) => p.name === "teardown")?.status, "passed");
        const created = phase !== "preflight";
        assert.equal(
          engine.calls.some((c) => c.op === "destroy" && c.stack === stack),
          created,
          "destroyed exactly when something was created",
        );
        assert.equal(
          engine.calls.some((c) => c.op === "removeStack" && c.stack === stack),
          created,
        );
        assert.ok(!fs.existsSync(path.join(root, `Pulumi.prod-${script.drillId}.yaml`)));
        if (created)
          assert.deepEqual(
            records(root).map((x) => [x.status, x.stackCreated]),
            [[kind === "fail" ? "failed" : "interrupted", false]],
          );
      });
    }
  }

  it("a failed report is marked and teardown still runs", async () => {
    const script = new Script();
    const root = repositoryCopy();
    const blocked = path.join(root, "report-is-a-file");
    fs.writeFileSync(blocked, "");
    const engine = script.engine();
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--region", "us-east-1", "--report", blocked],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(run.status, 1);
    assert.ok(engine.calls.some((c) => c.op === "destroy"));
    assert.match(run.stdout, /report +failed/);
  });

  it("a failed teardown is marked, exits 1, and leaves a record that --list flags and --cleanup finishes", async () => {
    const script = new Script();
    const engine = script.engine({ fail: [`destroy platform/prod-${script.drillId}`] });
    const { root, report, run } = await drill(script, [], engine);
    assert.equal(run.status, 1);
    const r = readReport(report);
    assert.equal(r.phases.find((p) => p.name === "teardown")?.status, "failed");
    assert.equal(r.failure?.phase, "teardown");
    const list = await phoenix(["drill", "list"], root, script.engine(), script.adapters());
    assert.match(list.stdout, /LEFTOVER: phoenix drill cleanup /);
    const cleanup = await phoenix(["drill", "cleanup", script.drillId], root, script.engine(), script.adapters());
    assert.equal(cleanup.status, 0, cleanup.stderr);
    assert.doesNotMatch(
      (await phoenix(["drill", "list"], root, script.engine(), script.adapters())).stdout,
      /LEFTOVER/,
    );
  });

  it("a signal during teardown does not stop it: the stack is still destroyed and removed, and the drill reports the interrupt", async () => {
    const script = new Script({ signalDuring: "release" });
    const { report, run, engine, stack } = await drill(script);
    assert.deepEqual(
      engine.calls.filter((c) => c.stack === stack && ["destroy", "removeStack"].includes(c.op)).map((c) => c.op),
      ["destroy", "removeStack"],
    );
    const r = readReport(report);
    assert.equal(r.phases.find((p) => p.name === "teardown")?.status, "passed");
    assert.equal(run.status, 0, "every phase had passed before the signal; teardown finished");
  });

  it("a release that fails does not stop teardown: destroy (whose delete hook releases again) still runs", async () => {
    const script = new Script({ fail: "release" });
    const { report, run, engine, stack } = await drill(script);
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(
      engine.calls.filter((c) => c.stack === stack && ["destroy", "removeStack"].includes(c.op)).map((c) => c.op),
      ["destroy", "removeStack"],
    );
    assert.match(
      readReport(report).phases.find((p) => p.name === "teardown")?.detail ?? "",
      /releasing what Kubernetes made in AWS failed \(scripted failure of release\); destroy's delete hook tries again/,
    );
  });

  it("a verification that finds a changed object or a failing verify command fails the drill, and teardown runs", async () => {
    const script = new Script({ checkExit: 3 });
    const { report, run, engine } = await drill(script);
    assert.equal(run.status, 1);
    const r = readReport(report);
    assert.equal(r.failure?.phase, "verify");
    assert.deepEqual(
      r.verification?.checks.map((c) => c.exitCode),
      [3],
    );
    assert.ok(engine.calls.some((c) => c.op === "destroy"));
    assert.match(
      fs.readFileSync(path.join(report, "report.md"), "utf8"),
      /Verify commands that failed:\n- payments-ledger: `pg_isready`: 42/,
    );
  });

  it("a drill over its RTO target fails, though every phase passed", async () => {
    const script = new Script();
    script.tick = 900; // a quarter hour per clock reading: far beyond prod's 90 minutes
    const { report, run } = await drill(script);
    assert.equal(run.status, 1);
    const r = readReport(report);
    assert.equal(r.rto.met, false);
    assert.equal(r.failure?.phase, "report");
    assert.match(r.failure?.message ?? "", /RTO .* is over its 90 min target/);
  });

  it("a backup older than the RPO target fails the drill", async () => {
    const script = new Script({ backupCompleted: "2026-11-26T20:00:00Z" });
    const { report, run } = await drill(script);
    assert.equal(run.status, 1);
    assert.equal(readReport(report).rpo.met, false);
  });

  it("--keep leaves the stack for --cleanup; --list shows it; --cleanup tears it down", async () => {
    const script = new Script();
    const { root, run, engine, stack } = await drill(script, ["--keep"]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!engine.calls.some((c) => c.op === "destroy"));
    assert.ok(fs.existsSync(path.join(root, `Pulumi.prod-${script.drillId}.yaml`)));
    const list = await phoenix(["drill", "list"], root, engine, script.adapters());
    assert.match(
      list.stdout,
      new RegExp(`${script.drillId} +prod -> prod-${script.drillId} \\(us-east-1\\) +passed at teardown, kept`),
    );
    const cleanup = await phoenix(["drill", "cleanup", script.drillId], root, engine, script.adapters());
    assert.equal(cleanup.status, 0, cleanup.stderr);
    assert.deepEqual(
      engine.calls.filter((c) => c.stack === stack && ["destroy", "removeStack"].includes(c.op)).map((c) => c.op),
      ["destroy", "removeStack"],
    );
    assert.ok(!fs.existsSync(path.join(root, `Pulumi.prod-${script.drillId}.yaml`)));
    assert.equal(records(root)[0].status, "cleaned");
  });

  it("a drill killed mid-way is found by --list, refused as a leftover by the next drill, and finished by --cleanup", async () => {
    const script = new Script();
    const root = repositoryCopy();
    // What a killed drill leaves: its record at the gitops phase, its stack and file.
    const id = "drill-killed1";
    fs.mkdirSync(path.join(root, ".phoenix", "drills"), { recursive: true });
    const file = path.join(root, "Pulumi.prod-drill-killed1.yaml");
    fs.writeFileSync(file, "config: {}\n");
    const rec: DrillRecord = {
      id,
      source: "prod",
      stack: "prod-drill-killed1",
      region: "us-east-1",
      startedAt: "2026-11-27T07:00:00.000Z",
      host: os.hostname(),
      pid: 999999999,
      phase: "gitops",
      status: "running",
      stackCreated: true,
      files: [file],
      keep: false,
      clusterName: "phoenix-prod-drill-killed1",
    };
    fs.writeFileSync(path.join(root, ".phoenix", "drills", `${id}.json`), JSON.stringify(rec));
    const engine = script.engine({
      stacks: { platform: ["prod", "prod-drill-killed1"] },
      outputs: { "platform/prod-drill-killed1": { kubeconfig: "apiVersion: v1\n" } },
    });
    const list = await phoenix(["drill", "list"], root, engine, script.adapters());
    assert.match(list.stdout, /drill-killed1 .* running at gitops {2}LEFTOVER: phoenix drill cleanup drill-killed1/);
    const next = await phoenix(
      ["drill", "run", "--from", "prod", "--region", "us-east-1"],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(next.status, 2);
    assert.match(
      next.stderr,
      /left resources behind: drill-killed1 \(stack prod-drill-killed1, running at gitops\); finish it first: phoenix drill cleanup drill-killed1/,
    );
    const cleanup = await phoenix(["drill", "cleanup", id], root, engine, script.adapters());
    assert.equal(cleanup.status, 0, cleanup.stderr);
    assert.ok(
      script.calls.includes("release phoenix-prod-drill-killed1 us-east-1 true"),
      "load balancers released before destroy",
    );
    assert.deepEqual(
      engine.calls
        .filter((c) => c.stack === "platform/prod-drill-killed1" && ["destroy", "removeStack"].includes(c.op))
        .map((c) => c.op),
      ["destroy", "removeStack"],
    );
    assert.ok(!fs.existsSync(file));
    const after = await phoenix(["drill", "list"], root, engine, script.adapters());
    assert.doesNotMatch(after.stdout, /LEFTOVER/);
  });

  it("refuses to start while a drill of the same source is running", async () => {
    const script = new Script();
    const root = repositoryCopy();
    const state = new DrillState(path.join(root, ".phoenix", "drills"));
    state.write({
      id: "drill-live",
      source: "prod",
      stack: "prod-drill-live",
      region: "eu-central-1",
      startedAt: new Date().toISOString(),
      host: os.hostname(),
      pid: process.pid,
      phase: "gitops",
      status: "running",
      stackCreated: true,
      files: [],
      keep: false,
    });
    const run = await phoenix(["drill", "run", "--from", "prod"], root, script.engine(), script.adapters());
    assert.equal(run.status, 2);
    assert.match(run.stderr, /drill drill-live of prod is running .* let it finish, or stop it with Ctrl-C/);
  });

  it("skips a newer backup whose kopia data has not all replicated, though its own objects have; an older one needs none of it", async () => {
    const script = new Script({ newerKopiaBehind: true });
    const { report, run } = await drill(script);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const r = readReport(report);
    assert.equal(
      r.backup?.name,
      "velero-hourly-20261127070000",
      "p0759 was written after it completed: it does not need it",
    );
    assert.deepEqual(r.passedOver, [
      {
        name: "velero-hourly-20261127075900",
        why: "not all on the replica yet (missing 1 kopia blob(s) of payments-ledger written by 2026-11-27T07:59:30Z (p0759))",
      },
    ]);
  });

  it("skips a newer backup that is not all on the replica yet, and restores the newest complete one", async () => {
    const script = new Script({ newerIncomplete: true });
    const { report, run } = await drill(script);
    assert.equal(run.status, 0, run.stdout);
    const r = readReport(report);
    assert.equal(r.backup?.name, "velero-hourly-20261127070000");
    assert.match(r.rpo.note, /newer but not all replicated yet: velero-hourly-20261127075900/);
    assert.deepEqual(
      r.passedOver?.map((b) => b.name),
      ["velero-hourly-20261127075900"],
    );
    // A measured RPO is one sample; the report gives the modeled worst case beside it.
    assert.match(r.rpo.note, /^one sample, not the worst case: /);
    assert.match(
      r.rpo.note,
      /Worst case, modeled: 76m 00s \(schedule "0 \* \* \* \*" runs every 60 min at most apart, plus 1m 00s for a backup of 500 items and 10 GiB/,
    );
  });

  it("names, newest first, every newer backup it passed over and why: PartiallyFailed, or not all on the replica yet", async () => {
    const script = new Script({ newerIncomplete: true, newerPartiallyFailed: true });
    const { report, run } = await drill(script);
    assert.equal(run.status, 0, run.stdout);
    const r = readReport(report);
    assert.equal(r.backup?.name, "velero-hourly-20261127070000");
    assert.deepEqual(r.passedOver, [
      {
        name: "velero-hourly-20261127075900",
        why: "not all on the replica yet (missing its tarball, resource list, pod volume backups list or volume info)",
      },
      { name: "velero-hourly-20261127073000", why: "PartiallyFailed, 2 errors" },
    ]);
    assert.match(
      fs.readFileSync(path.join(report, "report.md"), "utf8"),
      /Newer backups passed over:\n- `velero-hourly-20261127075900`: not all on the replica yet[^\n]*\n- `velero-hourly-20261127073000`: PartiallyFailed, 2 errors/,
    );
  });

  it("--cleanup on another machine writes the stack file back from the record, so destroy runs with the stack's config", async () => {
    const script = new Script();
    const { root, engine } = await drill(script, ["--keep"]);
    const file = path.join(root, `Pulumi.prod-${script.drillId}.yaml`);
    fs.rmSync(file);
    let seen = false;
    const original = engine.destroy.bind(engine);
    engine.destroy = (s, progress) => {
      seen = fs.existsSync(file);
      return original(s, progress);
    };
    const cleanup = await phoenix(["drill", "cleanup", script.drillId], root, engine, script.adapters());
    assert.equal(cleanup.status, 0, cleanup.stderr);
    assert.ok(seen, "the stack file was back when destroy ran");
    assert.ok(!fs.existsSync(file), "and gone after");
  });

  it("refuses an ephemeral stack left in the backend without a record", async () => {
    const script = new Script();
    const { run } = await drill(script, [], script.engine({ stacks: { platform: ["prod", "prod-drill-abc"] } }));
    assert.equal(run.status, 2);
    assert.match(run.stderr, /stack prod-drill-abc \(no record\)/);
  });

  it("refuses a storage stack without Phoenix's own kopia repository password", async () => {
    const script = new Script();
    const { run, report } = await drill(
      script,
      [],
      script.engine({
        outputs: {
          "storage/prod": { bucket: "p", region: "eu-west-1", replicaBucket: "r", replicaRegion: "eu-central-1" },
        },
      }),
    );
    assert.equal(run.status, 1);
    assert.match(
      readReport(report).failure?.message ?? "",
      /exports no replicaRepositoryPasswordSecretArn: .*velero #6443/,
    );
  });

  it("keeps the old spellings for one release, each announcing its replacement on stderr", async () => {
    const root = repositoryCopy();
    const list = await phoenix(["drill", "--list"], root);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /no drills recorded/);
    assert.match(list.stderr, /"drill --list" is deprecated and goes in the next release: use "phoenix drill list"/);
    const rehearse = await phoenix(
      ["drill", "--from", "prod", "--rehearse", "--json", "--report", path.join(root, "r")],
      root,
    );
    assert.equal(rehearse.status, 0, rehearse.stderr);
    assert.match(rehearse.stderr, /"drill --from STACK" is deprecated .* use "phoenix drill run --from STACK"/);
    assert.match(rehearse.stderr, /"drill run --json" is deprecated .* use "phoenix drill run -o json"/);
    assert.equal((JSON.parse(rehearse.stdout) as { kind: string }).kind, "rehearsal");
    const unknown = await phoenix(["drill", "--cleanup", "drill-none"], root);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /"drill --cleanup ID" is deprecated[\s\S]*no drill drill-none/);
    const help = await phoenix(["--help"], root);
    assert.doesNotMatch(help.stdout, /verify-restore/, "old spellings stay out of help");
  });

  it("refuses an option given to the noun before its verb, so --rehearse is never silently a real drill", async () => {
    const root = repositoryCopy();
    const run = await phoenix(["drill", "--rehearse", "run", "--from", "prod"], root);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--rehearse must follow the verb: phoenix drill run --rehearse/);
    const plan = await phoenix(
      ["plan", "--project", "stacks/backup-storage", "diff", "--stack", "prod", "--against", "x"],
      root,
    );
    assert.equal(plan.status, 2);
    assert.match(plan.stderr, /--project must follow the verb: phoenix plan diff --project/);
    const old = await phoenix(["verify-restore", "--backup", "b", "--kubeconfig", "/nope"], root);
    assert.match(old.stderr, /--kubeconfig \/nope: no such file/, "the old spelling keeps its default stack (prod)");
  });

  it("refuses -o formats a command does not print", async () => {
    const bad = await phoenix(["drill", "list", "-o", "yaml"], repositoryCopy());
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /argument 'yaml' is invalid\. Allowed choices are table, json/);
  });

  it("usage: one mode at a time, and --region with --from", async () => {
    const root = repositoryCopy();
    assert.equal((await phoenix(["drill"], root)).status, 2);
    assert.equal((await phoenix(["drill", "run", "--from", "prod", "--list"], root)).status, 2);
    const noReplica = repositoryCopy();
    const storageFile = path.join(noReplica, "stacks", "backup-storage", "Pulumi.prod.yaml");
    const doc = parseDocument(fs.readFileSync(storageFile, "utf8"));
    doc.deleteIn(["config", "phoenix-backup-storage:replication"]);
    fs.writeFileSync(storageFile, doc.toString());
    const noRegion = await phoenix(["drill", "run", "--from", "prod", "--rehearse"], noReplica);
    assert.equal(noRegion.status, 2, noRegion.stderr);
    assert.match(
      noRegion.stderr,
      /stacks\/backup-storage\/Pulumi.prod.yaml: phoenix-backup-storage:replication.region is not set, .* set it, or give --region/,
    );
    const same = await phoenix(["drill", "run", "--from", "prod", "--region", "eu-west-1", "--rehearse"], root);
    assert.equal(same.status, 2);
    assert.match(same.stderr, /eu-west-1/);
  });
});

describe("phoenix drill run --rehearse", () => {
  it("goes by default to the region of the source's backup replica", async () => {
    const root = repositoryCopy();
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--rehearse", "-o", "json", "--report", path.join(root, "r")],
      root,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as RecoveryReport).region, "eu-central-1");
  });

  it("needs no engine or AWS: derives, plans, and models every other phase, labelled modeled, with the critical path", async () => {
    const root = repositoryCopy();
    const { r, report } = await rehearseProd(root);
    assert.equal(r.kind, "rehearsal");
    assert.deepEqual(
      r.phases.map((p) => `${p.name}:${p.status}`),
      [
        "preflight:passed",
        "cluster:modeled",
        "gitops:modeled",
        "restore:modeled",
        "verify:modeled",
        "report:passed",
        "teardown:modeled",
      ],
    );
    assert.ok(
      r.phases.filter((p) => p.status === "modeled").every((p) => (p.basis ?? "").length > 20),
      "every modeled figure says where it comes from",
    );
    assert.equal(r.rto.modeled, true);
    // Prod backs up by the data mover: its one published rate, so no high end apart.
    assert.ok((r.rto.seconds ?? 0) > 40 * 60 && (r.rto.seconds ?? 0) < 50 * 60, String(r.rto.seconds));
    const restore = r.phases.find((p) => p.name === "restore");
    assert.equal(restore?.seconds, Math.round(60 + 500 / (865 / 90) + (10 * 1024 ** 3) / (148 * 1024 ** 2)));
    assert.equal(r.rto.atHighRate, r.rto.seconds, "one published data-mover rate: the high end is the same");
    assert.match(restore?.basis ?? "", /10 GiB by Velero's CSI data mover at 148 MiB\/s/);
    assert.match(
      r.phases.find((p) => p.name === "cluster")?.basis ?? "",
      /backup storage stack a recovery into another region deploys first/,
    );
    assert.equal(
      r.rpo.seconds,
      60 * 60 + Math.round(500 / (3186 / 38) + (10 * 1024 ** 3) / (190 * 1024 ** 2)) + 15 * 60,
      "prod's hourly schedule, its 10 GiB backup by the data mover, and 15 minutes of replication",
    );
    assert.ok((r.criticalPath ?? []).some((e) => e.key.startsWith("eks:index:Cluster::")));
    assert.match(fs.readFileSync(path.join(report, "report.html"), "utf8"), /<svg[^>]*aria-label="phase timeline"/);
    assert.ok(
      !fs.existsSync(path.join(root, ".phoenix", "drills")),
      "a rehearsal records no drill: it creates nothing",
    );
  });

  it("with file-system backups, models kopia's restore at its low rate and gives the high rate's figure beside it", async () => {
    const root = repositoryCopy();
    const stack = path.join(root, "Pulumi.prod.yaml");
    const text = fs.readFileSync(stack, "utf8");
    assert.match(text, /volumeBackup: data-mover/);
    fs.writeFileSync(stack, text.replace("volumeBackup: data-mover", "volumeBackup: file-system"));
    const { r } = await rehearseProd(root);
    assert.ok((r.rto.seconds ?? 0) > 60 * 60 && (r.rto.seconds ?? 0) < 90 * 60, String(r.rto.seconds));
    const restore = r.phases.find((p) => p.name === "restore");
    assert.equal(
      r.rto.atHighRate,
      (r.rto.seconds ?? 0) - ((restore?.seconds ?? 0) - Math.round(60 + 500 / (865 / 90) + (10 * 1024 ** 3) / 30e6)),
      "the same recovery at kopia's high rate",
    );
    assert.match(restore?.basis ?? "", /10 GiB by kopia file-system restore at 6 MB\/s/);
    assert.equal(r.rpo.seconds, 60 * 60 + 106 + 15 * 60, "kopia's backup of 10 GiB is slower than the data mover's");
  });
});

describe("phoenix recover", () => {
  it("rebuilds in place: storage then platform up, restores from the stack's own bucket, verifies, keeps everything", async () => {
    const script = new Script();
    const root = repositoryCopy();
    const engine = script.engine();
    const report = path.join(root, "rec");
    const run = await phoenix(
      ["recover", "--stack", "prod", "--yes", "--report", report],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.deepEqual(
      engine.calls.filter((c) => c.op === "up").map((c) => [c.stack, c.detail]),
      [
        ["storage/prod", { refresh: true }],
        ["platform/prod", { refresh: true }],
      ],
      "in place, the state is refreshed first: it still lists what was lost",
    );
    assert.ok(!engine.calls.some((c) => c.op === "destroy" || c.op === "removeStack"), "recover never tears down");
    const r = readReport(report);
    assert.equal(r.kind, "recover");
    assert.deepEqual(
      r.phases.map((p) => p.name),
      ["preflight", "cluster", "gitops", "restore", "verify", "report"],
    );
    assert.equal(r.backup?.location, "s3://primary (eu-west-1)");
  });

  it("asks for confirmation without --yes, and refuses without a terminal", async () => {
    const run = await phoenix(["recover", "--stack", "prod"], repositoryCopy());
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no terminal to confirm on: pass --yes/);
  });
});

describe("phoenix restore verify", () => {
  it("compares the backup with the cluster and runs the verify commands; exit 1 on a missing object", async () => {
    const root = repositoryCopy();
    const kubeconfig = path.join(root, "kc");
    fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
    const good = new Script();
    const ok = await phoenix(
      ["restore", "verify", "--stack", "prod", "--backup", "velero-hourly-20261127070000", "--kubeconfig", kubeconfig],
      root,
      good.engine(),
      good.adapters(),
    );
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(
      ok.stdout,
      /### Verification of velero-hourly-20261127070000 \(restore velero-hourly-20261127070000-r\): passed/,
    );
    assert.match(ok.stdout, /warning: payments-ledger: could not restore, LimitRange "defaults" already exists/);
    const bad = new Script({
      live: (objects) =>
        objects
          .filter((o) => o.name !== "ledger-config")
          .map((o) => ({
            apiVersion: o.apiVersion,
            kind: o.kind,
            namespace: o.namespace,
            name: o.name,
            object: o.object,
          })),
    });
    const failed = await phoenix(
      [
        "restore",
        "verify",
        "--stack",
        "prod",
        "--backup",
        "velero-hourly-20261127070000",
        "--kubeconfig",
        kubeconfig,
        "-o",
        "json",
      ],
      root,
      bad.engine(),
      bad.adapters(),
    );
    assert.equal(failed.status, 1);
    const v = JSON.parse(failed.stdout) as { comparison: { totals: { missing: number } } };
    assert.ok(v.comparison.totals.missing >= 1);
  });

  it("usage errors: a missing kubeconfig, --bucket without its region", async () => {
    const root = repositoryCopy();
    const old = await phoenix(["verify-restore", "--stack", "prod", "--backup", "b", "--kubeconfig", "/nope"], root);
    assert.equal(old.status, 2);
    assert.match(
      old.stderr,
      /"verify-restore" is deprecated .* use "phoenix restore verify"[\s\S]*--kubeconfig \/nope: no such file/,
    );
    const noStack = await phoenix(["restore", "verify", "--backup", "b", "--kubeconfig", "/nope"], root);
    assert.equal(noStack.status, 2, "no silent default stack for a command that reads a cluster");
    assert.match(noStack.stderr, /required option '-s, --stack <name>' not specified/);
    const a = await phoenix(["restore", "verify", "--stack", "prod", "--backup", "b", "--kubeconfig", "/nope"], root);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /--kubeconfig \/nope: no such file/);
    const b = await phoenix(
      ["restore", "verify", "--stack", "prod", "--backup", "b", "--kubeconfig", "/nope", "--bucket", "x"],
      root,
    );
    assert.equal(b.status, 2);
    assert.match(b.stderr, /--bucket and --bucket-region go together/);
  });
});

describe("phoenix recover into another region", () => {
  it("writes the replica's stack files (without replication to the lost region), deploys its storage then platform, restores from the replica", async () => {
    const script = new Script();
    const root = repositoryCopy();
    const engine = script.engine({
      outputs: { "platform/prod-euc1": { clusterName: "phoenix-prod-euc1", kubeconfig: "apiVersion: v1\n" } },
    });
    const run = await phoenix(
      [
        "recover",
        "--stack",
        "prod",
        "--region",
        "eu-central-1",
        "--as",
        "prod-euc1",
        "--yes",
        "--report",
        path.join(root, "r"),
      ],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.deepEqual(
      engine.calls.filter((c) => c.op === "up").map((c) => c.stack),
      ["storage/prod-euc1", "platform/prod-euc1"],
    );
    const storage = fs.readFileSync(path.join(root, "stacks", "backup-storage", "Pulumi.prod-euc1.yaml"), "utf8");
    assert.doesNotMatch(storage, /replication:/);
    assert.match(storage, /replication to eu-west-1 \(the lost region\) left out/);
    assert.match(
      fs.readFileSync(path.join(root, "Pulumi.prod-euc1.yaml"), "utf8"),
      /restoreFrom:\s+stack: phoenix-backup-storage\/prod/,
    );
    assert.equal(readReport(path.join(root, "r")).backup?.location, "s3://replica (eu-central-1)");
    assert.ok(!engine.calls.some((c) => c.op === "destroy"));
    // Run again (after a failure, say): it goes on from the files the first run wrote.
    fs.appendFileSync(path.join(root, "Pulumi.prod-euc1.yaml"), "# edited by the operator\n");
    const again = await phoenix(
      [
        "recover",
        "--stack",
        "prod",
        "--region",
        "eu-central-1",
        "--as",
        "prod-euc1",
        "--yes",
        "--report",
        path.join(root, "r2"),
      ],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(again.status, 0, again.stderr + again.stdout);
    assert.match(fs.readFileSync(path.join(root, "Pulumi.prod-euc1.yaml"), "utf8"), /# edited by the operator/);
  });
});
