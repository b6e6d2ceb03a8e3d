/**
 * `phoenix drift`: replicas derived by `phoenix replicate` compare clean against their
 * source, every difference named by its rule; real drift exits 1 and names its key;
 * --accept, --all and the usage errors.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { phoenix, repositoryCopy } from "../phoenix";

interface DriftJson {
  readonly from: string;
  readonly to: string;
  readonly differences: readonly {
    key: string;
    from: unknown;
    to: unknown;
    rule?: string;
    rules?: string[];
    accepted?: string;
    drift?: true;
  }[];
  readonly drift: number;
}

/** A repository copy with prod's replica `stack` in another region, as replicate writes it. */
async function replicaCopy(strategy = "backup-restore", stack = "euc1", region = "eu-central-1"): Promise<string> {
  const root = repositoryCopy();
  await replicate(root, strategy, stack, region);
  return root;
}

async function replicate(root: string, strategy: string, stack: string, region: string): Promise<void> {
  const run = await phoenix(
    ["replicate", "--from", "prod", "--region", region, "--stack", stack, "--strategy", strategy],
    root,
  );
  assert.equal(run.status, 0, run.stderr + run.stdout);
}

/** Edits a platform stack file's config at `at`. */
function edit(root: string, stack: string, change: (doc: ReturnType<typeof parseDocument>) => void): void {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  change(doc);
  fs.writeFileSync(file, doc.toString());
}

async function driftJson(root: string, extra: readonly string[] = []): Promise<{ status: number; doc: DriftJson }> {
  const run = await phoenix(["drift", "--from", "prod", "--to", "euc1", "-o", "json", ...extra], root);
  assert.ok(run.status === 0 || run.status === 1, run.stderr + run.stdout);
  return { status: run.status, doc: JSON.parse(run.stdout) as DriftJson };
}

const rulesOf = (doc: DriftJson): Set<string> => new Set(doc.differences.flatMap((d) => d.rules ?? []));

