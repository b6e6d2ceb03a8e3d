/**
 * `phoenix stacks [--json]`: every stack of both projects, with its project folder and
 * region, read from the stack files alone (no validation, no Pulumi): the matrix the
 * pull-request and deploy workflows run over.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { table } from "../shared/table";
import type { Act, Deps } from "../main";

/** One stack, as a workflow matrix entry. */
export interface StackEntry {
  readonly kind: "storage" | "platform";
  readonly project: string;
  /** Project folder relative to the repository root (`.` for the platform). */
  readonly dir: string;
  readonly stack: string;
  /** `aws:region` of the stack file (empty when it sets none: the plan reports that). */
  readonly region: string;
  /**
   * `runs-on` labels of the jobs that deploy or preview it: the platform stack's
   * `phoenix:runner.labels` (its API is reachable from there only); GitHub's standard
   * runner for storage stacks, which call AWS APIs alone, and for a platform stack whose
   * file sets none (its plan then fails and says so).
   */
  readonly runner: readonly string[];
}

const GITHUB_HOSTED = ["ubuntu-latest"];

/** The runner labels a stack file names, unvalidated. */
function runnerLabels(kind: StackEntry["kind"], config: Record<string, unknown> | undefined, project: string): string[] {
  const runner = config?.[`${project}:runner`];
  const labels = typeof runner === "object" && runner !== null ? (runner as { labels?: unknown }).labels : undefined;
  const valid = Array.isArray(labels) && labels.length > 0 && labels.every((l) => typeof l === "string");
  return kind === "platform" && valid ? labels : GITHUB_HOSTED;
}

/** The repository's stacks, storage first. */
export async function listAllStacks(root: string): Promise<StackEntry[]> {
  const [{ allStacks }, { projectName, readStackDocument }, { stackFileName }] = await Promise.all([import("./projects"), import("./stackFile"), import("../../stacks/config")]);
  return allStacks(root).map(({ project, stack }) => {
    const doc = readStackDocument(path.join(project.dir, stackFileName(stack))) as { config?: Record<string, unknown> } | null;
    const region = doc?.config?.["aws:region"];
    const name = projectName(project.dir);
    return { kind: project.kind, project: name, dir: path.relative(root, project.dir) || ".", stack, region: typeof region === "string" ? region : "", runner: runnerLabels(project.kind, doc?.config, name) };
  });
}

/** Registers `phoenix stacks`. */
export function registerStacks(program: Command, act: Act, deps: Deps): void {
  program
    .command("stacks")
    .description("List every stack of both projects (backup storage and platform) with its folder and region")
    .option("--json", "print them as one JSON array (a workflow matrix)")
    .addHelpText("after", ["", "Examples:", "  $ phoenix stacks", "  $ phoenix stacks --json"].join("\n"))
    .action(
      act(async (opts: { json?: boolean }) => {
        const stacks = await listAllStacks(deps.root());
        deps.io.out(opts.json ? JSON.stringify(stacks) + "\n" : table(["KIND", "PROJECT", "DIR", "STACK", "REGION", "RUNNER"], stacks.map((s) => [s.kind, s.project, s.dir, s.stack, s.region, s.runner.join(",")])).join("\n") + "\n");
        return 0;
      }),
    );
}
