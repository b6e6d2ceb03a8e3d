/**
 * A pilot-light standby end to end through the command, with a scripted engine, bucket
 * and cluster: `replicate --strategy pilot-light` writes it, the offline plan runs it at
 * its system nodes, `recover` promotes it (one key, one `pulumi up`, no new cluster) and
 * restores from the primary's replica, and the rehearsal models both strategies.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { PlanDocument } from "../../../cli/plan/plan";
import type { RecoveryReport } from "../../../cli/recovery/report";
import { promotedText } from "../../../cli/recovery/standby";
import { phoenix, repositoryCopy } from "../phoenix";
import { Script } from "./scripted";

/** A repository copy with a pilot-light standby `use1` of prod, written by the command. */
async function withStandby(): Promise<string> {
  const root = repositoryCopy();
  const run = await phoenix(
    ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--strategy", "pilot-light"],
    root,
  );
  assert.equal(run.status, 0, run.stderr + run.stdout);
  return root;
}

async function planOf(root: string, stack: string): Promise<PlanDocument> {
  const run = await phoenix(["plan", "--stack", stack, "-o", "json"], root);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as PlanDocument;
}

const nodeGroups = (plan: PlanDocument) =>
  plan.resources
    .filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")
    .map((r) => `${r.name} ${JSON.stringify(r.inputs.scalingConfig)}`)
    .sort();

describe("replicate --strategy pilot-light", () => {
  it("writes a standby of prod: three system nodes (prod's Argo CD is highly available), not promoted, restoring from prod's storage", async () => {
    const root = await withStandby();
    const text = fs.readFileSync(path.join(root, "Pulumi.use1.yaml"), "utf8");
    assert.match(
      text,
      /phoenix:standby:\n\s+# derived: --strategy pilot-light[^\n]*\n(\s+#[^\n]*\n)+\s+strategy: pilot-light\n\s+systemNodes:\n\s+count: 3\n\s+instanceType: t3\.large\n\s+promoted: false/,
    );
    assert.match(text, /restoreFrom:\s+stack: phoenix-backup-storage\/prod/);
  });

  it("plans it standing by: prod's node groups at zero, its system nodes up, no external-dns, no schedules, plugins waiting on the system nodes only", async () => {
    const root = await withStandby();
    const plan = await planOf(root, "use1");
    assert.deepEqual(nodeGroups(plan), [
      'phoenix-use1-standby-system {"desiredSize":3,"maxSize":3,"minSize":3}',
      'phoenix-use1-system {"desiredSize":0,"maxSize":9,"minSize":0}',
    ]);
    assert.ok(!plan.helmReleases.some((h) => JSON.stringify(h).includes("external-dns")), "DNS stays prod's");
    assert.deepEqual(plan.backupSchedules, [], "no backups of its own while standing by");
    const velero = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "velero");
    assert.ok(velero, "Velero is up, reading prod's replica");
    const waits = velero.dependencies.filter((d) => d.startsWith("aws:eks/nodeGroup:NodeGroup::"));
    assert.deepEqual(waits, ["aws:eks/nodeGroup:NodeGroup::phoenix-use1-standby-system"]);
  });

  it("plans it promoted: prod's node groups at their sizes, external-dns and the schedules back", async () => {
    const root = await withStandby();
    const file = path.join(root, "Pulumi.use1.yaml");
    fs.writeFileSync(file, promotedText(fs.readFileSync(file, "utf8"), "phoenix", "the test"));
    const plan = await planOf(root, "use1");
    assert.deepEqual(nodeGroups(plan), [
      'phoenix-use1-standby-system {"desiredSize":3,"maxSize":3,"minSize":3}',
      'phoenix-use1-system {"desiredSize":3,"maxSize":9,"minSize":3}',
    ]);
    assert.ok(plan.helmReleases.some((h) => JSON.stringify(h).includes("external-dns")));
    assert.deepEqual(
      plan.backupSchedules.map((s) => s.name),
      (await planOf(root, "prod")).backupSchedules.map((s) => s.name),
    );
  });
});

describe("promotedText", () => {
  it("changes one line, saying by what, and keeps every other byte", () => {
    const text =
      "config:\n  # the standby\n  phoenix:standby:\n    strategy: pilot-light # kept\n    promoted: false\n  phoenix:tags: {}\n";
    const out = promotedText(text, "phoenix", "phoenix recover (recover-x)");
    const changed = out.split("\n").filter((l, i) => l !== text.split("\n")[i]);
    assert.deepEqual(changed, [
      "    promoted: true # promoted by phoenix recover (recover-x): commit this file, the stack now does the primary's work",
    ]);
  });

  it("refuses a stack that is not a standby", () => {
    assert.throws(() => promotedText("config:\n  aws:region: us-east-1\n", "phoenix", "x"), /not a standby/);
  });
});

