/**
 * The apps layer and `phoenix destroy` on the real engine, the real kubernetes provider and
 * a real API server: a repository whose platform program is test/e2e/programs/teardown
 * (the stack's imperative namespaces by Phoenix's own wiring, and the teardown marker with
 * its real hook) under prod's own stack file. AWS cannot run here: the hook's SDK calls go
 * to an account with nothing left (../harness/awsQuery.ts), and are recorded.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../../helpers";
import { emptyAccount, type EmptyAccount } from "../harness/awsQuery";
import { startCluster, type Cluster } from "../harness/cluster";
import { engineEnv, kubernetesEngineCannotRun, pulumi, pulumiJson, pulumiRun, writeProject } from "../harness/engine";
import { getJson, kubectl, kubectlOk } from "../harness/kubectl";
import { phoenixCli, phoenixCliAsync, planOf } from "../harness/plan";
import { runDir } from "./setup";

const PROGRAM = path.join(ROOT, "test", "e2e", "programs", "teardown", "index.ts");
const STORAGE_PROGRAM = path.join(ROOT, "test", "e2e", "programs", "region", "storage.ts");

const skip = kubernetesEngineCannotRun();
if (skip) console.log(`!!! SKIPPED: the apps layer and phoenix destroy on the real engine: ${skip} !!!`);

type Labelled = { metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string } };

describe("the apps layer and phoenix destroy on the real engine and a real API server", { skip }, () => {
  const root = path.join(ROOT, ".e2e", `destroy-${randomBytes(3).toString("hex")}`);
  const plan = skip ? undefined : planOf("prod");
  const imperative = (plan?.namespaces ?? []).filter((n) => n.class === "imperative").map((n) => n.name);
  let cluster: Cluster;
  let aws: EmptyAccount;
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    cluster = await startCluster("teardown", runDir("teardown-cluster"));
    aws = await emptyAccount();
    writeProject(root, "phoenix", PROGRAM, path.join(ROOT, "Pulumi.prod.yaml"));
    writeProject(
      path.join(root, "stacks", "backup-storage"),
      "phoenix-backup-storage",
      STORAGE_PROGRAM,
      path.join(ROOT, "stacks", "backup-storage", "Pulumi.prod.yaml"),
    );
    env = {
      ...engineEnv(runDir("teardown-backend")),
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: "AKIAE2EEMPTYACCOUNT0",
      AWS_SECRET_ACCESS_KEY: "e2e-empty-account",
      PHOENIX_E2E_KUBECONFIG: cluster.kubeconfig,
    };
    pulumi(env, root, ["stack", "init", "prod"]);
    // What the runbook asks before a destroy: no deletion protection on the control plane.
    pulumi(env, root, ["config", "set", "--path", "phoenix:cluster.deletionProtection", "false", "--stack", "prod"]);
  });

  after(async () => {
    await aws?.stop();
    await cluster?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const namespace = (name: string): Labelled => getJson<Labelled>(cluster.kubeconfigPath, ["namespace", name]);

  it("up makes each imperative namespace on the API server as the plan declares it", async () => {
    assert.ok(imperative.length >= 2, "prod declares imperative namespaces");
    const run = await phoenixCliAsync(["up", "--stack", "prod", "-o", "json"], { root, env });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    for (const name of imperative) {
      const planned = plan?.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.name === name);
      const labels = namespace(name).metadata.labels ?? {};
      const want = ((planned?.inputs.metadata ?? {}) as { labels?: Record<string, string> }).labels ?? {};
      assert.ok(Object.keys(want).length > 0, `${name} is planned with labels`);
      for (const [k, v] of Object.entries(want)) assert.equal(labels[k], v, `${name}: ${k}`);
      kubectlOk(cluster.kubeconfigPath, ["-n", name, "get", "networkpolicy", "phoenix-default-deny"]);
    }
    // The guard the provider made refuses a lowered Pod Security level, as the admission scenario's does.
    const lowered = kubectl(cluster.kubeconfigPath, [
      "label",
      "namespace",
      imperative[0],
      "--overwrite",
      "pod-security.kubernetes.io/enforce=privileged",
    ]);
    assert.notEqual(lowered.status, 0, "the guard refuses a lowered level");
    assert.match(lowered.stderr, /ValidatingAdmissionPolicy|denied/);
  });

  it("the policy pack runs under the real CLI: it passes the stack and refuses a namespace without a Pod Security level", () => {
    const pack = ["preview", "--policy-pack", path.join(ROOT, "policy"), "--stack", "prod"];
    const passed = pulumiRun(env, root, pack);
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
    fs.writeFileSync(path.join(ROOT, ".e2e", "policy-pack.txt"), passed.stdout);
    assert.match(passed.stdout, /phoenix@v0\.1\.0/, "the pack is named with its version");
    const refused = pulumiRun({ ...env, PHOENIX_E2E_UNLABELLED: "scratch" }, root, pack);
    assert.notEqual(refused.status, 0, refused.stdout);
    assert.match(refused.stdout + refused.stderr, /namespaces-pod-security/);
    assert.match(
      refused.stdout + refused.stderr,
      /namespace scratch carries no pod-security\.kubernetes\.io\/enforce label/,
    );
  });

  it("a real preview that drops a namespace is named by the built preview-summary, which fails on it", () => {
    const dropping = { ...env, PHOENIX_E2E_DROP: imperative[0] };
    // Kept beside the report, as a person would read them.
    const file = path.join(ROOT, ".e2e", "preview-drop-namespace.json");
    fs.writeFileSync(file, JSON.stringify(pulumiJson(dropping, root, ["preview", "--json", "--stack", "prod"])));
    const summary = phoenixCli(["preview-summary", "--fail-on-danger", file]);
    fs.writeFileSync(path.join(ROOT, ".e2e", "preview-drop-namespace.md"), summary.stdout);
    assert.equal(summary.status, 1, summary.stdout + summary.stderr);
    assert.match(summary.stdout, new RegExp(`${imperative[0]}[^\\n]*delete[^\\n]*retainOnDelete`), summary.stdout);
    assert.match(summary.stdout, /left behind in the cluster/);
  });

  it("retainOnDelete leaves a dropped namespace and its contents in the cluster; Pulumi forgets it", () => {
    const name = imperative[0];
    kubectlOk(cluster.kubeconfigPath, ["-n", name, "create", "configmap", "ledger-state", "--from-literal=rows=42"]);
    pulumi({ ...env, PHOENIX_E2E_DROP: name }, root, ["up", "--yes", "--skip-preview", "--stack", "prod"]);
    assert.equal(namespace(name).metadata.deletionTimestamp, undefined, "the namespace stays, not being deleted");
    kubectlOk(cluster.kubeconfigPath, ["-n", name, "get", "configmap", "ledger-state"]);
    const policy = kubectl(cluster.kubeconfigPath, ["-n", name, "get", "networkpolicy", "phoenix-default-deny"]);
    assert.notEqual(policy.status, 0, "its default-deny policy, not retained, is deleted");
    const urns =
      (
        pulumiJson(env, root, ["stack", "export", "--stack", "prod"]) as {
          deployment: { resources?: { urn: string }[] };
        }
      ).deployment.resources?.map((r) => r.urn) ?? [];
    assert.ok(!urns.some((u) => u.endsWith(`::${name}`)), "removed from the stack");
  });

  it("pulumi destroy without --run-program is refused by the engine: the hook needs the program", () => {
    const run = pulumiRun(env, root, ["destroy", "--yes", "--skip-preview", "--stack", "prod"]);
    assert.notEqual(run.status, 0);
    assert.match(run.stdout + run.stderr, /--run-program/);
    assert.equal(aws.calls.length, 0, "the hook did not run");
  });

  it("phoenix destroy runs the teardown hook before the engine deletes anything, and the namespaces stay", async () => {
    const ns = imperative[1];
    kubectlOk(cluster.kubeconfigPath, ["-n", ns, "create", "service", "loadbalancer", "public", "--tcp=443:8443"]);
    kubectlOk(cluster.kubeconfigPath, ["-n", ns, "create", "service", "clusterip", "internal", "--tcp=80:8080"]);
    kubectlOk(cluster.kubeconfigPath, ["-n", ns, "create", "ingress", "web", "--rule=shop.example.com/*=internal:80"]);
    const run = await phoenixCliAsync(["destroy", "--stack", "prod", "--yes"], { root, env });
    fs.writeFileSync(path.join(ROOT, ".e2e", "destroy.txt"), run.stdout + run.stderr);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const lines = (run.stdout + run.stderr).split("\n");
    const firstDelete = lines.findIndex((l) => /\bdelete (kubernetes|pulumi):/.test(l));
    const released = lines.findIndex((l) => l.includes("released what the cluster made in AWS"));
    assert.ok(released >= 0, run.stderr);
    assert.ok(firstDelete > released, `the hook finished before the first delete:\n${run.stderr}`);
    assert.match(run.stderr, new RegExp(`deleted Service ${ns}/public`));
    assert.match(run.stderr, new RegExp(`deleted Ingress ${ns}/web`));
    kubectlOk(cluster.kubeconfigPath, ["-n", ns, "get", "service", "internal"]);
    assert.notEqual(kubectl(cluster.kubeconfigPath, ["-n", ns, "get", "service", "public"]).status, 0);
    for (const name of imperative) assert.equal(namespace(name).metadata.deletionTimestamp, undefined, name);
    const region = plan?.region;
    assert.deepEqual(
      aws.calls.map((c) => [c.action, c.version, c.region]),
      [
        ["DescribeLoadBalancers", "2015-12-01", region],
        ["DescribeLoadBalancers", "2012-06-01", region],
        ["DescribeNetworkInterfaces", "2016-11-15", region],
        ["DescribeSecurityGroups", "2016-11-15", region],
      ],
    );
    assert.ok(aws.calls.every((c) => c.answered));
    assert.equal(aws.calls[2].params["Filter.1.Value.1"], "vpc-0e2e0000000000000");
  });
});
