/**
 * The built command (dist/cli/run.js), not the sources under tsx. The bundle once kept a
 * dynamic import() of a directory ("@pulumi/pulumi/automation"), which Node's ESM
 * resolver refuses: every command that reaches the engine died with
 * ERR_UNSUPPORTED_DIR_IMPORT and no test saw it. With no `pulumi` on PATH, each such
 * command must reach the engine adapter and stop there, with exit 2 and how to get it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { BUNDLE, ENGINE_COMMANDS, MODULE_ERROR, NO_CLI, runWithoutPulumi } from "./bundle";

describe("the built command (dist/cli/run.js)", () => {
  for (const argv of ENGINE_COMMANDS) {
    it(`${argv.join(" ")}: reaches the engine adapter and, with no Pulumi CLI, exits 2 saying so`, () => {
      assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: npm test builds it first (npm run build)`);
      const { status, stderr } = runWithoutPulumi(argv);
      assert.doesNotMatch(stderr, MODULE_ERROR);
      assert.match(stderr, NO_CLI);
      assert.equal(status, 2, stderr);
    });
  }

  it("--help answers from the bundle", () => {
    const run = spawnSync(process.execPath, [BUNDLE, "--help"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: phoenix/);
  });
});
