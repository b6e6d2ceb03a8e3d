/**
 * The built command, as `npx phoenix` runs it: dist/cli/run.js under plain Node, not the
 * sources under tsx. The bundle once kept a dynamic import() of a directory
 * ("@pulumi/pulumi/automation"), which Node's ESM resolver refuses; every command that
 * reaches the engine died with ERR_UNSUPPORTED_DIR_IMPORT and no test saw it. With no
 * `pulumi` on PATH, each such command must reach the engine adapter and stop there,
 * with exit 2 and how to get the CLI.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { ROOT } from "../helpers";
import { repositoryCopy } from "./phoenix";

const BUNDLE = path.join(ROOT, "dist", "cli", "run.js");

/** A copy of the repository whose prod stack may be destroyed. */
function unprotectedCopy(): string {
  const root = repositoryCopy();
  const file = path.join(root, "Pulumi.prod.yaml");
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  doc.setIn(["config", "phoenix:cluster", "deletionProtection"], false);
  fs.writeFileSync(file, doc.toString());
  return root;
}

/** Runs the bundle with only Node's own folder on PATH, so no `pulumi` can be found. */
function runBundle(argv: readonly string[], root: string): { status: number | null; stderr: string } {
  const env = { ...process.env, PATH: path.dirname(process.execPath), PULUMI_HOME: path.join(root, ".pulumi-home") };
  const run = spawnSync(process.execPath, [BUNDLE, "--root", root, ...argv], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stderr: run.stderr };
}

describe("the built command (dist/cli/run.js)", () => {
  const engineCommands: readonly (readonly string[])[] = [
    ["preview", "--stack", "prod"],
    ["up", "--stack", "prod"],
    ["destroy", "--stack", "prod", "--yes"],
    ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--preview"],
    ["drill", "--from", "prod"],
  ];
  for (const argv of engineCommands) {
    it(`${argv.join(" ")}: reaches the engine adapter and, with no Pulumi CLI, exits 2 saying so`, () => {
      assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: npm test builds it first (npm run build)`);
      const root = unprotectedCopy();
      try {
        const { status, stderr } = runBundle(argv, root);
        assert.doesNotMatch(stderr, /ERR_UNSUPPORTED_DIR_IMPORT|ERR_MODULE_NOT_FOUND|Cannot find module/);
        assert.match(stderr, /the Pulumi CLI is not installed: no `pulumi` on PATH\. Install it/);
        assert.equal(status, 2, stderr);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it("--help answers from the bundle", () => {
    const run = spawnSync(process.execPath, [BUNDLE, "--help"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: phoenix/);
  });
});