describe("phoenix recover of a pilot-light standby", () => {
  it("promotes it in place (its storage, then one platform up, no refresh, no new stack) and restores from prod's replica", async () => {
    const root = await withStandby();
    const script = new Script();
    const engine = script.engine({
      outputs: { "platform/use1": { clusterName: "phoenix-use1", kubeconfig: "apiVersion: v1\n" } },
    });
    const report = path.join(root, "rec");
    const run = await phoenix(
      ["recover", "--stack", "use1", "--yes", "--report", report],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.deepEqual(
      engine.calls.filter((c) => c.op === "up" || c.op === "ensureStack").map((c) => `${c.op} ${c.stack}`),
      ["ensureStack storage/use1", "up storage/use1", "ensureStack platform/use1", "up platform/use1"],
    );
    assert.ok(
      engine.calls
        .filter((c) => c.op === "ensureStack")
        .every((c) => JSON.stringify(c.detail).includes('"create":false')),
      "a standby exists: nothing is created",
    );
    assert.match(
      fs.readFileSync(path.join(root, "Pulumi.use1.yaml"), "utf8"),
      /promoted: true # promoted by phoenix recover/,
    );
    const r = JSON.parse(fs.readFileSync(path.join(report, "report.json"), "utf8")) as RecoveryReport;
    assert.deepEqual(
      r.phases.map((p) => `${p.name}:${p.status}`),
      ["preflight:passed", "cluster:passed", "gitops:passed", "restore:passed", "verify:passed", "report:passed"],
    );
    assert.equal(r.backup?.location, "s3://replica (eu-central-1)", "the primary's DR replica, read-only");
    assert.match(r.phases[1].detail ?? "", /use1 promoted: .*; commit Pulumi\.use1\.yaml/);
  });

  it("refuses to recover a standby into another region", async () => {
    const root = await withStandby();
    const run = await phoenix(
      ["recover", "--stack", "use1", "--region", "us-west-2", "--yes"],
      root,
      new Script().engine(),
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /use1 is a pilot-light standby in us-east-1: it recovers in place/);
  });
});

describe("the rehearsal models both strategies", () => {
  it("gives backup-restore and pilot-light RTOs at both published restore rates, the pilot light well under", async () => {
    const root = repositoryCopy();
    const report = path.join(root, "reh");
    const run = await phoenix(["drill", "run", "--from", "prod", "--rehearse", "--report", report], root);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const r = JSON.parse(fs.readFileSync(path.join(report, "report.json"), "utf8")) as RecoveryReport;
    const [br, pl] = r.strategies ?? [];
    assert.equal(br.strategy, "backup-restore");
    assert.equal(br.seconds, r.rto.seconds, "backup-restore is the drill's own model");
    assert.equal(pl.strategy, "pilot-light");
    assert.ok(pl.seconds < br.seconds && pl.atHighRate < br.atHighRate);
    assert.match(
      pl.basis,
      /promotion: `pulumi up` of the resources the promoted plan changes \(node groups from zero, DNS and backups on\): \d+ resources/,
    );
    assert.match(
      fs.readFileSync(path.join(report, "report.md"), "utf8"),
      /\| pilot-light \| \d+m \d+s \| \d+m \d+s \| 90 min/,
    );
  });
});

describe("phoenix drill run --standby", () => {
  const drillStandby = async (script: Script, root: string, extra: string[] = []) => {
    const engine = script.engine({
      outputs: { "platform/use1": { clusterName: "phoenix-use1", kubeconfig: "apiVersion: v1\n" } },
    });
    const report = path.join(root, `report-${extra.join("")}`);
    const run = await phoenix(
      ["drill", "run", "--standby", "use1", "--report", report, ...extra],
      root,
      engine,
      script.adapters(),
    );
    return { run, engine, report };
  };

  it("scales the standby, restores from prod's replica, verifies, then deletes what the restore made and puts the file back byte for byte", async () => {
    const root = await withStandby();
    const file = path.join(root, "Pulumi.use1.yaml");
    const before = fs.readFileSync(file, "utf8");
    const script = new Script();
    const { run, engine, report } = await drillStandby(script, root);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const r = JSON.parse(fs.readFileSync(path.join(report, "report.json"), "utf8")) as RecoveryReport;
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
    assert.equal(r.backup?.location, "s3://replica (eu-central-1)");
    assert.deepEqual(
      engine.calls
        .map((c) => `${c.op} ${c.stack}`)
        .filter((c) => !c.startsWith("outputs") && !c.startsWith("secretOutput")),
      ["up platform/use1", "up platform/use1"],
      "scaled, then put back: nothing created, destroyed or removed",
    );
    const deleted = script.calls.find((c) => c.startsWith("deleteRestored "));
    assert.match(
      deleted ?? "",
      new RegExp(`^deleteRestored ml-models,payments-ledger velero-hourly-\\d+-${script.drillId} \\(\\d+ types\\)$`),
    );
    assert.equal(fs.readFileSync(file, "utf8"), before, "the standby is left as it was found");
    const rec = JSON.parse(
      fs.readFileSync(path.join(root, ".phoenix", "drills", `${script.drillId}.json`), "utf8"),
    ) as {
      status: string;
    };
    assert.equal(rec.status, "passed");
    const next = await drillStandby(new Script(), root);
    assert.equal(next.run.status, 0, next.run.stderr);
    const again = await phoenix(["drill", "list", "-o", "json"], root);
    assert.doesNotMatch(again.stdout, /"leftover": true/, "a drill that put the standby back left nothing");
  });

  it("puts the standby back after a failed restore too, and exits 1", async () => {
    const root = await withStandby();
    const file = path.join(root, "Pulumi.use1.yaml");
    const before = fs.readFileSync(file, "utf8");
    const script = new Script({ fail: "cluster.waitRestore" });
    const { run, engine } = await drillStandby(script, root);
    assert.equal(run.status, 1, run.stderr + run.stdout);
    assert.equal(engine.calls.filter((c) => c.op === "up").length, 2);
    assert.equal(fs.readFileSync(file, "utf8"), before);
  });

  it("with --keep leaves it scaled, marked in its file, until drill cleanup puts it back", async () => {
    const root = await withStandby();
    const file = path.join(root, "Pulumi.use1.yaml");
    const before = fs.readFileSync(file, "utf8");
    const script = new Script();
    const { run } = await drillStandby(script, root, ["--keep"]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(
      fs.readFileSync(file, "utf8"),
      new RegExp(`drill: ${script.drillId} # phoenix drill ${script.drillId} scaled`),
    );
    const again = await drillStandby(new Script(), root);
    assert.equal(again.run.status, 2, "a second drill waits for the first to be put back");
    assert.match(again.run.stderr, new RegExp(`finish it first with phoenix drill cleanup ${script.drillId}`));
    const cleanup = await phoenix(["drill", "cleanup", script.drillId], root, script.engine(), script.adapters());
    assert.equal(cleanup.status, 0, cleanup.stderr + cleanup.stdout);
    assert.equal(fs.readFileSync(file, "utf8"), before);
  });

  it("rehearses offline: the drill's scaling timed from the plan, no strategies table (it is one already)", async () => {
    const root = await withStandby();
    const report = path.join(root, "reh");
    const run = await phoenix(["drill", "run", "--standby", "use1", "--rehearse", "--report", report], root);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const r = JSON.parse(fs.readFileSync(path.join(report, "report.json"), "utf8")) as RecoveryReport;
    assert.equal(r.kind, "rehearsal");
    assert.equal(r.source, "use1");
    const cluster = r.phases.find((p) => p.name === "cluster");
    assert.equal(cluster?.status, "modeled");
    assert.ok((cluster?.seconds ?? 0) > 0 && (cluster?.seconds ?? 0) < 900, "scaling, not building a cluster");
    assert.match(
      fs.readFileSync(path.join(report, "report.md"), "utf8"),
      /the drill's scaling: `pulumi up` of the node groups from zero \(DNS and backups stay off\)/,
    );
    assert.equal(r.strategies, undefined);
    assert.ok(!fs.existsSync(path.join(root, ".phoenix", "drills")), "a rehearsal records nothing");
  });

  it("refuses a stack that is not a standby, and --from with --standby", async () => {
    const root = await withStandby();
    const notStandby = await phoenix(["drill", "run", "--standby", "prod"], root, new Script().engine());
    assert.equal(notStandby.status, 2);
    assert.match(
      notStandby.stderr,
      /prod is not a pilot-light standby \(no phoenix:standby\): drill it with --from prod/,
    );
    const both = await phoenix(["drill", "run", "--standby", "use1", "--from", "prod"], root);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give one of --from <stack>/);
  });
});
