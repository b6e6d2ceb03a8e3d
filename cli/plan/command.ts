/**
 * `phoenix plan`: evaluates the real programs under Pulumi's mock runtime, on a machine
 * with no cloud account, and prints what they would build. A platform stack's backup
 * storage reference is answered from the storage stack's own offline plan.
 *
 *   phoenix plan --stack S [--project DIR] [--out FILE] [-o table|json]
 *   phoenix plan --all [--out DIR]                  every stack of both projects, one process
 *   phoenix plan diff --stack S|--all --against BASE [-o table|markdown|json] [--fail-on-danger]
 *
 * `--json PATH` (now `--out`) and `plan --against` (now `plan diff`) work for one release.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import type { PlanDocument } from "./plan";
import type { ProjectDir } from "../stacks/projects";
import { UsageError } from "../shared/errors";
import { deprecated, optionsAfterVerb, outputFlag, outputOption } from "../shared/grammar";
import { withProgress } from "../shared/progress";
import { table } from "../shared/table";
import type { Act, Deps } from "../shared/deps";

interface PlanOptions {
  stack?: string;
  all?: boolean;
  /** Where to write the plan JSON: a file with --stack, a folder with --all. */
  out?: string;
  project?: string;
  timeline?: boolean;
  against?: string;
  /** table (text), json, or markdown (a diff only). */
  output?: string;
  failOnDanger?: boolean;
}

/** Exit status of a diff: 1 with --fail-on-danger when something stops being backed up. */
async function dangerStatus(opts: PlanOptions, diffs: readonly import("./diff").PlanDiff[]): Promise<number> {
  const { diffDangers } = await import("./diff");
  return opts.failOnDanger && diffs.some((d) => diffDangers(d).length > 0) ? 1 : 0;
}

/** A plan JSON written by `phoenix plan --json`; a usage error names the file otherwise. */
function readPlan(file: string): PlanDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `--against ${file}: cannot read it as JSON (${(err as Error).message.split("\n")[0]}): give a file written by \`phoenix plan --json\``,
    );
  }
  const d = doc as Partial<PlanDocument> | null;
  if (
    !d ||
    typeof d.stack !== "string" ||
    !Array.isArray(d.resources) ||
    !Array.isArray(d.namespaces) ||
    !Array.isArray(d.backupSchedules)
  ) {
    throw new UsageError(
      `--against ${file}: not a Phoenix plan (no stack, resources, namespaces and backupSchedules): give a file written by \`phoenix plan --json\``,
    );
  }
  // Plans written before dependencies were recorded have none.
  const plan = d as PlanDocument;
  return {
    ...plan,
    resources: plan.resources.map(
      (r: Partial<PlanDocument["resources"][number]> & Omit<PlanDocument["resources"][number], "dependencies">) => ({
        ...r,
        dependencies: r.dependencies ?? [],
      }),
    ),
  };
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

/** Which project a `--project DIR` names: a relative DIR is read from the repository root (`--root`), as the docs' examples write it. */
function projectOf(
  root: string,
  dir: string | undefined,
  projects: { platform: ProjectDir; storage: ProjectDir },
): ProjectDir {
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
  const [{ Planner }, { projects }, { renderPlan }] = await Promise.all([
    import("./planner"),
    import("../stacks/projects"),
    import("./plan"),
  ]);
  const started = process.hrtime.bigint();
  const project = projectOf(root, opts.project, projects(root));
  const planner = new Planner(project.kind === "platform" && project.dir !== root ? project.dir : root);
  const doc = await planner.plan(project, { stack: opts.stack ?? "" });
  if (opts.against) {
    const { diffPlans, renderDiff } = await import("./diff");
    const diff = diffPlans(readPlan(opts.against), doc);
    if (opts.output === "json") deps.io.out(JSON.stringify(diff, null, 2) + "\n");
    else {
      deps.io.out(renderDiff(diff, opts.output === "markdown" ? "markdown" : "text"));
      deps.io.out("\n" + (await verdicts([doc], opts.output === "markdown")));
    }
    if (opts.out) writeJson(opts.out, doc);
    return Math.max(policyStatus([doc]), await dangerStatus(opts, [diff]));
  }
  if (opts.output === "json") {
    deps.io.out(JSON.stringify(doc, null, 2) + "\n");
    if (opts.out) writeJson(opts.out, doc);
    return policyStatus([doc]);
  }
  deps.io.out(renderPlan(doc));
  deps.io.out("\n" + (await verdicts([doc], false)));
  if (opts.timeline) {
    const { modelTimeline, renderTimeline } = await import("./timeline");
    deps.io.out("\n" + renderTimeline(modelTimeline(doc.resources), `${doc.project}/${doc.stack}`));
  }
  if (opts.out) {
    writeJson(opts.out, doc);
    deps.io.out(`\nPlan JSON written to ${opts.out}\n`);
  }
  deps.io.out(`Planned ${doc.resources.length} resources in ${seconds(started)} s (offline, Pulumi mock runtime).\n`);
  return policyStatus([doc]);
}

