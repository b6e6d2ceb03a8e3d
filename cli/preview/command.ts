/** `phoenix preview-summary [--fail-on-danger] FILE...`: one Markdown summary of `pulumi preview --json` outputs, dangers first. */
import * as fs from "node:fs";
import type { Command } from "commander";
import type { PreviewDigest } from "./summary";
import { UsageError } from "../shared/errors";
import type { Act, Deps } from "../main";

function readDigest(file: string): PreviewDigest {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: not the JSON of \`pulumi preview --json\` (${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || ("steps" in doc && !Array.isArray((doc).steps))) {
    throw new UsageError(`${file}: not a preview digest (an object with steps[]): give the output of \`pulumi preview --json\``);
  }
  return doc;
}

/** Registers `phoenix preview-summary`. */
export function registerPreviewSummary(program: Command, act: Act, deps: Deps): void {
  program
    .command("preview-summary")
    .description("Summarize `pulumi preview --json` outputs (one per stack) as one Markdown document: dangerous steps first, then a table per stack")
    .argument("<files...>", "preview JSON files, one per stack")
    .option("--fail-on-danger", "exit 1 when any dangerous step is present (a workflow then requires an explicit approval)")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix preview-summary previews/*.json > summary.md",
        "  $ phoenix preview-summary --fail-on-danger previews/phoenix.prod.json previews/phoenix-backup-storage.prod.json",
        "",
        "Dangerous: a replace or delete of the EKS cluster, node groups, VPC or subnets, of a backup bucket or any KMS key;",
        "an identity binding replaced; a Velero schedule whose namespaces shrink; a namespace deleted.",
        "Exit status: 0 written; 1 a dangerous step with --fail-on-danger; 2 a file that is not a preview digest.",
      ].join("\n"),
    )
    .action(
      act(async (files: string[], opts: { failOnDanger?: boolean }) => {
        const digests = files.map((file) => ({ source: file, digest: readDigest(file) }));
        const { renderSummary, summarize } = await import("./summary");
        const summary = summarize(digests);
        deps.io.out(renderSummary(summary));
        return opts.failOnDanger && summary.dangers.length > 0 ? 1 : 0;
      }),
    );
}
