/**
 * `phoenix charts verify --stack S --charts DIR`: plans the stack offline (as `phoenix
 * plan` does) and checks every Helm release's values against the pinned chart version in
 * DIR (`DIR/<chart>/<version>/{values.yaml, values.schema.json, crds/}`), see
 * cli/charts/conformance.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { outFileOf } from "../shared/grammar";
import { UsageError } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";

interface VerifyOptions {
  stack: string;
  charts: string;
  project?: string;
  json?: string;
  out?: string;
}

async function verify(opts: VerifyOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  const chartsDir = path.resolve(opts.charts);
  // A DIR that does not exist yet is an empty cache: every release then fails with how
  // to fill it. Only a path to something else is a usage error.
  if (fs.existsSync(chartsDir) && !fs.statSync(chartsDir).isDirectory())
    throw new UsageError(`--charts ${opts.charts}: not a directory`);
  const started = process.hrtime.bigint();
  const [{ Planner }, { projects }, { renderReport, verifyReleases }] = await Promise.all([
    import("../plan/planner"),
    import("../stacks/projects"),
    import("./conformance"),
  ]);
  const projectDir = path.resolve(opts.project ?? root);
  const doc = await new Planner(projectDir).plan(projects(projectDir).platform, { stack: opts.stack });
  const reports = verifyReleases(doc.helmReleases, chartsDir);
  deps.io.out(`Chart conformance: stack ${doc.stack}, charts from ${chartsDir}\n`);
  deps.io.out(renderReport(reports).join("\n") + "\n");
  const failed = reports.filter((r) => r.problems.length > 0).length;
  const out = outFileOf(opts, deps.io, "charts verify");
  if (out) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ stack: doc.stack, charts: chartsDir, releases: reports }, null, 2) + "\n");
    deps.io.out(`Report JSON written to ${out}\n`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  deps.io.out(
    `${reports.length} release${reports.length === 1 ? "" : "s"} checked, ${failed === 0 ? "all conform" : `${failed} with problems`} (${(ms / 1000).toFixed(1)} s).\n`,
  );
  return failed === 0 ? 0 : 1;
}

/** Registers `phoenix charts verify`. */
export function registerCharts(program: Command, act: Act, deps: Deps): void {
  const charts = program
    .command("charts")
    .description("Helm chart checks")
    .addHelpText("after", "\nExamples:\n  $ phoenix charts verify --stack prod --charts ../shared/reference/charts");
  charts
    .command("verify")
    .description(
      "Check every Helm release's values of a stack against its pinned chart: keys, values schema and the CRDs of rendered custom resources",
    )
    .requiredOption("-s, --stack <name>", "the platform stack to check")
    .requiredOption(
      "--charts <dir>",
      "pinned charts, laid out <dir>/<chart>/<version>/{values.yaml, values.schema.json, crds/}",
    )
    .option("--project <dir>", "the platform project folder (default: the repository root)")
    .option("--out <file>", "also write the report (every release, what was checked, each problem) as JSON")
    .addOption(new Option("--json <file>", "deprecated: use --out").hideHelp())
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix charts verify --stack prod --charts ../shared/reference/charts",
        "  $ scripts/fill-chart-cache.sh .charts && phoenix charts verify --stack prod --charts .charts",
        "",
        "Exit status: 0 every release conforms; 1 a release has problems (a chart version missing from <dir> included); 2 usage error or a bad stack file.",
      ].join("\n"),
    )
    .action(act((opts: VerifyOptions) => verify(opts, deps)));
}
