/** Where the upstream programs of the e2e harness live once built, and whether Go is here to build them. */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { upstreamPrograms } from "../../../components/catalog";

/** A name of `upstreamPrograms`. */
export type ProgramName = keyof typeof upstreamPrograms;

/** The cache of built programs: `$PHOENIX_E2E_CACHE`, else ~/.cache/phoenix-e2e. */
export function cacheRoot(): string {
  return process.env.PHOENIX_E2E_CACHE ?? path.join(os.homedir(), ".cache", "phoenix-e2e");
}

/** The folder of one program's build: `<cache>/<name>-<version>`. */
export function programDir(name: ProgramName): string {
  return path.join(cacheRoot(), `${name}-${upstreamPrograms[name].version}`);
}

/** The path of one built binary. */
export function binary(name: ProgramName, bin: string): string {
  return path.join(programDir(name), "bin", bin);
}

/** Whether a `go` command is on PATH. */
export function goAvailable(): boolean {
  return spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
}

/** The loud line of a check that could not run here. */
export const SKIPPED = (why: string): string => `!!! SKIPPED: ${why}: the e2e run (npm run e2e) did not run !!!`;
