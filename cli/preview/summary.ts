/**
 * One Markdown summary of several `pulumi preview --json` digests (one per stack), with
 * the steps that could lose a cluster or its backups first (pure). The input is the
 * engine's PreviewDigest: `steps[]` with `op`, `urn`, `oldState`, `newState`,
 * `replaceReasons`, `detailedDiff` (always present, often `null`), plus `changeSummary`
 * and `diagnostics` (pulumi/pulumi pkg/display/json.go). A replace shows once as
 * `replace`, or as its two halves with `--show-replacement-steps`; both count once here.
 */
import { errorText } from "./diagnostics";
import { dangers, forcedBy } from "./dangers";
import { logicalSteps, parseUrn, REPLACE_OPS, type Danger, type PreviewDigest } from "./steps";

export * from "./steps";
export { backupLosses, dangers } from "./dangers";

/** A resource a preview replaces or deletes: every one is named, dangerous or not. */
export interface Removal {
  readonly resource: string;
  readonly type: string;
  readonly operation: "replace" | "delete";
  readonly forcedBy: readonly string[];
}

/** One stack's preview. */
export interface StackSummary {
  readonly stack: string;
  readonly project: string;
  /** Counts by logical operation, unchanged resources left out. */
  readonly counts: Readonly<Record<string, number>>;
  /** Every replaced or deleted resource. */
  readonly removals: readonly Removal[];
  /** Error diagnostics: the preview failed. */
  readonly errors: readonly string[];
}

/** The summary of every stack. */
export interface PreviewSummary {
  readonly dangers: readonly Danger[];
  readonly stacks: readonly StackSummary[];
}

/** Marks the one sticky comment so a workflow finds it again. */
export const PREVIEW_SUMMARY_MARKER = "<!-- phoenix-preview-summary -->";

/** Summarizes the digests, each named by where it came from (used when its steps name no stack). */
export function summarize(
  digests: readonly { readonly source: string; readonly digest: PreviewDigest }[],
): PreviewSummary {
  const stacks: StackSummary[] = [];
  const all: Danger[] = [];
  for (const { source, digest } of digests) {
    const steps = digest.steps ?? [];
    // A failed preview may have no step: its diagnostics still name the stack.
    const first = [...steps, ...(digest.diagnostics ?? [])]
      .map((x) => x.urn ?? "")
      .find((u) => u.startsWith("urn:pulumi:"));
    const { stack, project } = first ? parseUrn(first) : { stack: source, project: "" };
    const counts: Record<string, number> = {};
    for (const s of logicalSteps(steps)) if (s.op !== "same") counts[s.op] = (counts[s.op] ?? 0) + 1;
    const errors = (digest.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => errorText(d.message));
    const removals = logicalSteps(steps)
      .filter((st) => REPLACE_OPS.has(st.op) || st.op === "delete")
      .map((st): Removal => ({
        resource: parseUrn(st.urn).name,
        type: parseUrn(st.urn).type,
        operation: st.op === "delete" ? "delete" : "replace",
        forcedBy: st.op === "delete" ? [] : forcedBy(st),
      }));
    stacks.push({ stack, project, counts, removals, errors });
    all.push(...dangers(project ? `${project}/${stack}` : stack, steps));
  }
  return { dangers: all, stacks };
}

const OP_ORDER = ["create", "update", "replace", "delete", "read", "import", "refresh", "discard"];
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Marks a summary holding a failed preview: the workflow fails on it whatever label approves danger. */
export const PREVIEW_FAILED_MARKER = "<!-- phoenix-preview-failed -->";

/** GitHub refuses a comment over 65,536 characters; the summary stays under this, folding detail first. */
export const COMMENT_LIMIT = 60_000;

