/**
 * The offline plan, end to end: the golden prod plan, the CLI's handling of bad input,
 * and a second region added by nothing more than a stack file.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { charts } from "../../../components/catalog";
import type { PlanDocument } from "../../../cli/offline/plan";
import { ROOT } from "../../helpers";

const GOLDEN = path.join(ROOT, "test", "golden", "prod.plan.json");

/** Runs the plan CLI exactly as `npm run plan` does (asynchronously, so CLI tests can overlap). */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "stacks", "plan.ts"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A scratch project with this project's Pulumi.yaml and the given stack files. */
function scratchProject(stacks: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-plan-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [name, doc] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify(doc));
  return dir;
}

const prodDoc = (): { config: Record<string, unknown> } => parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };

describe("offline plan of the prod stack", () => {
  it("matches the reviewed golden plan (set UPDATE_GOLDEN=1 to accept a deliberate change)", async () => {
    const { planStack } = await import("../../../cli/commands/plan");
    const doc = JSON.parse(JSON.stringify(await planStack(ROOT, "prod"))) as PlanDocument;
    if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(GOLDEN, JSON.stringify(doc, null, 2) + "\n");
    const golden = JSON.parse(fs.readFileSync(GOLDEN, "utf8")) as PlanDocument;
    assert.deepEqual(doc, golden);

    // What the golden file must show, whatever else changes in it.
    assert.equal(doc.stack, "prod");
    assert.equal(doc.region, "eu-west-1");
    const pinned = (name: string, pin: { chart: string; version: string }, ns: string) => `${name} ${pin.chart}@${pin.version} ${ns}`;
    assert.deepEqual(
      doc.helmReleases.map((h) => `${h.name} ${h.chart}@${h.version} ${h.namespace}`).sort(),
      [
        pinned("argocd", charts.argocd, "argocd"),
        pinned("aws-load-balancer-controller", charts.awsLoadBalancerController, "aws-load-balancer-controller"),
        pinned("bootstrap", charts.argocdApps, "argocd"),
        pinned("cert-manager", charts.certManager, "cert-manager"),
        pinned("external-dns", charts.externalDns, "external-dns"),
        pinned("metrics-server", charts.metricsServer, "metrics-server"),
        pinned("velero", charts.velero, "velero"),
      ],
    );
    assert.ok(!doc.helmReleases.some((h) => h.chart === "ingress-nginx"), "ingress-nginx is retired");
    const imperative = doc.namespaces.filter((n) => n.class === "imperative").map((n) => n.name);
    assert.deepEqual(imperative, ["ml-models", "payments-ledger"]);
    assert.deepEqual(doc.namespaces.filter((n) => n.backedUp).map((n) => n.name), imperative);
    assert.ok(doc.backupSchedules.length > 0);
    for (const s of doc.backupSchedules) {
      assert.deepEqual(s.includedNamespaces, imperative, `${s.name} covers exactly the imperative namespaces`);
      assert.ok(!s.excludedNamespaces.some((n) => imperative.includes(n)));
    }
    for (const r of doc.resources) assert.ok(["cluster", "plugins", "apps"].includes(r.layer), `${r.type} ${r.name} belongs to a layer`);
    const text = JSON.stringify(doc);
    assert.ok(!/"(vpc|subnet|nat|igw|eipalloc|sg)-[0-9a-f]{8,}"/.test(text), "no invented AWS ids");
    assert.ok(!/[a-z]{2}-[a-z]+-\d[a-f]"/.test(text), "no invented availability zone names");
  });

  it("prints the component tree, the Helm releases and the namespace table", async () => {
    const r = await cli("--stack", "prod");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Layer 1: cluster \(\d+ resources\)\n {2}phoenix:cluster:Cluster {2}phoenix-prod\n {4}aws:ec2\/eip:Eip/);
    assert.match(r.stdout, /Layer 2: core plugins/);
    assert.match(r.stdout, /Layer 3: apps/);
    assert.match(r.stdout, /velero\s+velero\s+12\.1\.0\s+https:\/\/vmware-tanzu\.github\.io\/helm-charts\s+velero/);
    assert.match(r.stdout, /payments-ledger\s+imperative\s+yes/);
    assert.match(r.stdout, /storefront\s+gitops\s+no/);
  });
});

// Each test spawns the CLI; they are independent, so they run side by side.
describe("plan CLI input handling", { concurrency: true }, () => {
  it("exits 1 on a bad stack file with the file, the key and the fix, and writes no plan", async () => {
    const doc = prodDoc();
    doc.config["phoenix:network"] = { cidr: "10.20.0.0/16", natGateways: "three" };
    const dir = scratchProject({ bad: doc });
    const out = path.join(dir, "plan.json");
    const r = await cli("--stack", "bad", "--project", dir, "--json", out);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Pulumi\.bad\.yaml: invalid stack configuration \(1 problem\):\n {2}- phoenix:network\.natGateways: .*"perAz"\|"single"/);
    assert.match(r.stderr, /No plan written\./);
    assert.equal(r.stdout, "");
    assert.equal(fs.existsSync(out), false);
  });

  it("exits 1 on an inventory conflict and names both claims", async () => {
    const doc = prodDoc();
    doc.config["phoenix:namespaces"] = { imperative: [{ name: "storefront" }] };
    const dir = scratchProject({ clash: doc });
    const r = await cli("--stack", "clash", "--project", dir, "--json", path.join(dir, "p.json"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Pulumi\.clash\.yaml: the namespace inventory is inconsistent/);
    assert.match(r.stderr, /gitops by application:storefront \(phoenix:gitops\.applications\[0\]\.namespace\); imperative by inventory \(phoenix:namespaces\.imperative\[0\]\)/);
    assert.equal(fs.existsSync(path.join(dir, "p.json")), false);
  });

  it("exits 1 on an unknown stack, listing the stacks there are", async () => {
    const r = await cli("--stack", "nope");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Pulumi\.nope\.yaml: no such stack file.*Known stacks: prod/);
  });

  it("exits 1 on a stack file that is not YAML", async () => {
    const dir = scratchProject({});
    fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config:\n  aws:region: [unclosed\n");
    const r = await cli("--stack", "broken", "--project", dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Pulumi\.broken\.yaml: not valid YAML/);
  });

  it("exits 2 with usage when --stack is missing", async () => {
    const r = await cli();
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--stack is required\nusage: npm run plan -- --stack <name>/);
  });
});

describe("a second region", () => {
  it("is one more stack file: the plan follows its region and nothing of the first region leaks in", async () => {
    const doc = prodDoc();
    doc.config["aws:region"] = "us-east-2";
    doc.config["phoenix:cluster"] = { ...(doc.config["phoenix:cluster"] as object), name: "phoenix-dr" };
    doc.config["phoenix:network"] = { cidr: "10.30.0.0/16", natGateways: "single" };
    const dir = scratchProject({ dr: doc });
    const out = path.join(dir, "dr.plan.json");
    const r = await cli("--stack", "dr", "--project", dir, "--json", out);
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(fs.readFileSync(out, "utf8")) as PlanDocument;
    assert.equal(plan.stack, "dr");
    assert.equal(plan.region, "us-east-2");
    const text = JSON.stringify(plan);
    assert.ok(!text.includes("eu-west-1"), "no trace of the primary region");
    assert.ok(text.includes("availability zone 1 of us-east-2"));
    assert.ok(text.includes('"path":"clusters/us-east-2"'), "the region's own GitOps path");
    assert.equal(plan.resources.filter((x) => x.type === "aws:ec2/natGateway:NatGateway").length, 1);
  });
});
