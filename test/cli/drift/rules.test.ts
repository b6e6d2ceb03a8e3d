/** The derivation rules of `phoenix drift`, one by one: pure functions, plain cases. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cidr,
  configSteps,
  gitopsPath,
  names,
  region,
  restoreFrom,
  standby,
  substitute,
  type StackPair,
} from "../../../cli/drift/rules";
import { acceptMatches, diffPlans, flatten, judge, type Flat, type Leaf } from "../../../cli/drift/compare";

const pair: StackPair = {
  from: {
    project: "phoenix",
    stack: "prod",
    region: "eu-west-1",
    cluster: "phoenix-prod",
    cidr: "10.20.0.0/16",
    gitopsPath: "clusters/eu-west-1",
  },
  to: {
    project: "phoenix",
    stack: "euc1",
    region: "eu-central-1",
    cluster: "phoenix-euc1",
    cidr: "10.0.0.0/16",
    gitopsPath: "clusters/eu-central-1",
  },
};

describe("drift rules", () => {
  it("region: maps the replica's region to the source's in ARNs and AZ names, not inside a longer region", () => {
    assert.equal(
      region("arn:aws:kms:eu-central-1:111122223333:key/x", pair),
      "arn:aws:kms:eu-west-1:111122223333:key/x",
    );
    assert.equal(region("eu-central-1a,eu-central-1b", pair), "eu-west-1a,eu-west-1b");
    assert.equal(region("eu-central-10", pair), "eu-central-10");
    assert.equal(region("xeu-central-1", pair), "xeu-central-1");
  });

  it("names: maps the cluster and stack names as whole words only", () => {
    assert.equal(names("phoenix-euc1-nat-0", pair), "phoenix-prod-nat-0");
    assert.equal(names("phoenix-backup-storage/euc1", pair), "phoenix-backup-storage/prod");
    assert.equal(names("euc12 and aeuc1", pair), "euc12 and aeuc1");
    const eu: StackPair = { ...pair, to: { ...pair.to, stack: "eu", cluster: "phoenix-eu" } };
    assert.equal(names("eu-central-1 of eu", eu), "eu-central-1 of prod", "a region's first word is not the stack");
  });

  it("cidr: maps addresses inside the replica's VPC block to the same offset in the source's, and no others", () => {
    assert.equal(cidr("10.0.64.0/18", pair), "10.20.64.0/18");
    assert.equal(cidr("10.0.0.2", pair), "10.20.0.2");
    assert.equal(cidr("203.0.113.10/32", pair), "203.0.113.10/32");
    assert.equal(cidr("10.1.0.0/16", pair), "10.1.0.0/16");
    const other: StackPair = { ...pair, to: { ...pair.to, cidr: "10.0.0.0/20" } };
    assert.equal(cidr("10.0.0.0/20", other), "10.0.0.0/20", "blocks of other sizes are not mapped");
  });

  it("gitopsPath: maps the replica's path (and what is under it) to the source's, as a whole path", () => {
    assert.equal(gitopsPath("clusters/eu-central-1", pair), "clusters/eu-west-1");
    assert.equal(gitopsPath("clusters/eu-central-1/apps", pair), "clusters/eu-west-1/apps");
    assert.equal(gitopsPath("old/clusters/eu-central-1", pair), "old/clusters/eu-central-1");
    assert.deepEqual(substitute("clusters/eu-central-1", pair).rules, ["gitopsPath"]);
  });

  it("substitute: names every rule that changed the value", () => {
    const s = substitute("arn:aws:eks:eu-central-1:111122223333:cluster/phoenix-euc1", pair);
    assert.equal(s.text, "arn:aws:eks:eu-west-1:111122223333:cluster/phoenix-prod");
    assert.deepEqual(s.rules, ["names", "region"]);
  });

  it("restoreFrom and standby: undo what replicate added to the flat config, in that dependency order", () => {
    const config = {
      "aws:region": "eu-central-1",
      "phoenix:backups": JSON.stringify({ schedules: [], restoreFrom: { stack: "phoenix-backup-storage/prod" } }),
      "phoenix:standby": JSON.stringify({ strategy: "pilot-light" }),
    };
    assert.deepEqual(JSON.parse(restoreFrom(config, "phoenix")["phoenix:backups"]), { schedules: [] });
    assert.equal("phoenix:standby" in standby(config, "phoenix"), false);
    assert.equal(standby({ "aws:region": "x" }, "phoenix")["aws:region"], "x");
    assert.deepEqual(
      configSteps(config, "phoenix").map((s) => s.rule),
      ["standby", "restoreFrom"],
    );
    assert.deepEqual(configSteps({ "aws:region": "eu-west-1" }, "phoenix"), []);
  });
});

describe("drift comparison", () => {
  const flat = (entities: Record<string, Record<string, Leaf>>): Flat =>
    new Map(Object.entries(entities).map(([e, leaves]) => [e, new Map(Object.entries(leaves))]));

  it("flattens objects by key, named lists by name, and lists of scalars as one leaf", () => {
    const out = new Map<string, Leaf>();
    flatten({ a: { b: 1 }, groups: [{ name: "x", n: 2 }], list: ["p", "q"], "k.io/x": true }, "e", out);
    assert.deepEqual(Object.fromEntries(out), {
      "e.a.b": 1,
      'e.groups["x"].n': 2,
      'e.groups["x"].name': "x",
      "e.list": '["p","q"]',
      'e["k.io/x"]': true,
    });
  });

  it("explains by substitution, reports one row for a whole missing entity, and calls the rest drift", () => {
    const a = flat({
      "helm/velero": { "helm/velero/version": "11.0.0", "helm/velero/values.region": "eu-west-1" },
      "namespace/x": {},
    });
    const b = flat({ "helm/velero": { "helm/velero/version": "11.1.0", "helm/velero/values.region": "eu-central-1" } });
    const d = diffPlans(a, b, pair);
    assert.deepEqual(
      d.map((x) => [x.key, x.rules ?? "DRIFT"]),
      [
        ["helm/velero/values.region", ["region"]],
        ["helm/velero/version", "DRIFT"],
        ["namespace/x", "DRIFT"],
      ],
    );
    const judged = judge(d, ["namespace/"]);
    assert.equal(judged.find((v) => v.key === "namespace/x")?.accepted, "namespace/");
    assert.equal(judged.find((v) => v.key === "helm/velero/version")?.drift, true);
  });

  it("accepts a key, or a prefix ending at a boundary", () => {
    assert.ok(acceptMatches("helm/velero/version", "helm/velero/version"));
    assert.ok(acceptMatches("helm/velero", "helm/velero/version"));
    assert.ok(acceptMatches("helm/velero/values.", "helm/velero/values.a"));
    assert.ok(!acceptMatches("helm/vel", "helm/velero/version"));
  });
});
