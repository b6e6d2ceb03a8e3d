/**
 * The built command, as a user runs it (`node dist/cli/run.js`, what `npx phoenix` runs):
 * every command that drives the engine reaches the Automation API adapter and, with no
 * `pulumi` on PATH, exits 2 saying how to get the CLI, never with a module error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ENGINE_COMMANDS, MODULE_ERROR, NO_CLI, runWithoutPulumi } from "../../cli/bundle";

describe("the built command reaches the engine adapter", () => {
  for (const argv of ENGINE_COMMANDS) {
    it(`phoenix ${argv.join(" ")}`, () => {
      const { status, stderr } = runWithoutPulumi(argv);
      assert.doesNotMatch(stderr, MODULE_ERROR);
      assert.match(stderr, NO_CLI);
      assert.equal(status, 2, stderr);
    });
  }
});
