/** Where the upstream programs of the e2e harness live once built, and whether Go is here to build them. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { upstreamPrograms } from "../../../components/catalog";

/** A name of `upstreamPrograms`. */
export type ProgramName = keyof typeof upstreamPrograms;

/** The cache of built programs: `$PHOENIX_E2E_CACHE`, else ~/.cache/phoenix-e2e. */
export function cacheRoot(): string {
  return process.env.PHOENIX_E2E_CACHE ?? path.join(os.homedir(), ".cache", "phoenix-e2e");
}

/**
 * What a build is made from beyond the version: the module's go.mod and go.sum (other
 * requirements, replace lines) and the harness's own Go sources. A change to any of
 * them builds anew instead of reusing a stale binary.
 */
function inputsDigest(name: ProgramName): string {
  const dir = path.join(__dirname, name);
  const hash = createHash("sha256");
  const files = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of files(dir)
    .filter((f) => /(go\.mod|go\.sum|\.go)$/.test(f))
    .sort())
    hash.update(path.relative(dir, f)).update("\0").update(fs.readFileSync(f));
  return hash.digest("hex").slice(0, 8);
}

/** The folder of one program's build: `<cache>/<name>-<version>-<digest of its inputs>`. */
export function programDir(name: ProgramName): string {
  return path.join(cacheRoot(), `${name}-${upstreamPrograms[name].version}-${inputsDigest(name)}`);
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
export const SKIPPED = (why: string, missed = "the e2e run (npm run e2e) did not run"): string =>
  `!!! SKIPPED: ${why}: ${missed} !!!`;
