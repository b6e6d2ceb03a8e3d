/**
 * `npm run charts:verify -- --stack S --charts DIR`: plans the stack offline (as
 * `npm run plan` does) and checks every Helm release's values against the pinned chart
 * version in DIR (`DIR/<chart>/<version>/{values.yaml, values.schema.json, crds/}`),
 * see stacks/offline/conformance.ts. Exits 0 when every release conforms, 1 on any
 * problem (a chart version missing from DIR included) or a bad stack file, 2 on a usage
 * error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, runCommand } from "./cli";

const USAGE =
  "usage: npm run charts:verify -- --stack <name> --charts <dir> [--project <dir>]   (checks each release of <dir>/Pulumi.<name>.yaml against <charts>/<chart>/<version>/; project dir defaults to this project)";

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine<{ stack?: string; charts?: string; project?: string; help?: boolean }>(
    argv,
    { stack: { type: "string", short: "s" }, charts: { type: "string" }, project: { type: "string" } },
    USAGE,
    ["stack", "charts"],
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const stack = values.stack ?? "";
  const chartsDir = path.resolve(values.charts ?? "");
  // A DIR that does not exist yet is an empty cache: every release then fails with how
  // to fill it. Only a path to something else is a usage error.
  if (fs.existsSync(chartsDir) && !fs.statSync(chartsDir).isDirectory()) {
    process.stderr.write(`--charts ${values.charts}: not a directory\n${USAGE}\n`);
    return 2;
  }
  const started = process.hrtime.bigint();
  // Loaded only now, so a usage error answers at once, without loading Pulumi.
  const [{ planOrExit }, { renderReport, verifyReleases }] = await Promise.all([import("./plan"), import("./offline/conformance")]);
  const doc = await planOrExit(path.resolve(values.project ?? path.join(__dirname, "..")), stack, "Nothing checked.");
  if ("exit" in doc) return doc.exit;
  const reports = verifyReleases(doc.helmReleases, chartsDir);
  process.stdout.write(`Chart conformance: stack ${doc.stack}, charts from ${chartsDir}\n`);
  process.stdout.write(renderReport(reports).join("\n") + "\n");
  const failed = reports.filter((r) => r.problems.length > 0).length;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `${reports.length} release${reports.length === 1 ? "" : "s"} checked, ${failed === 0 ? "all conform" : `${failed} with problems`} (${(ms / 1000).toFixed(1)} s).\n`,
  );
  return failed === 0 ? 0 : 1;
}

if (require.main === module) runCommand("charts:verify", main);
