/** `phoenix preview-summary [--fail-on-danger] FILE...`: one Markdown summary of `pulumi preview --json` outputs, dangers first. */
import * as fs from "node:fs";
import type { Command } from "commander";
import type { PreviewDigest } from "./summary";
import { UsageError } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";

/** The top-level keys of a PreviewDigest (pulumi/pulumi pkg/display/json.go). */
const DIGEST_KEYS = ["config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt"];

/** Why a parsed file is not a preview digest, or undefined when it is one. */
export function notADigest(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return "not a preview digest (a JSON object)";
  const keys = Object.keys(doc);
  if ("resources" in doc && "stack" in doc) return "this is a `phoenix plan` JSON, not a preview";
  const foreign = keys.filter((k) => !DIGEST_KEYS.includes(k));
  if (foreign.length > 0) return `not a preview digest: unknown top-level key(s) ${foreign.join(", ")}`;
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.steps) && !Array.isArray(d.diagnostics))
    return "not a preview digest: it has neither steps[] nor diagnostics[] (every preview has its stack's step, every failed one its error)";
  return undefined;
}

function readDigest(file: string): PreviewDigest {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `${file}: not the JSON of \`pulumi preview --json\` (${(err as Error).message.split("\n")[0]})`,
    );
  }
  const problem = notADigest(doc);
  if (problem) throw new UsageError(`${file}: ${problem}: give the output of \`pulumi preview --json\``);
  return doc as PreviewDigest;
}

/** Registers `phoenix preview-summary`. */
export function registerPreviewSummary(program: Command, act: Act, deps: Deps): void {
  program
    .command("preview-summary")
    .description(
      "Summarize `pulumi preview --json` outputs (one per stack) as one Markdown document: dangerous steps first, then a table per stack",
    )
    .argument("<files...>", "preview JSON files, one per stack")
    .option(
      "--fail-on-danger",
      "exit 1 when any dangerous step is present (a workflow then requires an explicit approval)",
    )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix preview-summary previews/*.json > summary.md",
        "  $ phoenix preview-summary --fail-on-danger previews/phoenix.prod.json previews/phoenix-backup-storage.prod.json",
        "",
        "Dangerous: a replace or delete of the EKS cluster, node groups, the VPC, subnets, route tables or gateways, of a backup",
        "bucket or any KMS key; an identity binding replaced; a namespace deleted; a namespace no schedule backs up any more",
        "(Velero's release removed, backups.enabled: false, dropped from every schedule); a schedule's ttl shortened.",
        "Every replaced or deleted resource is named per stack; a failed preview comes first.",
        "Exit status: 0 written; 1 a preview failed, or a dangerous step with --fail-on-danger; 2 a file that is not a preview digest.",
      ].join("\n"),
    )
    .action(
      act(async (files: string[], opts: { failOnDanger?: boolean }) => {
        const digests = files.map((file) => ({ source: file, digest: readDigest(file) }));
        const { renderSummary, summarize } = await import("./summary");
        const summary = summarize(digests);
        deps.io.out(renderSummary(summary));
        // A failed preview fails the check whatever else it holds: its stack's changes are unknown.
        if (summary.stacks.some((st) => st.errors.length > 0)) return 1;
        return opts.failOnDanger && summary.dangers.length > 0 ? 1 : 0;
      }),
    );
}
