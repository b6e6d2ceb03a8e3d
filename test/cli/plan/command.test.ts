/**
 * `phoenix plan`, end to end: the golden plans of both prod stacks (backup storage and
 * platform), the command's handling of bad input (exit 2, nothing written), how a
 * platform stack's backup storage reference is checked, and a second region added by
 * nothing more than its stack files.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { charts } from "../../../components/catalog";
import { plugins, type PluginId } from "../../../components/plugins/registry";
import { parseStackConfig } from "../../../cli/stacks/config";
import type { PlanDocument } from "../../../cli/plan/plan";
import { Planner } from "../../../cli/plan/planner";
import { projects } from "../../../cli/stacks/projects";
import { listStacks, loadStack } from "../../../cli/stacks/stackFile";
import { REPLICATED_STORAGE_OUTPUTS, ROOT } from "../../helpers";
import { phoenix } from "../phoenix";

const GOLDEN_DIR = path.join(ROOT, "test", "golden");
const STORAGE_DIR = path.join("stacks", "backup-storage");
/** Golden plan files, by project kind. */
const GOLDEN = {
  platform: path.join(GOLDEN_DIR, "prod.plan.json"),
  storage: path.join(GOLDEN_DIR, "phoenix-backup-storage.prod.plan.json"),
} as const;

/** Runs `phoenix plan` as a process, from its sources (asynchronously, so CLI tests can overlap). */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "cli", "run.ts"), "plan", ...args], {
      cwd: ROOT,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

type StackDoc = { config: Record<string, unknown> };

/** A scratch repository: this repository's two project files and the given stack files of each project. */
function scratchRepository(platform: Record<string, StackDoc>, storage: Record<string, StackDoc> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-plan-"));
  fs.mkdirSync(path.join(dir, STORAGE_DIR), { recursive: true });
  for (const project of [".", STORAGE_DIR])
    fs.copyFileSync(path.join(ROOT, project, "Pulumi.yaml"), path.join(dir, project, "Pulumi.yaml"));
  for (const [name, doc] of Object.entries(platform))
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify(doc));
  for (const [name, doc] of Object.entries(storage))
    fs.writeFileSync(path.join(dir, STORAGE_DIR, `Pulumi.${name}.yaml`), stringify(doc));
  return dir;
}

const readDoc = (file: string): StackDoc => parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as StackDoc;
const prodDoc = (): StackDoc => readDoc("Pulumi.prod.yaml");
const prodStorageDoc = (): StackDoc => readDoc(path.join(STORAGE_DIR, "Pulumi.prod.yaml"));

/** The plan, as its JSON file holds it. */
async function plan(kind: "platform" | "storage", stack: string): Promise<PlanDocument> {
  return JSON.parse(JSON.stringify(await new Planner(ROOT).plan(projects(ROOT)[kind], { stack }))) as PlanDocument;
}

/** Compares with the golden file, or rewrites it with UPDATE_GOLDEN=1. */
function matchesGolden(doc: PlanDocument, file: string): void {
  if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
  assert.deepEqual(doc, JSON.parse(fs.readFileSync(file, "utf8")) as PlanDocument);
}

type VeleroValues = {
  configuration: {
    backupStorageLocation: { name: string; bucket: string; accessMode?: string; config: { region: string } }[];
  };
};