describe("phoenix drift", () => {
  it("finds a backup-restore replica clean: every difference explained by a named rule", async () => {
    const root = await replicaCopy();
    const { status, doc } = await driftJson(root);
    assert.equal(status, 0, JSON.stringify(doc.differences.filter((d) => d.drift)));
    assert.equal(doc.drift, 0);
    assert.ok(doc.differences.length > 0);
    assert.ok(doc.differences.every((d) => d.rule !== undefined && !d.drift));
    for (const rule of ["region", "names", "cidr", "restoreFrom", "gitopsPath"])
      assert.ok(rulesOf(doc).has(rule), rule);
    const vpc = doc.differences.find((d) => d.key === "resource/aws:ec2/vpc:Vpc::phoenix-prod-vpc/inputs.cidrBlock");
    assert.deepEqual([vpc?.from, vpc?.rule], ["10.20.0.0/16", "cidr"]);
    const region = doc.differences.find((d) => d.key === "stack/region");
    assert.deepEqual([region?.from, region?.to, region?.rule], ["eu-west-1", "eu-central-1", "region"]);
  });

  it("finds a pilot-light replica clean, its standby's differences explained by the standby rule", async () => {
    const root = await replicaCopy("pilot-light");
    const { status, doc } = await driftJson(root);
    assert.equal(status, 0, JSON.stringify(doc.differences.filter((d) => d.drift)));
    for (const rule of ["region", "names", "cidr", "restoreFrom", "standby"]) assert.ok(rulesOf(doc).has(rule), rule);
    const hourly = doc.differences.find((d) => d.key === "schedule/hourly");
    assert.deepEqual([hourly?.from, hourly?.to, hourly?.rule], ["present", "absent", "standby"]);
    const dns = doc.differences.find((d) => d.key === "helm/external-dns");
    assert.equal(dns?.rule, "standby");
    const table = await phoenix(["drift", "--from", "prod", "--to", "euc1"], root);
    assert.equal(table.status, 0, table.stderr);
    assert.doesNotMatch(table.stdout, /^KEY/m, "nothing but derived differences: no rows, only their count");
    const explained = await phoenix(["drift", "--from", "prod", "--to", "euc1", "--explained"], root);
    assert.match(explained.stdout, /^KEY\s+PROD\s+EUC1\s+VERDICT/);
    assert.match(explained.stdout, /^schedule\/hourly\s+present\s+absent\s+standby$/m);
    assert.match(
      table.stdout,
      /prod -> euc1: \d+ differences, \d+ explained by replicate's rules \(.*standby \d+.*\), 0 accepted, no drift\.\n$/,
    );
  });

  it("exits 1 on real drift, naming each key DRIFT; --accept makes it 0 and marks it accepted", async () => {
    const root = await replicaCopy();
    // The replica keeps its hourly backups for less; prod gains an imperative namespace the replica lacks.
    edit(root, "euc1", (doc) => doc.setIn(["config", "phoenix:backups", "schedules", 0, "ttl"], "48h0m0s"));
    edit(root, "prod", (doc) => {
      const list = doc.getIn(["config", "phoenix:namespaces", "imperative"]) as { add: (v: unknown) => void };
      list.add(doc.createNode({ name: "audit-archive", description: "Audit exports" }));
    });
    const { status, doc } = await driftJson(root);
    assert.equal(status, 1);
    const drift = doc.differences.filter((d) => d.drift).map((d) => d.key);
    for (const key of ["schedule/hourly/ttl", "namespace/audit-archive"]) assert.ok(drift.includes(key), key);
    const ttl = doc.differences.find((d) => d.key === "schedule/hourly/ttl");
    assert.deepEqual([ttl?.from, ttl?.to], ["72h0m0s", "48h0m0s"]);
    assert.equal(doc.drift, drift.length);
    const table = await phoenix(["drift", "--from", "prod", "--to", "euc1"], root);
    assert.equal(table.status, 1);
    assert.match(table.stdout, /^schedule\/hourly\/ttl\s+72h0m0s\s+48h0m0s\s+DRIFT$/m);
    assert.match(table.stdout, /\d+ DRIFT: bring euc1's stack file/);

    // One key as it is, a prefix for the Velero values that carry the same change.
    const keys = new Set(drift.map((k) => (k.startsWith("helm/velero/") ? "helm/velero/values.schedules" : k)));
    const accepts = [...keys].flatMap((k) => ["--accept", k]);
    const accepted = await driftJson(root, accepts);
    assert.equal(accepted.status, 0, JSON.stringify(accepted.doc.differences.filter((d) => d.drift)));
    assert.equal(accepted.doc.drift, 0);
    const row = accepted.doc.differences.find((d) => d.key === "schedule/hourly/ttl");
    assert.equal(row?.accepted, "schedule/hourly/ttl");
    const shown = await phoenix(["drift", "--from", "prod", "--to", "euc1", ...accepts], root);
    assert.match(shown.stdout, /^schedule\/hourly\/ttl\s+72h0m0s\s+48h0m0s\s+accepted$/m);
  });

  it("refuses an --accept that names no drift, naming it (exit 2)", async () => {
    const root = await replicaCopy();
    const run = await phoenix(["drift", "--from", "prod", "--to", "euc1", "--accept", "helm/nothing/version"], root);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--accept helm\/nothing\/version: names no drift between prod -> euc1/);
  });

  it("--all compares every replica with its source, and says so when there is none", async () => {
    const root = await replicaCopy();
    await replicate(root, "pilot-light", "use1", "us-east-1");
    const run = await phoenix(["drift", "--all", "-o", "json"], root);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const doc = JSON.parse(run.stdout) as { replicas: DriftJson[]; drift: number };
    assert.deepEqual(
      doc.replicas.map((r) => `${r.from}->${r.to}`),
      ["prod->euc1", "prod->use1"],
    );
    assert.equal(doc.drift, 0);
    const table = await phoenix(["drift", "--all"], root);
    assert.match(table.stdout, /2 replicas checked against their sources: no drift\.\n$/);

    const none = await phoenix(["drift", "--all"], repositoryCopy());
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /^No replicas/);
  });

  it("exits 2 on usage errors, each naming the fix", async () => {
    const root = repositoryCopy();
    const cases: [string[], RegExp][] = [
      [["drift", "--from", "prod", "--to", "prod"], /--from and --to are both prod/],
      [
        ["drift", "--from", "prod", "--to", "nope"],
        /--to nope: no such platform stack \(no Pulumi\.nope\.yaml.*Known stacks: prod/,
      ],
      [["drift", "--from", "prod"], /give --from <source> and --to <replica>/],
      [["drift", "--all", "--from", "prod"], /--all compares every replica/],
    ];
    for (const [argv, message] of cases) {
      const run = await phoenix(argv, root);
      assert.equal(run.status, 2, argv.join(" "));
      assert.match(run.stderr, message);
    }
  });

  it("--help describes it, with options and examples", async () => {
    const run = await phoenix(["drift", "--help"], repositoryCopy());
    assert.equal(run.status, 0);
    for (const text of [
      "--from <stack>",
      "--to <stack>",
      "--accept <key>",
      "--all",
      "-o, --output",
      "Examples:",
      "Exit status",
    ])
      assert.ok(run.stdout.includes(text), text);
  });
});
