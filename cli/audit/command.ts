/**
 * `phoenix audit --kubeconfig FILE [--context NAME] [--stack S] [--json FILE]`: reads a
 * running cluster and checks the backup rule against what is really there: every
 * namespace holding state is backed up or recreated from Git, and no backup takes a
 * namespace that code or Git recreates.
 *
 * `--stack` is optional because the cluster carries its own evidence (Phoenix labels
 * every namespace it creates with its class); with it, the stack's inventory (read from
 * Pulumi.<stack>.yaml and classified as `phoenix plan` does, without running the Pulumi
 * program) adds the plugin namespaces, declared Applications and imperative namespaces,
 * so a namespace the labels forgot is still judged right.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { outFileOf } from "../shared/grammar";
import type { StackInventory } from "./classify";
import { UsageError } from "../shared/errors";
import { withProgress } from "../shared/progress";
import type { Act, Deps } from "../shared/deps";

/** Reads a stack's inventory the way `phoenix plan` validates it, without the Pulumi program. */
export async function stackInventory(projectDir: string, stack: string): Promise<StackInventory> {
  // Loaded only with --stack: the schema reaches the Pulumi SDK, which takes a while.
  const { loadStack } = await import("../stacks/stackFile");
  const { parseStackConfig } = await import("../stacks/config");
  const loaded = loadStack(projectDir, stack);
  const cfg = parseStackConfig(loaded.config, { project: loaded.project, stack });
  const { planPlatform } = await (await import("../stacks/programs")).platformComposition();
  return { stackFile: cfg.stackFile, inventory: planPlatform(cfg).inventory };
}

interface AuditOptions {
  kubeconfig: string;
  context?: string;
  stack?: string;
  project?: string;
  json?: string;
  out?: string;
}

async function audit(opts: AuditOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  if (opts.project && !opts.stack)
    throw new UsageError("--project only says where --stack's file is: give --stack too");
  const stack = opts.stack ? await stackInventory(path.resolve(opts.project ?? root), opts.stack) : undefined;
  // Loaded lazily, so a wrong kubeconfig or context fails at once.
  const { ClusterAccessError, openCluster, readCluster } = await import("./live");
  try {
    const reader = await openCluster({ kubeconfig: opts.kubeconfig, context: opts.context });
    // Listing every namespace's objects takes seconds on a real cluster: show it.
    let live: Awaited<ReturnType<typeof readCluster>> | undefined;
    await withProgress(
      [{ title: `read ${reader.target.server}`, run: async () => void (live = await readCluster(reader)) }],
      deps.io,
    );
    if (live === undefined) throw new Error("the cluster read returned nothing");
    const [{ audit: classify }, { auditDocument, renderAudit }] = await Promise.all([
      import("./classify"),
      import("./report"),
    ]);
    const result = classify({ ...live, stack });
    const doc = auditDocument(result, reader.target, stack?.stackFile);
    deps.io.out(renderAudit(doc));
    const out = outFileOf(opts, deps.io, "audit");
    if (out) {
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      fs.writeFileSync(out, JSON.stringify(doc, null, 2) + "\n");
      deps.io.out(`Audit JSON written to ${out}\n`);
    }
    return result.failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ClusterAccessError) throw new UsageError(`audit: ${err.message}`);
    throw err;
  }
}

/** Registers `phoenix audit`. */
export function registerAudit(program: Command, act: Act, deps: Deps): void {
  program
    .command("audit")
    .description(
      "Audit a running cluster: every namespace holding state is backed up or recreated from Git, and no backup takes what code recreates",
    )
    .requiredOption("--kubeconfig <file>", "kubeconfig of the cluster to read")
    .option("--context <name>", "kubeconfig context (default: its current context)")
    .option("-s, --stack <name>", "also judge by this stack's inventory (Pulumi.<name>.yaml)")
    .option("--project <dir>", "the folder holding --stack's file (default: the repository root)")
    .option("--out <file>", "also write the audit as JSON")
    .addOption(new Option("--json <file>", "deprecated: use --out").hideHelp())
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix audit --kubeconfig ~/.kube/config --stack prod",
        "  $ phoenix audit --kubeconfig kubeconfig.yaml --context prod --out audit.json",
        "",
        "Exit status: 0 every namespace with state is covered; 1 a failing finding; 2 usage error, bad stack file, or the cluster cannot be read.",
      ].join("\n"),
    )
    .action(act((opts: AuditOptions) => audit(opts, deps)));
}