describe("offline plans of the prod stacks", () => {
  it("backup storage: matches the reviewed golden plan (set UPDATE_GOLDEN=1 to accept a deliberate change)", async () => {
    const doc = await plan("storage", "prod");
    matchesGolden(doc, GOLDEN.storage);

    // What the golden file must show, whatever else changes in it.
    assert.deepEqual([doc.project, doc.stack, doc.region], ["phoenix-backup-storage", "prod", "eu-west-1"]);
    assert.ok(doc.resources.length > 0);
    for (const r of doc.resources) {
      assert.equal(r.layer, "storage", `${r.type} ${r.name} belongs to the backup storage`);
      assert.equal(r.options?.protect, true, `${r.type} ${r.name} is protected: destroying the stack fails`);
      if (r.type.startsWith("aws:"))
        assert.equal(r.options?.retainOnDelete, true, `${r.type} ${r.name} outlives even an unprotected destroy`);
    }
    const buckets = doc.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.name);
    assert.deepEqual(
      buckets.sort(),
      ["backups", "backups-access-logs", "backups-replica", "backups-replica-access-logs"],
      "the bucket and its DR replica, each with its access-log bucket",
    );
    assert.deepEqual(doc.helmReleases, []);
    assert.deepEqual(doc.namespaces, []);
    assert.deepEqual(Object.keys(doc.outputs).sort(), [...REPLICATED_STORAGE_OUTPUTS]);
    // The pack's verdict travels in the plan: every backup bucket is locked, private and protected.
    assert.equal(doc.policy?.passed, true);
    assert.deepEqual(
      [doc.outputs.region, doc.outputs.replicaRegion],
      ["eu-west-1", "eu-central-1"],
      "the regions the stack file names",
    );
  });

  it("platform: matches the reviewed golden plan, and points Velero at the storage stack's outputs", async () => {
    const doc = await plan("platform", "prod");
    matchesGolden(doc, GOLDEN.platform);

    // What the golden file must show, whatever else changes in it.
    assert.deepEqual([doc.project, doc.stack, doc.region], ["phoenix", "prod", "eu-west-1"]);
    const pinned = (name: string, pin: { chart: string; version: string }, ns: string) =>
      `${name} ${pin.chart}@${pin.version} ${ns}`;
    // Every release is a registered plugin that Pulumi.prod.yaml enables (read from the
    // stack file, not from the plan), pinned as its entry says, or the apps layer's bootstrap.
    const prod = loadStack(ROOT, "prod");
    const settings = parseStackConfig(prod.config, { project: prod.project, stack: "prod" }).plugins;
    const enabled = plugins().filter((p) => p.enabled(settings[p.id as PluginId]));
    assert.ok(enabled.length > 0);
    assert.deepEqual(
      doc.helmReleases.map((h) => `${h.name} ${h.chart}@${h.version} ${h.namespace}`).sort(),
      [
        ...enabled.map((p) => pinned(p.releaseName, p.chart, p.namespace)),
        pinned("bootstrap", charts.argocdApps, "argocd"),
      ].sort(),
    );
    assert.ok(!doc.helmReleases.some((h) => h.chart === "ingress-nginx"), "ingress-nginx is retired");
    const imperative = doc.namespaces.filter((n) => n.class === "imperative").map((n) => n.name);
    assert.deepEqual(imperative, ["ml-models", "payments-ledger"]);
    assert.deepEqual(
      doc.namespaces.filter((n) => n.backedUp).map((n) => n.name),
      imperative,
    );
    assert.ok(doc.backupSchedules.length > 0);
    for (const s of doc.backupSchedules) {
      assert.deepEqual(s.includedNamespaces, imperative, `${s.name} covers exactly the imperative namespaces`);
      assert.ok(!s.excludedNamespaces.some((n) => imperative.includes(n)));
    }
    // Every resource sits in a layer but two: the read of the storage stack's outputs, and
    // the teardown marker whose delete hook runs first on destroy (test/stacks/platform/teardown.test.ts).
    const outside = doc.resources.filter((r) => !["cluster", "plugins", "apps"].includes(r.layer));
    assert.deepEqual(
      outside.map((r) => [r.type, r.name, r.layer, r.parent, r.inputs.name]),
      [
        ["phoenix:teardown:Teardown", "teardown", "stack", null, undefined],
        ["pulumi:pulumi:StackReference", "backup-storage", "stack", null, "organization/phoenix-backup-storage/prod"],
      ],
    );
    // The platform owns no bucket and no backup key: destroying it cannot take the backups.
    assert.deepEqual(
      doc.resources
        .filter((r) => /^aws:(s3|kms)\//.test(r.type))
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
      [
        "aws:kms/alias:Alias phoenix-prod-secrets",
        "aws:kms/key:Key phoenix-prod-logs",
        "aws:kms/key:Key phoenix-prod-secrets",
      ],
    );
    // Velero writes to the storage stack's bucket, in its region, with its key.
    const storage = JSON.parse(fs.readFileSync(GOLDEN.storage, "utf8")) as PlanDocument;
    const velero = doc.helmReleases.find((h) => h.chart === charts.velero.chart);
    assert.deepEqual((velero?.values as VeleroValues).configuration.backupStorageLocation, [
      {
        name: "default",
        provider: "aws",
        bucket: storage.outputs.bucket,
        default: true,
        config: { region: storage.outputs.region },
      },
    ]);
    const policy = doc.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "plugins-velero");
    const resources = (
      JSON.parse(String(policy?.inputs.policy)) as { Statement: { Effect: string; Resource: string }[] }
    ).Statement.filter((s) => s.Effect === "Allow").map((s) => s.Resource);
    assert.deepEqual(resources, [
      `arn:aws:s3:::${String(storage.outputs.bucket)}/*`,
      `arn:aws:s3:::${String(storage.outputs.bucket)}`,
      storage.outputs.kmsKeyArn,
    ]);
    assert.equal(doc.outputs.backupBucket, storage.outputs.bucket);
    assert.deepEqual(doc.outputs.backupStorage, { storage: "organization/phoenix-backup-storage/prod" });
    assert.ok(
      !("replicaBucket" in doc.outputs) && !("replicaKeyArn" in doc.outputs),
      "the replica is the storage stack's output, not the platform's",
    );
    const text = JSON.stringify(doc);
    assert.ok(!/"(vpc|subnet|nat|igw|eipalloc|sg)-[0-9a-f]{8,}"/.test(text), "no invented AWS ids");
    assert.ok(!/[a-z]{2}-[a-z]+-\d[a-f]"/.test(text), "no invented availability zone names");
  });
});

