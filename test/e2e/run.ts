/**
 * `npm run e2e`: builds the upstream programs when the cache lacks them, prints their
 * versions first, runs every scenario (test/e2e/scenarios/*.e2e.ts) under node:test one
 * file at a time, and writes .e2e/report.json: each test's name, result and duration,
 * and the upstream versions. Without Go it says so loudly, writes a report that says
 * so, and exits 0, as the chart checks do without ../shared.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { engineProviders, upstreamPrograms } from "../../components/catalog";
import { ROOT } from "../helpers";
import { buildAll } from "./upstream/build";
import { engineHome } from "./upstream/engine";
import { binary, cacheRoot, goAvailable, SKIPPED, type ProgramName } from "./upstream/paths";

/** What each program says its version is, run from the cache (proof of what actually ran). */
const VERSION_COMMANDS: Record<ProgramName, readonly string[]> = {
  kubernetes: ["kube-apiserver", "--version"],
  etcd: ["etcd", "--version"],
  kwok: ["kwok", "--version"],
  helm: ["helm", "version", "--short"],
  velero: ["velero", "version", "--client-only"],
  minio: ["minio", "--version"],
  snapshotter: ["snapshot-controller", "-version"],
  pulumi: ["pulumi", "version"],
};

function reportedVersion(name: ProgramName): string {
  const [bin, ...args] = VERSION_COMMANDS[name];
  const run = spawnSync(binary(name, bin), args, { encoding: "utf8" });
  return `${run.stdout}${run.stderr}`.trim().split("\n").filter(Boolean).slice(0, 2).join(" ").replace(/\s+/g, " ");
}

/** The providers the engine has installed (`pulumi plugin ls --json` in its home), by name. */
function installedProviders(): Record<string, { module: string; version: string; release: string; installed: string }> {
  const ls = spawnSync(binary("pulumi", "pulumi"), ["plugin", "ls", "--json"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_HOME: engineHome(), PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const plugins = ls.status === 0 ? (JSON.parse(ls.stdout) as { name: string; kind: string; version: string }[]) : [];
  return Object.fromEntries(
    Object.entries(engineProviders).map(([name, p]) => {
      const found = plugins.find((x) => x.kind === "resource" && x.name === name);
      return [name, { module: p.module, version: p.version, release: p.release, installed: found?.version ?? "none" }];
    }),
  );
}

function main(): number {
  const started = Date.now();
  const reportDir = path.join(ROOT, ".e2e");
  fs.mkdirSync(reportDir, { recursive: true });
  const reportFile = path.join(reportDir, "report.json");
  if (!goAvailable()) {
    console.log(SKIPPED("Go is not installed: the upstream programs cannot be built"));
    fs.writeFileSync(reportFile, JSON.stringify({ skipped: "Go is not installed", scenarios: [] }, null, 2) + "\n");
    return 0;
  }
  console.log("Upstream programs pinned (components/catalog.ts):");
  for (const [name, p] of Object.entries(upstreamPrograms))
    console.log(`  ${name.padEnd(11)} ${p.module}@${p.version}`);
  const built = Date.now();
  buildAll();
  const buildSeconds = Math.round((Date.now() - built) / 1000);
  const upstream = Object.fromEntries(
    (Object.keys(upstreamPrograms) as ProgramName[]).map((name) => [
      name,
      {
        module: upstreamPrograms[name].module,
        version: upstreamPrograms[name].version,
        reported: reportedVersion(name),
      },
    ]),
  );
  console.log("Upstream programs under test, as each reports itself:");
  for (const [name, u] of Object.entries(upstream))
    console.log(`  ${name.padEnd(11)} ${u.module}@${u.version}  (${u.reported})`);
  const providers = installedProviders();
  for (const [name, p] of Object.entries(providers))
    console.log(
      `  ${`provider ${name}`.padEnd(11)} ${p.module}@${p.version}  (release ${p.release}, installed ${p.installed})`,
    );
  const scenarios = path.join(__dirname, "scenarios");
  const files = fs
    .readdirSync(scenarios)
    .filter((f) => f.endsWith(".e2e.ts"))
    .sort()
    .map((f) => path.join(scenarios, f));
  const events = path.join(reportDir, "events.jsonl");
  fs.rmSync(events, { force: true });
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=1",
      "--test-timeout=1200000",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      `--test-reporter=${path.join(__dirname, "harness", "reporter.mjs")}`,
      `--test-reporter-destination=${events}`,
      ...files,
    ],
    { cwd: ROOT, stdio: "inherit", env: process.env },
  );
  const results = fs.existsSync(events)
    ? fs
        .readFileSync(events, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { file?: string; type: string })
    : [];
  // Every harness process runs a binary from the cache: any still running was left behind.
  const ps = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  const leftover = ps.stdout.split("\n").filter((l) => l.includes(cacheRoot()) && !l.includes("ps -eo"));
  if (leftover.length > 0)
    console.log(`!!! the e2e run left ${leftover.length} processes behind:\n${leftover.join("\n")}`);
  const report = {
    startedAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    buildSeconds,
    upstream,
    engineProviders: providers,
    scenarios: results
      .filter((r) => r.type === "suite" || r.type === "test")
      .map((r) => ({ ...r, file: r.file ? path.relative(ROOT, r.file) : undefined })),
    status: run.status,
    leftoverProcesses: leftover.length,
  };
  fs.writeFileSync(reportFile, JSON.stringify(report, null, 2) + "\n");
  console.log(
    `e2e report: ${path.relative(process.cwd(), reportFile)} (${report.scenarios.length} tests and suites, ${report.durationSeconds} s)`,
  );
  return leftover.length > 0 ? 1 : (run.status ?? 1);
}

process.exitCode = main();
