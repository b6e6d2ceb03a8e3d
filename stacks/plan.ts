/**
 * `npm run plan -- --stack S [--json FILE]`: evaluates the real Phoenix program for one
 * stack under Pulumi's mock runtime, on a machine with no cloud account, and prints
 * what it would build. A bad stack file exits 1 with the validation report and writes
 * no plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, runCommand, stackInputProblem } from "./cli";
import { parseStackConfig } from "./config";
import { buildPlan, renderPlan, type PlanDocument } from "./offline/plan";
import { evaluateOffline, resolve } from "./offline/runtime";
import { loadStack } from "./offline/stackFile";
import { planPlatform } from "./platform";

const USAGE = "usage: npm run plan -- --stack <name> [--json <file>] [--project <dir>]   (reads <dir>/Pulumi.<name>.yaml; dir defaults to this project)";

/** Plans one stack of the project in `projectDir`. Throws the loader's or validator's error on bad input. */
export async function planStack(projectDir: string, stack: string): Promise<PlanDocument> {
  const loaded = loadStack(projectDir, stack);
  // Validate and classify before the mock runtime starts: a bad stack file fails here,
  // before anything is planned.
  const cfg = parseStackConfig(loaded.config, { project: loaded.project, stack, isSecret: (k) => loaded.secretKeys.includes(k) });
  planPlatform(cfg);
  // Imported only now: the program must load after the mocks are in place (FIELD-NOTES, Pulumi).
  const { program } = await import("./program");
  const result = await evaluateOffline(loaded, program);
  const outputs = (await resolve(result.outputs)) as Record<string, unknown>;
  return buildPlan({
    project: loaded.project,
    stack,
    region: cfg.region,
    resources: result.resources,
    namespaces: result.outputs.namespaces,
    outputs,
  });
}

/**
 * Plans a stack for a command: a bad stack file or inventory prints its report and what
 * the command did not do (`undone`), and gives exit status 1 instead of a plan.
 */
export async function planOrExit(projectDir: string, stack: string, undone: string): Promise<PlanDocument | { exit: number }> {
  try {
    return await planStack(projectDir, stack);
  } catch (err) {
    const problem = await stackInputProblem(err);
    if (problem === undefined) throw err;
    process.stderr.write(`${problem}\n${undone}\n`);
    return { exit: 1 };
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine<{ stack?: string; json?: string; project?: string; help?: boolean }>(
    argv,
    { stack: { type: "string", short: "s" }, json: { type: "string" }, project: { type: "string" } },
    USAGE,
    ["stack"],
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const stack = values.stack ?? "";
  const started = process.hrtime.bigint();
  const doc = await planOrExit(path.resolve(values.project ?? path.join(__dirname, "..")), stack, "No plan written.");
  if ("exit" in doc) return doc.exit;
  process.stdout.write(renderPlan(doc));
  if (values.json) {
    fs.mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
    fs.writeFileSync(values.json, JSON.stringify(doc, null, 2) + "\n");
    process.stdout.write(`\nPlan JSON written to ${values.json}\n`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`Planned ${doc.resources.length} resources in ${(ms / 1000).toFixed(1)} s (offline, Pulumi mock runtime).\n`);
  return 0;
}

if (require.main === module) runCommand("plan", main);
