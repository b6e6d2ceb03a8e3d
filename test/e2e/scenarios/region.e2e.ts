/**
 * `phoenix preview` and `phoenix up` (the built command) on the real Pulumi engine: a
 * repository whose two projects are the region scenario's programs
 * (test/e2e/programs/region: a storage-like one with a protected, retained record and
 * the storage's outputs; a platform-like one reading them through the StackReference the
 * platform uses) under prod's own stack files, a file backend and passphrase secrets. The
 * command plans offline, then runs storage first and platform second through the adapter.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../../helpers";
import { phoenixCli } from "../harness/plan";
import { engineCannotRun, engineEnv, pulumi, pulumiJson, writeProject } from "../harness/engine";
import { runDir } from "./setup";

const PROGRAMS = path.join(ROOT, "test", "e2e", "programs", "region");

const skip = engineCannotRun();
if (skip) console.log(`!!! SKIPPED: phoenix up on the real Pulumi engine: ${skip} !!!`);

describe("phoenix preview and up (the built command) on the real Pulumi engine", { skip }, () => {
  // Inside the repository (ignored by Git), so the programs resolve @pulumi/pulumi from its node_modules.
  const root = path.join(ROOT, ".e2e", `region-${randomBytes(3).toString("hex")}`);
  let env: NodeJS.ProcessEnv = {};

  before(() => {
    writeProject(root, "phoenix", path.join(PROGRAMS, "platform.ts"), path.join(ROOT, "Pulumi.prod.yaml"));
    const storage = path.join(ROOT, "stacks", "backup-storage");
    writeProject(
      path.join(root, "stacks", "backup-storage"),
      "phoenix-backup-storage",
      path.join(PROGRAMS, "storage.ts"),
      path.join(storage, "Pulumi.prod.yaml"),
    );
    env = engineEnv(runDir("region-backend"));
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const phoenix = (args: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
    phoenixCli(args, { root, env: { ...env, ...extra } });

  it("a preview of a region never deployed creates nothing and says which stack is missing", () => {
    const run = phoenix(["preview", "--stack", "prod"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout + run.stderr, /no stack named|not found/i);
    for (const dir of [root, path.join(root, "stacks", "backup-storage")])
      assert.deepEqual(pulumiJson(env, dir, ["stack", "ls", "--json"]), [], `no stack was created in ${dir}`);
  });

  it("up creates the storage stack first, then the platform, which reads the storage's outputs", () => {
    const run = phoenix(["up", "--stack", "prod", "-o", "json"]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const result = JSON.parse(run.stdout) as { storage: Record<string, number>; platform: Record<string, number> };
    assert.equal(result.storage.create, 2, "the stack and its protected, retained record");
    assert.equal(result.platform.create, 2, "the stack and its record (the StackReference is a read, not counted)");
    const out = pulumiJson(env, root, ["stack", "output", "--json", "--stack", "prod"]) as Record<string, unknown>;
    assert.equal(out.clusterName, "phoenix-prod", "the platform program read prod's phoenix:cluster.name");
    assert.equal(out.backupBucket, "phoenix-prod-backups", "through phoenix-backup-storage/prod's outputs");
  });

  it("a preview of the deployed region changes nothing, and says so per stack", () => {
    const run = phoenix(["preview", "--stack", "prod"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /backup storage: same 2/);
    assert.match(run.stdout, /platform: same 2/);
  });

  it("replicate --yes makes the new region's stacks with the source's secret copied, readable by the new stack only", () => {
    const token = `tok-${randomBytes(8).toString("hex")}`;
    const set = (key: string, value: string, secret = false): string =>
      pulumi(env, root, ["config", "set", "--path", ...(secret ? ["--secret"] : []), key, value, "--stack", "prod"]);
    set("phoenix:gitops.credentials.type", "https");
    set("phoenix:gitops.credentials.username", "phoenix-bot");
    set("phoenix:gitops.credentials.token", token, true);
    const run = phoenix(["replicate", "--from", "prod", "--region", "eu-central-1", "--stack", "euc1", "--yes"]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.ok(!(run.stdout + run.stderr).includes(token), "the secret is never printed");
    const get = (stack: string): ReturnType<typeof spawnSync> =>
      spawnSync("pulumi", ["config", "get", "--path", "phoenix:gitops.credentials.token", "--stack", stack], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
    assert.equal(String(get("euc1").stdout).trim(), token, "the new stack reads its copy");
    const cipher = (stack: string): string =>
      /token:\s+secure: (\S+)/.exec(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"))?.[1] ?? "";
    assert.ok(cipher("euc1") !== "" && cipher("euc1") !== cipher("prod"), "re-encrypted, not copied");
    // The new stack's ciphertext means nothing to the source: each stack file has its own key.
    const prodFile = path.join(root, "Pulumi.prod.yaml");
    const original = fs.readFileSync(prodFile, "utf8");
    try {
      fs.writeFileSync(prodFile, original.replace(cipher("prod"), cipher("euc1")));
      const foreign = get("prod");
      assert.notEqual(foreign.status, 0, "prod cannot decrypt euc1's copy");
      assert.ok(!String(foreign.stdout).includes(token));
    } finally {
      fs.writeFileSync(prodFile, original);
    }
    const out = pulumiJson(env, root, ["stack", "output", "--json", "--stack", "euc1"]) as Record<string, unknown>;
    assert.equal(out.clusterName, "phoenix-euc1", "replicate derived the cluster's name, and the program read it");
    assert.equal(out.backupBucket, "phoenix-euc1-backups", "from the new region's own storage stack");
  });

  it("a program that fails fails the command with the program's own message, exit 1", () => {
    const run = phoenix(["up", "--stack", "prod"], { PHOENIX_E2E_FAIL: "asked to fail" });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stdout + run.stderr, /e2e platform program: asked to fail/);
  });
});