async function planAll(opts: PlanOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  const [{ Planner }, { allStacks }, { listAllStacks }] = await Promise.all([
    import("./planner"),
    import("../stacks/projects"),
    import("../stacks/list"),
  ]);
  // Every broken stack file at once, before planning any: one fix-and-rerun, not one per file.
  const broken = listAllStacks(root).filter((s) => !s.valid);
  if (broken.length > 0)
    throw new UsageError(
      `${broken.length} invalid stack file${broken.length === 1 ? "" : "s"}; nothing was planned:\n\n${broken.map((b) => b.error).join("\n\n")}`,
    );
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
        if (opts.out) writeJson(path.join(opts.out, planFileName(doc)), doc);
        const mandatory = doc.policy?.violations.filter((v) => v.enforcementLevel === "mandatory").length ?? 0;
        rows.push([
          doc.project,
          doc.stack,
          doc.region,
          String(doc.resources.length),
          mandatory === 0 ? "pass" : `${mandatory} mandatory`,
          `${seconds(t)} s`,
          opts.out ? path.join(opts.out, planFileName(doc)) : "-",
        ]);
        update(`${doc.resources.length} resources`);
      },
    })),
    deps.io,
  );
  if (opts.against) {
    const diffs = await diffAll(opts.against, docs, opts.output ?? "table", deps);
    if (opts.output !== "json") deps.io.out("\n" + (await verdicts(docs, opts.output === "markdown")));
    return Math.max(policyStatus(docs), await dangerStatus(opts, diffs));
  }
  if (opts.output === "json") {
    deps.io.out(JSON.stringify(docs, null, 2) + "\n");
    return policyStatus(docs);
  }
  deps.io.out(
    table(["PROJECT", "STACK", "REGION", "RESOURCES", "POLICY", "TIME", "PLAN FILE"], rows).join("\n") + "\n\n",
  );
  deps.io.out(await verdicts(docs, false));
  deps.io.out(
    `Planned ${stacks.length} stack${stacks.length === 1 ? "" : "s"} of both projects in ${seconds(started)} s (one process, offline).\n`,
  );
  return policyStatus(docs);
}

/** Every stack's diff against the base plans in `dir` (`<project>.<stack>.json`); a stack new on either side shows whole. */
async function diffAll(
  dir: string,
  heads: readonly PlanDocument[],
  output: string,
  deps: Deps,
): Promise<import("./diff").PlanDiff[]> {
  const markdown = output === "markdown";
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(
      `--against ${dir}: not a folder: with --all, give the folder \`phoenix plan --all --json\` wrote on the base`,
    );
  const { diffPlans, renderDiff } = await import("./diff");
  const headFiles = new Set(heads.map(planFileName));
  const bases = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const out: string[] = markdown
    ? [
        PLAN_DIFF_MARKER,
        "## Phoenix offline plan diff",
        "",
        "Planned without cloud credentials (a fork's pull request gets it too); values only AWS knows read `<computed: ...>`.",
        "",
      ]
    : [];
  const diffs: import("./diff").PlanDiff[] = [];
  for (const head of heads) {
    const file = path.join(dir, planFileName(head));
    const base = fs.existsSync(file) ? readPlan(file) : emptyLike(head);
    diffs.push(diffPlans(base, head));
    out.push(
      renderDiff(diffs[diffs.length - 1], markdown ? "markdown" : "text") +
        (fs.existsSync(file) ? "" : "(a new stack: everything is added)\n"),
    );
  }
  for (const f of bases.filter((b) => !headFiles.has(b))) {
    const base = readPlan(path.join(dir, f));
    diffs.push(diffPlans(base, emptyLike(base)));
    out.push(
      renderDiff(diffs[diffs.length - 1], markdown ? "markdown" : "text") +
        "(the stack file is removed: everything goes)\n",
    );
  }
  deps.io.out(output === "json" ? JSON.stringify(diffs, null, 2) + "\n" : out.join("\n"));
  return diffs;
}

/** Checks shared by `plan` and `plan diff`, then plans. */
function run(opts: PlanOptions, deps: Deps): Promise<number> {
  if (Boolean(opts.stack) === Boolean(opts.all)) throw new UsageError("give exactly one of --stack <name> and --all");
  if (opts.all && opts.project) throw new UsageError("--all plans every project: drop --project");
  if (opts.all && opts.timeline) throw new UsageError("--timeline models one stack: use it with --stack");
  if (opts.output === "markdown" && !opts.against)
    throw new UsageError("-o markdown formats a diff: use phoenix plan diff");
  return opts.all ? planAll(opts, deps) : planOne(opts, deps);
}

