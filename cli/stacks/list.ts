/**
 * Every stack of both projects, with its folder, region and runner (the workflows'
 * matrix), and whether its stack file is valid: one broken file is listed with its error
 * and breaks nothing else.
 */
import * as path from "node:path";
import { inputProblem } from "../shared/errors";
import { parseStackConfig, parseStorageConfig } from "./config";
import { allStacks } from "./projects";
import { loadStack, projectName, readStackDocument } from "./stackFile";
import { stackFileName } from "./names";

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
  /** Whether the stack file passes validation; `error` says why not. */
  readonly valid: boolean;
  readonly error?: string;
}

const GITHUB_HOSTED = ["ubuntu-latest"];

/** The runner labels a stack file names, unvalidated. */
function runnerLabels(
  kind: StackEntry["kind"],
  config: Record<string, unknown> | undefined,
  project: string,
): string[] {
  const runner = config?.[`${project}:runner`];
  const labels = typeof runner === "object" && runner !== null ? (runner as { labels?: unknown }).labels : undefined;
  const valid = Array.isArray(labels) && labels.length > 0 && labels.every((l) => typeof l === "string");
  return kind === "platform" && valid ? labels : GITHUB_HOSTED;
}

/** Why a stack file is invalid, or undefined: its own problems only, never another stack's. */
function problemOf(root: string, kind: StackEntry["kind"], dir: string, stack: string): string | undefined {
  try {
    const loaded = loadStack(dir, stack);
    const id = {
      project: loaded.project,
      stack,
      stackFile: path.relative(root, loaded.stackFile),
      isSecret: (k: string) => loaded.secretKeys.includes(k),
    };
    if (kind === "platform") parseStackConfig(loaded.config, id);
    else parseStorageConfig(loaded.config, id);
    return undefined;
  } catch (err) {
    const problem = inputProblem(err);
    if (problem === undefined) throw err;
    return problem;
  }
}

/** The repository's stacks, storage first. */
export function listAllStacks(root: string): StackEntry[] {
  return allStacks(root).map(({ project, stack }) => {
    let doc: { config?: Record<string, unknown> } | null = null;
    try {
      doc = readStackDocument(path.join(project.dir, stackFileName(stack))) as {
        config?: Record<string, unknown>;
      } | null;
    } catch {
      // Unreadable YAML: problemOf says what is wrong with it.
    }
    const region = doc?.config?.["aws:region"];
    const name = projectName(project.dir);
    const error = problemOf(root, project.kind, project.dir, stack);
    return {
      kind: project.kind,
      project: name,
      dir: path.relative(root, project.dir) || ".",
      stack,
      region: typeof region === "string" ? region : "",
      runner: runnerLabels(project.kind, doc?.config, name),
      valid: error === undefined,
      ...(error === undefined ? {} : { error }),
    };
  });
}
