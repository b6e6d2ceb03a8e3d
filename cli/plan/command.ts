/**
 * `phoenix plan`: evaluates the real programs under Pulumi's mock runtime, on a machine
 * with no cloud account, and prints what they would build. A platform stack's backup
 * storage reference is answered from the storage stack's own offline plan.
 *
 *   phoenix plan --stack S [--project DIR] [--json FILE]
 *   phoenix plan --all [--json DIR]      every stack of both projects, one process
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import type { PlanDocument } from "./plan";
import type { ProjectDir } from "../stacks/projects";
import { UsageError } from "../shared/errors";
import { withProgress } from "../shared/progress";
import { table } from "../shared/table";
import type { Act, Deps } from "../main";

interface PlanOptions {
  stack?: string;
  all?: boolean;
  json?: string;
  project?: string;
  timeline?: boolean;
  against?: string;
  markdown?: boolean;
}

/** A plan JSON written by `phoenix plan --json`; a usage error names the file otherwise. */
function readPlan(file: string): PlanDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`--against ${file}: cannot read it as JSON (${(err as Error).message.split("\n")[0]}): give a file written by \`phoenix plan --json\``);
  }
  const d = doc as Partial<PlanDocument> | null;
  if (!d || typeof d.stack !== "string" || !Array.isArray(d.resources) || !Array.isArray(d.namespaces) || !Array.isArray(d.backupSchedules)) {
    throw new UsageError(`--against ${file}: not a Phoenix plan (no stack, resources, namespaces and backupSchedules): give a file written by \`phoenix plan --json\``);
  }
  // Plans written before dependencies were recorded have none.
  const plan = d as PlanDocument;
  return { ...plan, resources: plan.resources.map((r: Partial<PlanDocument["resources"][number]> & Omit<PlanDocument["resources"][number], "dependencies">) => ({ ...r, dependencies: r.dependencies ?? [] })) };
}

/** The plan of a stack that does not exist on the base side: nothing. */
function emptyLike(doc: PlanDocument): PlanDocument {
  return { ...doc, resources: [], helmReleases: [], namespaces: [], backupSchedules: [], outputs: {} };
}

/** Marks the offline diff comment so a workflow finds and replaces it. */
export const PLAN_DIFF_MARKER = "<!-- phoenix-plan-diff -->";

/** The plan file of a stack in `--all --json DIR`. */
export function planFileName(doc: Pick<PlanDocument, "project" | "stack">): string {
  return `${doc.project}.${doc.stack}.json`;
}

function writeJson(file: string, doc: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
}

