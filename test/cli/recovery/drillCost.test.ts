/** What a drill costs: modeled in the rehearsal and before a drill, refused above --max-cost, measured after a real one. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { RecoveryReport } from "../../../cli/recovery/report";
import { phoenix, repositoryCopy } from "../phoenix";
import { Script } from "./scripted";

const report = (dir: string): RecoveryReport =>
  JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as RecoveryReport;

describe("the cost of a drill", () => {
  it("is modeled in the rehearsal, line by line, in the drill's region, and shown in the report", async () => {
    const root = repositoryCopy();
    const dir = path.join(root, "reh");
    const run = await phoenix(["drill", "run", "--from", "prod", "--rehearse", "--report", dir], root);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const cost = report(dir).cost;
    assert.ok(cost && "cost" in cost.modeled, JSON.stringify(cost));
    assert.equal(cost.modeled.cost.region, "eu-central-1");
    assert.ok(cost.modeled.cost.lines.some((l) => /EKS control plane/.test(l.what)));
    assert.ok(
      !cost.modeled.cost.lines.some((l) => /between regions/.test(l.what)),
      "the drill runs where the replica is",
    );
    assert.equal(cost.measured, undefined, "a rehearsal measures nothing");
    assert.match(fs.readFileSync(path.join(dir, "report.md"), "utf8"), /Cost, modeled: \*\*\$\d+\.\d\d\*\*/);
    assert.match(fs.readFileSync(path.join(dir, "report.html"), "utf8"), /<h2>Cost, modeled: \$\d+\.\d\d<\/h2>/);
  });

  it("refuses a drill modeled above --max-cost, before anything is created, and exits 2", async () => {
    const script = new Script();
    const root = repositoryCopy();
    const engine = script.engine();
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--max-cost", "0.01", "--report", path.join(root, "r")],
      root,
      engine,
      script.adapters(),
    );
    assert.equal(run.status, 2, run.stderr + run.stdout);
    assert.match(run.stderr, /--max-cost 0\.01: the drill's modeled cost is \$\d+\.\d\d/);
    assert.ok(!engine.calls.some((c) => c.op === "ensureStack" || c.op === "up"), "nothing was created");
  });

  it("refuses a --max-cost that is not a positive number of dollars", async () => {
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--rehearse", "--max-cost", "cheap"],
      repositoryCopy(),
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--max-cost cheap: must be a positive number of US dollars/);
  });

  it("after a real drill, is also given for the measured span, beside the modeled one", async () => {
    const script = new Script();
    const root = repositoryCopy();
    const dir = path.join(root, "r");
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--max-cost", "100", "--report", dir],
      root,
      script.engine(),
      script.adapters(),
    );
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const cost = report(dir).cost;
    assert.ok(cost && "cost" in cost.modeled && cost.measured && "cost" in cost.measured);
    // The scripted clock moves a second per reading: the measured drill is minutes, not the modeled hour.
    assert.ok(cost.measured.cost.usd < cost.modeled.cost.usd);
    assert.match(fs.readFileSync(path.join(dir, "report.md"), "utf8"), /Cost, for the measured time: \*\*\$/);
  });

  it("of a standby counts only what the drill adds to what stands by anyway", async () => {
    const root = repositoryCopy();
    const rep = await phoenix(
      ["replicate", "--from", "prod", "--region", "eu-central-1", "--stack", "euc1", "--strategy", "pilot-light"],
      root,
    );
    assert.equal(rep.status, 0, rep.stderr);
    const dir = path.join(root, "reh");
    const run = await phoenix(["drill", "run", "--standby", "euc1", "--rehearse", "--report", dir], root);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const cost = report(dir).cost;
    assert.ok(cost && "cost" in cost.modeled);
    assert.ok(
      cost.modeled.cost.lines.some((l) => /phoenix-euc1-system/.test(l.what)),
      "the scaled node group",
    );
    assert.deepEqual(
      cost.modeled.cost.lines.filter((l) => ["cluster-hours", "gateway-hours", "address-hours"].includes(l.unit)),
      [],
      "the control plane and NAT are paid anyway",
    );
    assert.ok(
      cost.modeled.cost.lines.some((l) => l.unit === "GiB" && /NAT/.test(l.what)),
      "but the restored data still goes through the standby's NAT gateways",
    );
    const md = fs.readFileSync(path.join(dir, "report.md"), "utf8");
    assert.match(md, /\| S3 GET[^|]*\| [\d.]+ requests \| \$0\.000000\d+ \|/, "a unit price without an exponent");
    assert.doesNotMatch(md, /\de-\d/);
  });
});