// Each test spawns the command; they are independent, so they run side by side.
describe("phoenix plan, the command", { concurrency: true }, () => {
  it("prints the component tree, the storage read, the Helm releases and the namespace table", async () => {
    const r = await cli("--stack", "prod");
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /Layer 1: cluster \(\d+ resources\)\n {2}phoenix:cluster:Cluster {2}phoenix-prod\n {4}aws:cloudwatch\/logGroup:LogGroup {2}phoenix-prod-control-plane\n {4}aws:ec2\/eip:Eip/,
    );
    assert.match(r.stdout, /Policy \(10 rules of policy\/\) on phoenix\/prod: every rule passes/);
    assert.match(r.stdout, /Layer 2: core plugins/);
    assert.match(r.stdout, /Layer 3: apps/);
    assert.match(
      r.stdout,
      /Outside the layers \(2 resources\)\n {2}phoenix:teardown:Teardown {2}teardown\n {2}pulumi:pulumi:StackReference {2}backup-storage\n/,
    );
    assert.match(r.stdout, /velero\s+velero\s+12\.1\.0\s+https:\/\/vmware-tanzu\.github\.io\/helm-charts\s+velero/);
    assert.match(r.stdout, /payments-ledger\s+imperative\s+yes/);
    assert.match(r.stdout, /storefront\s+gitops\s+no/);
    assert.match(r.stdout, /^Planned \d+ resources in /m);
  });

  it("plans the backup storage project with --project: its resources and outputs, no platform sections", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-plan-storage-")), "storage.json");
    const r = await cli("--stack", "prod", "--project", STORAGE_DIR, "--out", out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Phoenix offline plan: stack prod, region eu-west-1 \(project phoenix-backup-storage\)/);
    assert.match(
      r.stdout,
      /Backup storage \(its own project\) \(\d+ resources\)\n {2}phoenix:backupStorage:BackupStorage {2}backups\n/,
    );
    assert.match(r.stdout, /^ {2}replicaRegion\s+eu-central-1$/m);
    assert.doesNotMatch(r.stdout, /Helm releases|Namespaces|Backup schedules/);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, "utf8")), JSON.parse(fs.readFileSync(GOLDEN.storage, "utf8")));
  });

  it("plans every stack of both projects with --all, one plan file per stack, the same as each alone", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-plan-all-"));
    const r = await cli("--all", "--out", dir);
    assert.equal(r.status, 0, r.stderr);
    // Every stack file of both projects, whichever regions the repository holds; prod's are the reviewed ones.
    const expected = [
      ...listStacks(projects(ROOT).storage.dir).map((s) => `phoenix-backup-storage.${s}.json`),
      ...listStacks(ROOT).map((s) => `phoenix.${s}.json`),
    ].sort();
    assert.deepEqual(fs.readdirSync(dir).sort(), expected);
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(dir, "phoenix-backup-storage.prod.json"), "utf8")),
      JSON.parse(fs.readFileSync(GOLDEN.storage, "utf8")),
    );
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(dir, "phoenix.prod.json"), "utf8")),
      JSON.parse(fs.readFileSync(GOLDEN.platform, "utf8")),
    );
    assert.match(r.stdout, /^PROJECT\s+STACK\s+REGION\s+RESOURCES\s+POLICY\s+TIME\s+PLAN FILE$/m);
    assert.match(r.stdout, /^phoenix-backup-storage\s+prod\s+eu-west-1\s+\d+\s+pass\s/m);
    assert.match(r.stdout, /^phoenix\s+prod\s+eu-west-1\s+\d+\s+pass\s/m);
    assert.match(r.stdout, new RegExp(`Planned ${expected.length} stacks of both projects`));
  });

  it("exits 2 on a bad stack file with the file, the key and the fix, and writes no plan", async () => {
    const doc = prodDoc();
    doc.config["phoenix:network"] = { cidr: "10.20.0.0/16", natGateways: "three" };
    const dir = scratchRepository({ bad: doc }, { bad: prodStorageDoc() });
    const out = path.join(dir, "plan.json");
    const r = await cli("--stack", "bad", "--project", dir, "--out", out);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /Pulumi\.bad\.yaml: invalid stack configuration \(1 problem\):\n {2}- phoenix:network\.natGateways: .*"perAz"\|"single"/,
    );
    assert.match(r.stderr, /Fix this key in Pulumi\.bad\.yaml/);
    assert.equal(r.stdout, "");
    assert.equal(fs.existsSync(out), false);
  });

  it("exits 2 on an inventory conflict and names both claims", async () => {
    const doc = prodDoc();
    doc.config["phoenix:namespaces"] = { imperative: [{ name: "storefront" }] };
    const dir = scratchRepository({ clash: doc }, { clash: prodStorageDoc() });
    const r = await cli("--stack", "clash", "--project", dir, "--out", path.join(dir, "p.json"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Pulumi\.clash\.yaml: the namespace inventory is inconsistent/);
    assert.match(
      r.stderr,
      /gitops by application:storefront \(phoenix:gitops\.applications\[0\]\.namespace\); imperative by inventory \(phoenix:namespaces\.imperative\[0\]\)/,
    );
    assert.equal(r.stdout, "");
    assert.equal(fs.existsSync(path.join(dir, "p.json")), false);
  });

  it("exits 2 on an unknown stack, listing the stacks there are and how to make one", async () => {
    const r = await cli("--stack", "nope");
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      new RegExp(`Pulumi\\.nope\\.yaml: no such stack file.*Known stacks: ${listStacks(ROOT).join(", ")}`),
    );
    assert.match(r.stderr, /phoenix replicate --from <stack> --region <region> --stack nope/);
    assert.equal(r.stdout, "");
  });

  it("exits 2 on a stack file that is not YAML", async () => {
    const dir = scratchRepository({});
    fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config:\n  aws:region: [unclosed\n");
    const r = await cli("--stack", "broken", "--project", dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Pulumi\.broken\.yaml: not valid YAML/);
  });

  it("exits 2 with the usage error when neither or both of --stack and --all are given, or --all with --project", async () => {
    const [neither, both, project] = await Promise.all([
      cli(),
      cli("--stack", "prod", "--all"),
      cli("--all", "--project", STORAGE_DIR),
    ]);
    for (const r of [neither, both]) {
      assert.equal(r.status, 2);
      assert.match(r.stderr, /give exactly one of --stack <name> and --all/);
      assert.equal(r.stdout, "");
    }
    assert.equal(project.status, 2);
    assert.match(project.stderr, /--all plans every project: drop --project/);
  });
});