/** The old spellings of `plan`: `--json PATH` for `--out`, `--against` and `--markdown` for `plan diff`. */
function fromOldSpelling(opts: PlanOptions & { json?: string; markdown?: boolean }, deps: Deps): PlanOptions {
  const next: PlanOptions & { json?: string; markdown?: boolean } = { ...opts };
  if (opts.json !== undefined) {
    deprecated(deps.io, "plan --json PATH", "plan --out PATH");
    next.out = opts.json;
  }
  if (opts.against !== undefined)
    deprecated(deps.io, "plan --against BASE [--markdown]", "plan diff --against BASE [-o markdown]");
  if (opts.markdown) {
    if (!opts.against)
      throw new UsageError("--markdown formats a diff: use phoenix plan diff --against BASE -o markdown");
    next.output = "markdown";
  }
  delete next.json;
  delete next.markdown;
  return next;
}

/** Registers `phoenix plan` and `phoenix plan diff`. */
export function registerPlan(program: Command, act: Act, deps: Deps): void {
  const plan = program
    .command("plan")
    .description(
      "Plan stacks offline under Pulumi's mock runtime: resources, Helm releases, namespaces, what Velero backs up and the policy verdict",
    )
    // `plan diff --stack S`: the verb parses its own options.
    .enablePositionalOptions()
    .option("-s, --stack <name>", "the stack to plan (reads Pulumi.<name>.yaml of the project); this or --all")
    .option("--all", "plan every stack of both projects (backup storage and platform) in one process")
    .option(
      "--out <path>",
      "write the plan as JSON: a file with --stack, a folder (one <project>.<stack>.json per stack) with --all",
    )
    .option(
      "--project <dir>",
      "the project folder of --stack: the repository root (platform, default) or stacks/backup-storage",
    )
    .option(
      "--timeline",
      "with --stack: the modeled critical path of a fresh `pulumi up`, from published durations per resource type",
    )
    .addOption(outputFlag(["table", "json"], "the plan document on stdout"))
    .addOption(new Option("--json <path>", "deprecated: use --out").hideHelp())
    .addOption(new Option("--against <path>", "deprecated: use plan diff").hideHelp())
    .addOption(new Option("--markdown", "deprecated: use plan diff -o markdown").hideHelp())
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix plan --stack prod",
        "  $ phoenix plan --stack prod --out plans/prod.json",
        "  $ phoenix plan --stack prod --project stacks/backup-storage",
        "  $ phoenix plan --all --out plans/",
        "  $ phoenix plan --stack prod --timeline",
        "  $ phoenix plan diff --stack prod --against base/phoenix.prod.json",
        "",
        "Every plan runs the policy pack's rules (policy/) over the planned resources and lists the violations.",
        "Exit status: 0 planned, no mandatory violation; 1 a mandatory policy violation (the plan is still written);",
        "2 usage error or a bad stack file (nothing written).",
      ].join("\n"),
    )
    .action(
      act(async (opts: PlanOptions & { json?: string; markdown?: boolean }) => run(fromOldSpelling(opts, deps), deps)),
    );
  optionsAfterVerb(plan);
  outputOption(
    plan
      .command("diff")
      .description(
        "What a change does to the offline plan: namespaces leaving or joining the backups first, then schedules, resources and inputs path by path",
      )
      .option("-s, --stack <name>", "the stack to plan and compare; this or --all")
      .option("--all", "every stack, against the folder `phoenix plan --all --out` wrote on the base")
      .requiredOption("--against <path>", "the base: a plan JSON with --stack, a folder of them with --all (required)")
      .option(
        "--project <dir>",
        "the project folder of --stack: the repository root (platform, default) or stacks/backup-storage",
      )
      .option("--out <path>", "also write the head plan(s) as JSON")
      .option(
        "--fail-on-danger",
        "exit 1 when something stops being backed up (a namespace leaves the backups, a ttl shrinks)",
      ),
    ["table", "markdown", "json"],
  )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix plan diff --stack prod --against base/phoenix.prod.json",
        "  $ phoenix plan diff --all --against base/ -o markdown --fail-on-danger > plan-diff.md",
        "",
        "Exit status: 0 compared; 1 a mandatory policy violation, or danger with --fail-on-danger; 2 usage error or a bad stack file.",
      ].join("\n"),
    )
    .action(act(async (opts: PlanOptions) => run(opts, deps)));
}
