/**
 * Phoenix's engine adapter (cli/engine/automation.ts) against the real Pulumi engine: the
 * CLI and Node.js language host built from their source at @pulumi/pulumi's version, a
 * file backend in a temporary folder, passphrase secrets, and a small program
 * (test/e2e/programs/engine-basics). What a scripted adapter assumed is asked of the
 * engine itself: a stack is created only when new, config set with `--path` lands as the
 * program reads it, a secret is encrypted in the stack file and masked in outputs, progress
 * streams, a failing program fails with its own message, and `protect` refuses a destroy.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { AutomationEngine } from "../../../cli/engine/automation";
import type { EngineStack } from "../../../cli/engine/adapter";
import { engineCannotRun } from "../harness/engine";
import { phoenixCli } from "../harness/plan";
import { binary } from "../upstream/paths";
import { runDir } from "./setup";

const PROGRAM = path.join(__dirname, "..", "programs", "engine-basics");
const CONSUMER = path.join(__dirname, "..", "programs", "stack-reference-consumer");

const skip = engineCannotRun();
if (skip) console.log(`!!! SKIPPED: the real Pulumi engine: ${skip} !!!`);

describe("the real Pulumi engine, through Phoenix's adapter", { skip }, () => {
  const id = randomBytes(3).toString("hex");
  const stack: EngineStack = { project: "storage", workDir: PROGRAM, stack: `e2e-${id}` };
  const consumer: EngineStack = { project: "platform", workDir: CONSUMER, stack: `e2e-${id}` };
  const passphrase = randomBytes(16).toString("hex");
  const password = `pw-${randomBytes(8).toString("hex")}`;
  let engine: AutomationEngine;
  let backend = "";
  const lines: string[] = [];

  before(() => {
    backend = runDir("engine");
    // The CLI is found on PATH (PulumiCommand.get()), as a user's is; this file runs in its own process.
    process.env.PATH = `${path.dirname(binary("pulumi", "pulumi"))}${path.delimiter}${process.env.PATH ?? ""}`;
    process.env.PULUMI_BACKEND_URL = `file://${backend}`;
    process.env.PULUMI_CONFIG_PASSPHRASE = passphrase;
    process.env.PULUMI_SKIP_UPDATE_CHECK = "true";
    engine = new AutomationEngine();
  });

  after(async () => {
    if (!engine) return;
    // The consumer first (it references the other), then unprotect and remove everything the run made.
    await engine.destroy(consumer, () => undefined).catch(() => undefined);
    await engine.removeStack(consumer).catch(() => undefined);
    fs.rmSync(path.join(CONSUMER, `Pulumi.${consumer.stack}.yaml`), { force: true });
    await engine.setConfig(stack, "protect", { value: "false", secret: false }, false).catch(() => undefined);
    await engine.setConfig(stack, "fail", { value: "false", secret: false }, false).catch(() => undefined);
    await engine.up(stack, () => undefined).catch(() => undefined);
    await engine.destroy(stack, () => undefined).catch(() => undefined);
    await engine.removeStack(stack).catch(() => undefined);
    fs.rmSync(path.join(PROGRAM, `Pulumi.${stack.stack}.yaml`), { force: true });
  });

  it("refuses to select a stack that does not exist, and creates one only when asked", async () => {
    await assert.rejects(new AutomationEngine().ensureStack(stack, { create: false }), /no stack named|not found/i);
    await engine.ensureStack(stack, { create: true });
    await new AutomationEngine().ensureStack(stack, { create: true });
    assert.deepEqual(
      (await engine.listStacks(stack)).filter((s) => s === stack.stack),
      [stack.stack],
      "one stack, created once",
    );
  });

  it("sets config leaf by leaf with --path, a secret encrypted in the stack file, and reads it back decrypted", async () => {
    await engine.setConfig(stack, "database.host", { value: "db.internal", secret: false }, true);
    await engine.setConfig(stack, "database.password", { value: password, secret: true }, true);
    const file = fs.readFileSync(path.join(PROGRAM, `Pulumi.${stack.stack}.yaml`), "utf8");
    assert.match(file, /password:\s+secure: \S+/, file);
    assert.ok(!file.includes(password), "the stack file never holds the secret in clear");
    assert.deepEqual(await engine.getConfig(stack, "database.password", true), { value: password, secret: true });
    assert.deepEqual(await engine.getConfig(stack, "database.host", true), { value: "db.internal", secret: false });
  });

  it("runs the program: progress streams, outputs come back with the secret masked", async () => {
    const changes = await engine.up(stack, (line) => lines.push(line));
    assert.equal(changes.create, 4, JSON.stringify(changes));
    assert.ok(
      lines.some((l) => /^create pulumi-nodejs:dynamic:Resource kept$/.test(l)),
      `progress lines: ${lines.join(" | ")}`,
    );
    const outputs = await engine.outputs(stack);
    assert.equal(outputs.host, "db.internal", "the --path leaf, as the program read it");
    assert.equal(outputs.keptId, "record-kept");
    assert.equal(outputs.secretPassword, "[secret]");
    assert.equal(
      await engine.secretOutput(stack, "secretPassword"),
      password,
      "in clear only for the caller's own use",
    );
    assert.equal((await engine.resourceUrns(stack)).filter((u) => u.endsWith("::kept")).length, 1);
  });

  it("a real `pulumi preview --json` of a replace and a delete goes through the built preview-summary, and a failed preview fails it", async () => {
    const preview = (name: string): string => {
      const run = spawnSync("pulumi", ["preview", "--json", "--non-interactive", "--stack", stack.stack], {
        cwd: PROGRAM,
        encoding: "utf8",
        env: process.env,
      });
      const file = path.join(backend, `${name}.json`);
      fs.writeFileSync(file, run.stdout);
      return file;
    };
    await engine.setConfig(stack, "scratchName", { value: "scratch-renamed", secret: false }, false);
    await engine.setConfig(stack, "dropExtra", { value: "true", secret: false }, false);
    const changed = preview("changed");
    const summary = phoenixCli(["preview-summary", "--fail-on-danger", changed]);
    assert.equal(summary.status, 0, summary.stdout + summary.stderr);
    assert.match(summary.stdout, /scratch[^\n]*replace/, summary.stdout);
    assert.match(summary.stdout, /extra[^\n]*delete/, summary.stdout);
    assert.ok(!summary.stdout.includes(password), "the preview's secret stays masked");
    await engine.setConfig(stack, "fail", { value: "true", secret: false }, false);
    const failed = phoenixCli(["preview-summary", preview("failed")]);
    assert.equal(failed.status, 1, failed.stdout);
    assert.match(failed.stdout, /asked to fail by its config/);
    for (const key of ["scratchName", "dropExtra", "fail"])
      await engine.setConfig(stack, key, { value: key === "scratchName" ? "scratch" : "false", secret: false }, false);
  });

  it("another project reads the stack through a StackReference named as the platform names its storage, secrets still secret", async () => {
    await engine.ensureStack(consumer, { create: true });
    await engine.setConfig(consumer, "source", { value: `phoenix-e2e-engine/${stack.stack}`, secret: false }, false);
    await engine.up(consumer, () => undefined);
    const out = await engine.outputs(consumer);
    assert.equal(out.sourceName, `organization/phoenix-e2e-engine/${stack.stack}`, "a DIY backend's organization");
    assert.equal(out.host, "db.internal");
    assert.equal(out.password, "[secret]", "a secret output stays secret through the reference");
    assert.equal(await engine.secretOutput(consumer, "password"), password);
  });

  it("fails a program that throws with the program's own message, never a secret", async () => {
    await engine.setConfig(stack, "fail", { value: "true", secret: false }, false);
    const failed = await engine
      .up(stack, () => undefined)
      .then(
        () => assert.fail("up succeeded"),
        (err: Error) => err,
      );
    assert.match(failed.message, /e2e program: asked to fail by its config/);
    assert.ok(!failed.message.includes(password));
    await engine.setConfig(stack, "fail", { value: "false", secret: false }, false);
  });

  it("refuses to destroy a protected resource, with the engine's own message, and leaves it in the state", async () => {
    const refused = await engine
      .destroy(stack, () => undefined)
      .then(
        () => assert.fail("destroy succeeded"),
        (err: Error) => err,
      );
    assert.match(refused.message, /protected/i);
    assert.equal((await engine.resourceUrns(stack)).filter((u) => u.endsWith("::kept")).length, 1);
  });
});