function seconds(started: bigint): string {
  return (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
}

/** Which project a `--project DIR` names: a relative DIR is read from the repository root (`--root`), as the README's examples write it. */
function projectOf(root: string, dir: string | undefined, projects: { platform: ProjectDir; storage: ProjectDir }): ProjectDir {
  if (dir === undefined) return projects.platform;
  const abs = path.resolve(root, dir);
  if (abs === projects.storage.dir) return projects.storage;
  // Any other folder is planned as a platform project (tests plan copies of the repository).
  return abs === root ? projects.platform : { kind: "platform", dir: abs };
}

/** Exit status of a verdict: 1 on a mandatory violation (advisory ones only print). */
function policyStatus(docs: readonly PlanDocument[]): number {
  return docs.every((d) => d.policy?.passed !== false) ? 0 : 1;
}

/** Every plan's policy verdict, as text or Markdown. */
async function verdicts(docs: readonly PlanDocument[], markdown: boolean): Promise<string> {
  const { renderVerdict } = await import("./policy");
  const text = docs.flatMap((d) => (d.policy ? [renderVerdict(d.policy, `${d.project}/${d.stack}`)] : [])).join("");
  return markdown ? ["### Policy verdict", "", "```", text.trimEnd(), "```", ""].join("\n") : text;
}

async function planOne(opts: PlanOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  const [{ Planner }, { projects }, { renderPlan }] = await Promise.all([import("./planner"), import("../stacks/projects"), import("./plan")]);
  const started = process.hrtime.bigint();
  const project = projectOf(root, opts.project, projects(root));
  const planner = new Planner(project.kind === "platform" && project.dir !== root ? project.dir : root);
  const doc = await planner.plan(project, { stack: opts.stack ?? "" });
  if (opts.against) {
    const { diffPlans, renderDiff } = await import("./diff");
    deps.io.out(renderDiff(diffPlans(readPlan(opts.against), doc), opts.markdown ? "markdown" : "text"));
    deps.io.out("\n" + (await verdicts([doc], opts.markdown === true)));
    if (opts.json) writeJson(opts.json, doc);
    return policyStatus([doc]);
  }
  deps.io.out(renderPlan(doc));
  deps.io.out("\n" + (await verdicts([doc], false)));
  if (opts.timeline) {
    const { modelTimeline, renderTimeline } = await import("./timeline");
    deps.io.out("\n" + renderTimeline(modelTimeline(doc.resources), `${doc.project}/${doc.stack}`));
  }
  if (opts.json) {
    writeJson(opts.json, doc);
    deps.io.out(`\nPlan JSON written to ${opts.json}\n`);
  }
  deps.io.out(`Planned ${doc.resources.length} resources in ${seconds(started)} s (offline, Pulumi mock runtime).\n`);
  return policyStatus([doc]);
}

async function planAll(opts: PlanOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  const [{ Planner }, { allStacks }, { listAllStacks }] = await Promise.all([import("./planner"), import("../stacks/projects"), import("../stacks/list")]);
  // Every broken stack file at once, before planning any: one fix-and-rerun, not one per file.
  const broken = listAllStacks(root).filter((s) => !s.valid);
  if (broken.length > 0) throw new UsageError(`${broken.length} invalid stack file${broken.length === 1 ? "" : "s"}; nothing was planned:\n\n${broken.map((b) => b.error).join("\n\n")}`);
  const started = process.hrtime.bigint();
  const planner = new Planner(root);
  const rows: string[][] = [];
  const docs: PlanDocument[] = [];
  const stacks = allStacks(root);
  await withProgress(
    stacks.map(({ project, stack }) => ({
      title: `plan ${project.kind} stack ${stack}`,
      run: async (update) => {
        const t = process.hrtime.bigint();
        const doc = await planner.plan(project, { stack });
        docs.push(doc);
        if (opts.json) writeJson(path.join(opts.json, planFileName(doc)), doc);
        const mandatory = doc.policy?.violations.filter((v) => v.enforcementLevel === "mandatory").length ?? 0;
        rows.push([doc.project, doc.stack, doc.region, String(doc.resources.length), mandatory === 0 ? "pass" : `${mandatory} mandatory`, `${seconds(t)} s`, opts.json ? path.join(opts.json, planFileName(doc)) : "-"]);
        update(`${doc.resources.length} resources`);
      },
    })),
    deps.io,
  );
  if (opts.against) {
    await diffAll(opts.against, docs, opts.markdown === true, deps);
    deps.io.out("\n" + (await verdicts(docs, opts.markdown === true)));
    return policyStatus(docs);
  }
  deps.io.out(table(["PROJECT", "STACK", "REGION", "RESOURCES", "POLICY", "TIME", "PLAN FILE"], rows).join("\n") + "\n\n");
  deps.io.out(await verdicts(docs, false));
  deps.io.out(`Planned ${stacks.length} stack${stacks.length === 1 ? "" : "s"} of both projects in ${seconds(started)} s (one process, offline).\n`);
  return policyStatus(docs);
}

/** Every stack's diff against the base plans in `dir` (`<project>.<stack>.json`); a stack new on either side shows whole. */
async function diffAll(dir: string, heads: readonly PlanDocument[], markdown: boolean, deps: Deps): Promise<void> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--against ${dir}: not a folder: with --all, give the folder \`phoenix plan --all --json\` wrote on the base`);
  const { diffPlans, renderDiff } = await import("./diff");
  const headFiles = new Set(heads.map(planFileName));
  const bases = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const out: string[] = markdown ? [PLAN_DIFF_MARKER, "## Phoenix offline plan diff", "", "Planned without cloud credentials (a fork's pull request gets it too); values only AWS knows read `<computed: ...>`.", ""] : [];
  for (const head of heads) {
    const file = path.join(dir, planFileName(head));
    const base = fs.existsSync(file) ? readPlan(file) : emptyLike(head);
    out.push(renderDiff(diffPlans(base, head), markdown ? "markdown" : "text") + (fs.existsSync(file) ? "" : "(a new stack: everything is added)\n"));
  }
  for (const f of bases.filter((b) => !headFiles.has(b))) {
    const base = readPlan(path.join(dir, f));
    out.push(renderDiff(diffPlans(base, emptyLike(base)), markdown ? "markdown" : "text") + "(the stack file is removed: everything goes)\n");
  }
  deps.io.out(out.join("\n"));
}

/** Registers `phoenix plan`. */
export function registerPlan(program: Command, act: Act, deps: Deps): void {
  program
    .command("plan")
    .description("Plan stacks offline under Pulumi's mock runtime: resources, Helm releases, namespaces, what Velero backs up and the policy verdict")
    .option("-s, --stack <name>", "the stack to plan (reads Pulumi.<name>.yaml of the project)")
    .option("--all", "plan every stack of both projects (backup storage and platform) in one process")
    .option("--json <path>", "write the plan as JSON: a file with --stack, a folder (one <project>.<stack>.json per stack) with --all")
    .option("--project <dir>", "the project folder of --stack: the repository root (platform, default) or stacks/backup-storage")
    .option("--timeline", "with --stack: the modeled critical path of a fresh `pulumi up`, from published durations per resource type")
    .option("--against <path>", "print the diff against a base plan instead: a plan JSON with --stack, the folder of `plan --all --json` with --all")
    .option("--markdown", "with --against: the diff as Markdown, for a pull-request comment")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix plan --stack prod",
        "  $ phoenix plan --stack prod --json plans/prod.json",
        "  $ phoenix plan --stack prod --project stacks/backup-storage",
        "  $ phoenix plan --all --json plans/",
        "  $ phoenix plan --stack prod --timeline",
        "  $ phoenix plan --stack prod --against base/phoenix.prod.json --markdown",
        "  $ phoenix plan --all --against base/ --markdown > plan-diff.md",
        "",
        "Every plan runs the policy pack's rules (policy/) over the planned resources and lists the violations.",
        "Exit status: 0 planned, no mandatory violation; 1 a mandatory policy violation (the plan is still written);",
        "2 usage error or a bad stack file (nothing written).",
      ].join("\n"),
    )
    .action(
      act(async (opts: PlanOptions) => {
        if (Boolean(opts.stack) === Boolean(opts.all)) throw new UsageError("give exactly one of --stack <name> and --all");
        if (opts.all && opts.project) throw new UsageError("--all plans every project: drop --project");
        if (opts.all && opts.timeline) throw new UsageError("--timeline models one stack: use it with --stack");
        if (opts.markdown && !opts.against) throw new UsageError("--markdown formats a diff: give --against too");
        return opts.all ? planAll(opts, deps) : planOne(opts, deps);
      }),
    );
}