/** `phoenix plan` in-process against a scratch repository (nothing here reaches the engine). */
async function planIn(root: string, stack: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return phoenix(["plan", "--stack", stack], root);
}

/** The prod platform stack with `backups` set. */
function withBackups(backups: Record<string, unknown>): StackDoc {
  const doc = prodDoc();
  doc.config["phoenix:backups"] = { ...(doc.config["phoenix:backups"] as object), ...backups };
  return doc;
}

describe("the backup storage a platform stack names", () => {
  it("must have a stack file: exit 2 naming the reference, the missing file and the fix", async () => {
    const root = scratchRepository({ lonely: prodDoc() });
    const r = await planIn(root, "lonely");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Pulumi\.lonely\.yaml: invalid stack configuration \(1 problem\)/);
    assert.ok(
      r.stderr.includes(
        `phoenix:backups.storage.stack: names organization/phoenix-backup-storage/lonely, whose stack file ${path.join(STORAGE_DIR, "Pulumi.lonely.yaml")} does not exist`,
      ),
      r.stderr,
    );
    assert.match(r.stderr, /`phoenix replicate` writes both stack files/);
    assert.equal(r.stdout, "");
  });

  it("may be another stack of the storage project, named in phoenix:backups.storage.stack", async () => {
    const root = scratchRepository(
      { blue: withBackups({ storage: { stack: "organization/phoenix-backup-storage/shared" } }) },
      { shared: prodStorageDoc() },
    );
    const r = await planIn(root, "blue");
    assert.equal(r.status, 0, r.stderr);
    const planner = new Planner(root);
    const doc = await planner.planPlatform({ stack: "blue" });
    assert.deepEqual(doc.outputs.backupStorage, { storage: "organization/phoenix-backup-storage/shared" });
    assert.deepEqual(
      doc.resources.filter((x) => x.type === "pulumi:pulumi:StackReference").map((x) => x.inputs.name),
      ["organization/phoenix-backup-storage/shared"],
    );
    assert.equal(doc.outputs.backupBucket, (await planner.planStorage({ stack: "shared" })).outputs.bucket);
  });

  it("must be a stack of the backup storage project", async () => {
    const root = scratchRepository({ blue: withBackups({ storage: { stack: "organization/phoenix/prod" } }) });
    const r = await planIn(root, "blue");
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /phoenix:backups\.storage\.stack: names organization\/phoenix\/prod, which is not a stack of the backup storage project \(phoenix-backup-storage/,
    );
  });

  it("to restore from, must replicate, in this stack's partition; then Velero reads its replica read-only", async () => {
    const restoreFrom = { restoreFrom: { stack: "organization/phoenix-backup-storage/primary" } };
    const noReplica = prodStorageDoc();
    delete noReplica.config["phoenix-backup-storage:replication"];
    const dr = (region: string): StackDoc => {
      const doc = withBackups(restoreFrom);
      doc.config["aws:region"] = region;
      return doc;
    };
    const partition = (region: string): string => (region.startsWith("cn-") ? "aws-cn" : "aws");
    const own = (region: string): StackDoc => ({
      config: {
        "aws:region": region,
        "phoenix-backup-storage:access": {
          admins: [`arn:${partition(region)}:iam::111122223333:role/platform-deploy`],
        },
      },
    });

    const unreplicated = await planIn(
      scratchRepository({ dr: dr("eu-central-1") }, { dr: own("eu-central-1"), primary: noReplica }),
      "dr",
    );
    assert.equal(unreplicated.status, 2);
    assert.match(
      unreplicated.stderr,
      /phoenix:backups\.restoreFrom\.stack: names organization\/phoenix-backup-storage\/primary, which has no DR replica to restore from: set phoenix-backup-storage:replication\.region/,
    );

    const china = await planIn(
      scratchRepository({ dr: dr("cn-north-1") }, { dr: own("cn-north-1"), primary: prodStorageDoc() }),
      "dr",
    );
    assert.equal(china.status, 2);
    assert.match(
      china.stderr,
      /phoenix:backups\.restoreFrom\.stack: names organization\/phoenix-backup-storage\/primary, whose bucket is in eu-central-1, another AWS partition than cn-north-1/,
    );

    const root = scratchRepository({ dr: dr("eu-central-1") }, { dr: own("eu-central-1"), primary: prodStorageDoc() });
    const r = await planIn(root, "dr");
    assert.equal(r.status, 0, r.stderr);
    const planner = new Planner(root);
    const doc = await planner.planPlatform({ stack: "dr" });
    const [ownStorage, primary] = [
      await planner.planStorage({ stack: "dr" }),
      await planner.planStorage({ stack: "primary" }),
    ];
    const velero = doc.helmReleases.find((h) => h.chart === charts.velero.chart);
    assert.deepEqual(
      (velero?.values as VeleroValues).configuration.backupStorageLocation.map((l) => [
        l.name,
        l.bucket,
        l.accessMode ?? "ReadWrite",
        l.config.region,
      ]),
      [
        ["default", ownStorage.outputs.bucket, "ReadWrite", "eu-central-1"],
        ["restore-source", primary.outputs.replicaBucket, "ReadOnly", "eu-central-1"],
      ],
    );
    assert.deepEqual(
      doc.resources.filter((x) => x.type === "pulumi:pulumi:StackReference").map((x) => [x.name, x.inputs.name]),
      [
        ["backup-storage", "organization/phoenix-backup-storage/dr"],
        ["restore-source", "organization/phoenix-backup-storage/primary"],
      ],
    );
    assert.deepEqual(doc.outputs.backupStorage, {
      storage: "organization/phoenix-backup-storage/dr",
      restoreFrom: "organization/phoenix-backup-storage/primary",
    });
  });

  it("is validated as its own project's stack file: exit 2 naming that file and key", async () => {
    const storage = prodStorageDoc();
    storage.config["phoenix-backup-storage:replication"] = { region: "eu-west-1" };
    const r = await planIn(scratchRepository({ prod: prodDoc() }, { prod: storage }), "prod");
    assert.equal(r.status, 2);
    assert.ok(
      r.stderr.includes(`${path.join(STORAGE_DIR, "Pulumi.prod.yaml")}: invalid stack configuration (1 problem)`),
      r.stderr,
    );
    assert.match(r.stderr, /phoenix-backup-storage:replication\.region: is this stack's own region \(eu-west-1\)/);
  });
});

