/**
 * The built command, as `npx phoenix` runs it: dist/cli/run.js under plain Node, with no
 * `pulumi` on PATH. Shared by the unit test (test/cli/bundle.test.ts) and the e2e
 * scenario (test/e2e/scenarios/builtCommand.e2e.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers";
import { unprotectedCopy } from "./phoenix";

/** The bundle `npx phoenix` runs. */
export const BUNDLE = path.join(ROOT, "dist", "cli", "run.js");

/** Every command that reaches the engine adapter. */
export const ENGINE_COMMANDS: readonly (readonly string[])[] = [
  ["preview", "--stack", "prod"],
  ["up", "--stack", "prod"],
  ["destroy", "--stack", "prod", "--yes"],
  ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--preview"],
  ["drill", "run", "--from", "prod"],
];

/** Runs the bundle on a fresh repository copy with only Node's own folder on PATH, so no `pulumi` can be found. */
export function runWithoutPulumi(argv: readonly string[]): { status: number | null; stderr: string } {
  const root = unprotectedCopy();
  try {
    const env = { ...process.env, PATH: path.dirname(process.execPath), PULUMI_HOME: path.join(root, ".pulumi-home") };
    const run = spawnSync(process.execPath, [BUNDLE, "--root", root, ...argv], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: run.status, stderr: run.stderr };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** What a run without the CLI must print: the missing CLI and how to get it, never a module error. */
export const NO_CLI = /the Pulumi CLI is not installed: no `pulumi` on PATH\. Install it/;
export const MODULE_ERROR = /ERR_UNSUPPORTED_DIR_IMPORT|ERR_MODULE_NOT_FOUND|Cannot find module/;
