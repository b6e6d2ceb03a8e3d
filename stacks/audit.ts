/**
 * `npm run audit -- --kubeconfig FILE [--context NAME] [--stack S] [--json FILE]`:
 * reads a running cluster and checks the backup rule against what is really there:
 * every namespace holding state is backed up or recreated from Git, and no backup
 * takes a namespace that code or Git recreates.
 *
 * `--stack` is optional because the cluster carries its own evidence (Phoenix labels
 * every namespace it creates with its class); with it, the stack's inventory (read
 * from Pulumi.<stack>.yaml and classified as `npm run plan` does, without running the
 * Pulumi program) adds the plugin namespaces, declared Applications and imperative
 * namespaces, so a namespace the labels forgot is still judged right.
 *
 * Exit status: 0 no failing finding, 1 at least one, 2 usage error, bad stack file, or
 * a cluster that cannot be read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, runCommand, stackInputProblem } from "./cli";
import type { StackInventory } from "./audit/classify";
import { ClusterAccessError, openCluster, readCluster } from "./audit/live";

// The stack loader is imported only with --stack: it reaches the Pulumi SDK (through
// the stack schema), which takes seconds to load. The classifier and the report load
// lazily too, so a wrong kubeconfig or context fails at once.

const USAGE =
  "usage: npm run audit -- --kubeconfig <file> [--context <name>] [--stack <name> [--project <dir>]] [--json <file>]\n" +
  "  exit 0: every namespace with state is covered; 1: a failing finding; 2: usage error or the cluster cannot be read";

/** Reads a stack's inventory the way `npm run plan` validates it, without the Pulumi program. */
export async function stackInventory(projectDir: string, stack: string): Promise<StackInventory> {
  const { loadStack } = await import("./offline/stackFile");
  const { parseStackConfig } = await import("./config");
  const loaded = loadStack(projectDir, stack);
  const cfg = parseStackConfig(loaded.config, { project: loaded.project, stack });
  const { planPlatform } = await import("./platform");
  return { stackFile: cfg.stackFile, inventory: planPlatform(cfg).inventory };
}

/** The audit's command-line options. */
interface Options {
  kubeconfig?: string;
  context?: string;
  stack?: string;
  project?: string;
  json?: string;
  help?: boolean;
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine<Options>(
    argv,
    {
      kubeconfig: { type: "string" },
      context: { type: "string" },
      stack: { type: "string", short: "s" },
      project: { type: "string" },
      json: { type: "string" },
    },
    USAGE,
    ["kubeconfig"],
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const kubeconfig = values.kubeconfig ?? "";
  if (values.project && !values.stack) {
    process.stderr.write(`--project only says where --stack's file is: give --stack too\n${USAGE}\n`);
    return 2;
  }

  let stack: StackInventory | undefined;
  if (values.stack) {
    try {
      stack = await stackInventory(path.resolve(values.project ?? path.join(__dirname, "..")), values.stack);
    } catch (err) {
      const problem = await stackInputProblem(err);
      if (problem !== undefined) {
        process.stderr.write(`${problem}\nNo audit run: fix the stack file or leave out --stack.\n`);
        return 2;
      }
      throw err;
    }
  }

  try {
    const reader = await openCluster({ kubeconfig, context: values.context });
    const live = await readCluster(reader);
    const [{ audit }, { auditDocument, renderAudit }] = await Promise.all([import("./audit/classify"), import("./audit/report")]);
    const result = audit({ ...live, stack });
    const doc = auditDocument(result, reader.target, stack?.stackFile);
    process.stdout.write(renderAudit(doc));
    if (values.json) {
      fs.mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
      fs.writeFileSync(values.json, JSON.stringify(doc, null, 2) + "\n");
      process.stdout.write(`Audit JSON written to ${values.json}\n`);
    }
    return result.failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ClusterAccessError) {
      process.stderr.write(`audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) runCommand("audit", main, 2);