describe("a second region", () => {
  it("is one more pair of stack files: the plan follows its region and nothing of the first region leaks in", async () => {
    const doc = prodDoc();
    doc.config["aws:region"] = "us-east-2";
    doc.config["phoenix:cluster"] = { ...(doc.config["phoenix:cluster"] as object), name: "phoenix-dr" };
    doc.config["phoenix:network"] = { cidr: "10.30.0.0/16", natGateways: "single" };
    const storage = prodStorageDoc();
    storage.config["aws:region"] = "us-east-2";
    storage.config["phoenix-backup-storage:replication"] = { region: "us-west-2" };
    const dir = scratchRepository({ dr: doc }, { dr: storage });
    const out = path.join(dir, "dr.plan.json");
    const r = await cli("--stack", "dr", "--project", dir, "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(fs.readFileSync(out, "utf8")) as PlanDocument;
    assert.equal(plan.stack, "dr");
    assert.equal(plan.region, "us-east-2");
    const text = JSON.stringify(plan);
    assert.ok(
      !text.includes("eu-west-1") && !text.includes("eu-central-1"),
      "no trace of the primary region or its replica",
    );
    assert.ok(text.includes("availability zone 1 of us-east-2"));
    assert.ok(text.includes('"path":"clusters/us-east-2"'), "the region's own GitOps path");
    assert.ok(text.includes('"name":"organization/phoenix-backup-storage/dr"'), "its own backup storage stack");
    assert.equal(plan.resources.filter((x) => x.type === "aws:ec2/natGateway:NatGateway").length, 1);
    const velero = plan.helmReleases.find((h) => h.chart === charts.velero.chart);
    assert.deepEqual(
      (velero?.values as VeleroValues).configuration.backupStorageLocation.map((l) => l.config.region),
      ["us-east-2"],
    );
  });
});
