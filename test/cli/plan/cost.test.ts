/** The plan's cost section: prod's month, the two strategies beside it, a standby's own month, and a region without prices. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlanDocument } from "../../../cli/plan/plan";
import { HOURS_PER_MONTH } from "../../../cli/cost/model";
import { PRICES } from "../../../cli/cost/prices";
import { phoenix, repositoryCopy } from "../phoenix";

async function plan(root: string, stack: string): Promise<{ doc: PlanDocument; text: string }> {
  const json = await phoenix(["plan", "--stack", stack, "-o", "json"], root);
  assert.equal(json.status, 0, json.stderr);
  const text = await phoenix(["plan", "--stack", stack], root);
  assert.equal(text.status, 0, text.stderr);
  return { doc: JSON.parse(json.stdout) as PlanDocument, text: text.stdout };
}

describe("the plan's cost", () => {
  it("gives prod's month and, in its DR region, a pilot light's month beside backup-restore's", async () => {
    const { doc, text } = await plan(repositoryCopy(), "prod");
    const cost = doc.cost;
    assert.ok(cost && "cost" in cost.monthly, JSON.stringify(cost));
    const nodes = cost.monthly.cost.lines.find((l) => /^phoenix-prod-system: 3 x m7i\.large/.test(l.what));
    assert.equal(nodes?.quantity, 3 * HOURS_PER_MONTH, "Pulumi.prod.yaml: desiredSize 3, m7i.large first");
    assert.equal(nodes?.unitUsd, PRICES["eu-west-1"].ec2Hour["m7i.large"].usd);
    assert.equal(cost.monthly.cost.lines.filter((l) => /^NAT gateway$/.test(l.what))[0]?.quantity, 3 * HOURS_PER_MONTH);
    assert.equal(cost.standby?.region, "eu-central-1", "prod's DR replica's region");
    assert.deepEqual(
      cost.standby.systemNodes,
      { count: 3, instanceType: "t3.large" },
      "prod's Argo CD is highly available",
    );
    const pilot = cost.standby.pilotLight;
    assert.ok("cost" in pilot);
    const system = pilot.cost.lines.find((l) => /-standby: 3 x t3\.large/.test(l.what));
    assert.equal(system?.unitUsd, PRICES["eu-central-1"].ec2Hour["t3.large"].usd);
    assert.ok(!pilot.cost.lines.some((l) => /m7i/.test(l.what)), "prod's node groups at zero");
    const restore = cost.standby.backupRestore;
    assert.ok("cost" in restore && restore.cost.usd > 0 && restore.cost.usd < pilot.cost.usd);
    assert.match(restore.cost.notes[0], /one drill a month, modeled at \d+ min/);
    assert.ok(cost.standby.drillSeconds > 0);
    // The text: the section, prod's total to the cent, both strategies.
    assert.match(
      text,
      /^Cost \(modeled, USD per month; prices pinned in cli\/cost\/prices\.ts, read \d{4}-\d{2}-\d{2}/m,
    );
    assert.ok(text.includes(`  prod in eu-west-1: $${cost.monthly.cost.usd.toFixed(2)}\n`));
    assert.match(text, /^ {4}pilot light {5}\$\d+\.\d\d {2}control plane, NAT, 3 x t3\.large system nodes/m);
    assert.match(text, /^ {4}backup-restore {2}\$\d+\.\d\d {4}nothing; one \d+-min drill a month/m);
  });

  it("prices a standby as it stands by: its system nodes, no traffic, no strategies section", async () => {
    const root = repositoryCopy();
    const run = await phoenix(
      ["replicate", "--from", "prod", "--region", "eu-central-1", "--stack", "euc1", "--strategy", "pilot-light"],
      root,
    );
    assert.equal(run.status, 0, run.stderr);
    const { doc, text } = await plan(root, "euc1");
    assert.ok(doc.cost && "cost" in doc.cost.monthly);
    assert.equal(doc.cost.standby, undefined);
    assert.equal(doc.cost.standingBy, true);
    assert.deepEqual(
      doc.cost.monthly.cost.lines.filter((l) => /instance/.test(l.unit)).map((l) => l.what),
      ["phoenix-euc1-standby-system: 3 x t3.large"],
    );
    assert.ok(!doc.cost.monthly.cost.lines.some((l) => /LCU/.test(l.what)), "a standby serves no traffic");
    assert.match(text, /euc1 in eu-central-1, a pilot-light standby standing by: \$\d+\.\d\d/);
  });

  it("never fails a plan for want of a price: the cost says what to add", async () => {
    const root = repositoryCopy();
    const run = await phoenix(["replicate", "--from", "prod", "--region", "ap-south-1", "--stack", "aps1"], root);
    assert.equal(run.status, 0, run.stderr);
    const { doc, text } = await plan(root, "aps1");
    const missing = "no price for region ap-south-1 in cli/cost/prices.ts: add it (with its source) to model this cost";
    assert.deepEqual(doc.cost?.monthly, { unknown: missing });
    assert.match(
      text,
      /aps1 in ap-south-1: unknown\n {4}unknown: no price for region ap-south-1 in cli\/cost\/prices\.ts/,
    );
  });
});
