/**
 * What the engine scenarios share: the environment that points the `pulumi` CLI (built
 * into the cache) at a file backend with passphrase secrets, a project folder whose entry
 * is one of test/e2e/programs, and the CLI's own answers.
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../helpers";
import { engineHome, kubernetesProviderInstalled, NODEJS_HOST } from "../upstream/engine";
import { binary } from "../upstream/paths";
import { cannotRun } from "../scenarios/setup";

/** Why the engine scenarios cannot run here, or undefined when they can. */
export function engineCannotRun(): string | undefined {
  const missing = cannotRun(false, ["pulumi"]);
  if (missing) return missing;
  if (!fs.existsSync(binary("pulumi", NODEJS_HOST)))
    return `${binary("pulumi", NODEJS_HOST)} is not built (npm run e2e:build, with pulumi/pulumi's source: PHOENIX_PULUMI_SOURCE)`;
  return undefined;
}

/** Why the scenarios that also need the kubernetes provider and a cluster cannot run, or undefined. */
export function kubernetesEngineCannotRun(): string | undefined {
  const missing = engineCannotRun() ?? cannotRun(false, ["kubernetes", "etcd", "kwok"]);
  if (missing) return missing;
  if (!kubernetesProviderInstalled())
    return `the kubernetes provider is not installed in ${engineHome()} (npm run e2e:build)`;
  return undefined;
}

/** The CLI on PATH, its plugins in the engine's home, a file backend in `backend`, a passphrase of its own. */
export function engineEnv(backend: string): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(binary("pulumi", "pulumi"))}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: engineHome(),
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
}

/** The repository's compiler options (tsconfig.json has no comments). */
function rootCompilerOptions(): Record<string, unknown> {
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")) as {
    compilerOptions: Record<string, unknown>;
  };
  return { ...root.compilerOptions, outDir: undefined };
}

/**
 * A project folder named `name` whose entry re-exports `program`, with a tsconfig.json
 * beside it: Pulumi's ts-node reads the one of the folder it runs in
 * (sdk/nodejs/cmd/run/run.ts:267-269@v3.248.0). The folder must sit inside the repository,
 * so the program resolves @pulumi/pulumi from its node_modules.
 */
export function writeProject(dir: string, name: string, program: string, stackFile?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`,
  );
  const rel = (to: string): string => path.relative(dir, to).split(path.sep).join("/");
  fs.writeFileSync(path.join(dir, "index.ts"), `export * from "${rel(program).replace(/\.ts$/, "")}";\n`);
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    // The root's options in full, not `extends`: under the engine (v3.248.0, its vendored
    // ts-node 7) a folder whose tsconfig extends the root's compiled a relative dynamic
    // `import()` as node16 resolution and failed (TS2835) where the root's own passes.
    JSON.stringify({ compilerOptions: rootCompilerOptions(), include: ["index.ts"] }),
  );
  if (stackFile) fs.copyFileSync(stackFile, path.join(dir, "Pulumi.prod.yaml"));
}

/** Runs the CLI in `dir`, whatever it exits. */
export function pulumiRun(env: NodeJS.ProcessEnv, dir: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync("pulumi", args, { cwd: dir, encoding: "utf8", env: { ...process.env, ...env } });
}

/** Runs the CLI in `dir`; fails the test with its stderr unless it exits 0. */
export function pulumi(env: NodeJS.ProcessEnv, dir: string, args: readonly string[]): string {
  const run = pulumiRun(env, dir, args);
  assert.equal(run.status, 0, `pulumi ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/** The CLI's JSON answer in `dir`. */
export function pulumiJson(env: NodeJS.ProcessEnv, dir: string, args: readonly string[]): unknown {
  return JSON.parse(pulumi(env, dir, args)) as unknown;
}