/** The failed previews, first: nothing else in the summary holds for them. */
function failedSection(s: PreviewSummary): string[] {
  const failed = s.stacks.filter((st) => st.errors.length > 0);
  if (failed.length === 0) return [];
  return [
    PREVIEW_FAILED_MARKER,
    `### :x: ${failed.length} preview${failed.length === 1 ? "" : "s"} failed`,
    "",
    ...failed.map((st) => `- **${cell(name(st))}**: ${st.errors.map(cell).join("; ")}`),
    "",
    "A failed preview shows no changes for its stack: fix the error, then read the rest.",
    "",
  ];
}

function dangerSection(s: PreviewSummary): string[] {
  if (s.dangers.length === 0)
    return [
      "No dangerous step: no cluster, node group, network, backup bucket, KMS key, identity binding or namespace is replaced or deleted, and nothing stops being backed up.",
      "",
    ];
  const out = [
    `### :warning: ${s.dangers.length} dangerous step${s.dangers.length === 1 ? "" : "s"}`,
    "",
    "| stack | resource | operation | why it is dangerous | forced by | protect / retainOnDelete |",
    "|---|---|---|---|---|---|",
  ];
  for (const d of s.dangers) {
    out.push(
      `| ${cell(d.stack)} | \`${cell(d.type)}\` ${cell(d.resource)} | **${d.operation}** | ${cell(d.why)} | ${d.forcedBy.length ? d.forcedBy.map((p) => `\`${cell(p)}\``).join(", ") : d.operation === "replace" ? "(no reason given)" : "-"} | ${cell(d.outcome)} |`,
    );
  }
  out.push("", "Approve these explicitly, or change the pull request so they go away.", "");
  return out;
}

const name = (st: StackSummary): string => `${st.project ? `${st.project} / ` : ""}${st.stack}`;

/** One stack: its counts, then every replaced or deleted resource (at most `limit`, folded in <details>). */
function stackSection(st: StackSummary, limit: number): string[] {
  const ops = [
    ...OP_ORDER.filter((o) => st.counts[o]),
    ...Object.keys(st.counts)
      .filter((o) => !OP_ORDER.includes(o))
      .sort(),
  ];
  const out = [`### ${name(st)}`, ""];
  out.push(
    ops.length === 0
      ? st.errors.length > 0
        ? "Preview failed: see above."
        : "No changes."
      : [
          "| " + ops.join(" | ") + " |",
          "|" + ops.map(() => "---").join("|") + "|",
          "| " + ops.map((o) => String(st.counts[o])).join(" | ") + " |",
        ].join("\n"),
  );
  if (st.removals.length > 0) {
    const shown = st.removals.slice(0, limit);
    out.push(
      "",
      `<details><summary>${st.removals.length} replaced or deleted</summary>`,
      "",
      "| resource | operation | forced by |",
      "|---|---|---|",
    );
    for (const r of shown)
      out.push(
        `| \`${cell(r.type)}\` ${cell(r.resource)} | ${r.operation} | ${r.forcedBy.length ? r.forcedBy.map((p) => `\`${cell(p)}\``).join(", ") : "-"} |`,
      );
    if (shown.length < st.removals.length)
      out.push(
        "",
        `... and ${st.removals.length - shown.length} more: the preview JSON (the workflow's artifact) lists them.`,
      );
    out.push("", "</details>");
  }
  out.push("");
  return out;
}

/** The summary as one Markdown document, with its hidden marker first; under COMMENT_LIMIT, folding the per-stack lists first. */
export function renderSummary(s: PreviewSummary, limit: number = COMMENT_LIMIT): string {
  const render = (rows: number): string =>
    [
      PREVIEW_SUMMARY_MARKER,
      "## Pulumi preview",
      "",
      ...failedSection(s),
      ...dangerSection(s),
      ...s.stacks.flatMap((st) => stackSection(st, rows)),
    ].join("\n");
  for (const rows of [Infinity, 50, 10, 0]) {
    const text = render(rows);
    if (text.length <= limit) return text;
  }
  const text = render(0);
  const cut = text.lastIndexOf("\n", limit - 200);
  return `${text.slice(0, cut)}\n\n... the summary is cut here to stay under GitHub's comment limit: the job summary and the preview JSON artifacts hold the rest.\n`;
}
