/**
 * One Markdown summary of several `pulumi preview --json` digests (one per stack), with
 * the steps that could lose a cluster or its backups first (pure). The input is the
 * engine's PreviewDigest: `steps[]` with `op`, `urn`, `oldState`, `newState`,
 * `replaceReasons`, `detailedDiff` (always present, often `null`), plus `changeSummary`
 * and `diagnostics` (pulumi/pulumi pkg/display/json.go). A replace shows once as
 * `replace`, or as its two halves with `--show-replacement-steps`; both count once here.
 */
import { BACKUP_STORAGE_PROJECT } from "../stacks/names";
import { errorText } from "./diagnostics";
import { shorterRetention, type Retaining } from "../shared/retention";
import { record } from "../shared/data";

/** The engine's resource state, as far as the summary reads it. */
interface ResourceState {
  readonly type?: string;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly inputs?: Record<string, unknown>;
}

/** One step of a preview digest. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: ResourceState;
  readonly newState?: ResourceState;
  readonly replaceReasons?: readonly string[];
  readonly diffReasons?: readonly string[];
  readonly detailedDiff?: Readonly<Record<string, { readonly kind: string }>> | null;
}

/** A `pulumi preview --json` digest. */
export interface PreviewDigest {
  readonly steps?: readonly PreviewStep[];
  readonly changeSummary?: Readonly<Record<string, number>>;
  readonly diagnostics?: readonly { readonly severity?: string; readonly message?: string; readonly urn?: string }[];
}

/** Ops that are one half, or the whole, of a replacement (pkg/resource/deploy/step.go, IsReplacementStep). */
const REPLACE_OPS = new Set([
  "replace",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "discard-replaced",
  "remove-pending-replace",
  "import-replacement",
]);

/** A step that could lose a cluster or its backups. */
export interface Danger {
  readonly stack: string;
  readonly resource: string;
  readonly type: string;
  readonly operation: "replace" | "delete" | "update";
  /** Why it is dangerous. */
  readonly why: string;
  /** Properties forcing the replacement (replaceReasons, or the `-replace` kinds of detailedDiff). */
  readonly forcedBy: readonly string[];
  /** What protect / retainOnDelete make of it. */
  readonly outcome: string;
}

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

/** The parts of a URN: `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
  const parts = urn.split("::");
  const stack = (parts[0] ?? "").replace(/^urn:pulumi:/, "");
  const types = (parts[2] ?? "").split("$");
  return { stack, project: parts[1] ?? "", type: types[types.length - 1] ?? "", name: parts.slice(3).join("::") };
}

/** One logical step per resource: the two halves of a replacement become one `replace`. */
export function logicalSteps(steps: readonly PreviewStep[]): PreviewStep[] {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const s of steps) byUrn.set(s.urn, [...(byUrn.get(s.urn) ?? []), s]);
  return [...byUrn.values()].map((group) => {
    if (group.length === 1)
      return REPLACE_OPS.has(group[0].op) && group[0].op !== "replace" ? { ...group[0], op: "replace" } : group[0];
    const merged = group.reduce<PreviewStep>(
      (m, s) => ({
        ...m,
        oldState: m.oldState ?? s.oldState,
        newState: m.newState ?? s.newState,
        replaceReasons: [...new Set([...(m.replaceReasons ?? []), ...(s.replaceReasons ?? [])])],
        detailedDiff: m.detailedDiff ?? s.detailedDiff,
      }),
      { ...group[0] },
    );
    return group.some((s) => REPLACE_OPS.has(s.op)) ? { ...merged, op: "replace" } : merged;
  });
}

const CLUSTER_TYPES = new Set([
  "eks:index:Cluster",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "eks:index:ManagedNodeGroup",
  "eks:index:NodeGroup",
  "eks:index:NodeGroupV2",
]);
/** The network a cluster runs in: replacing any of it takes the cluster's nodes (or the cluster) offline. */
const NETWORK_TYPES = new Set([
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/internetGateway:InternetGateway",
]);
const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const IDENTITY_TYPES = new Set(["aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:iam/role:Role"]);
/** One Velero schedule of a release's values: the namespaces it covers and how long it keeps them. */
type Schedule = Retaining;

/** The Velero schedules of a release's values; undefined when the release is not Velero's. */
function schedulesOf(state: ResourceState | undefined): Map<string, Schedule> | undefined {
  const inputs = record(state?.inputs);
  if (inputs.chart !== "velero") return undefined;
  const schedules = record(record(inputs.values).schedules);
  return new Map(
    Object.entries(schedules).map(([name, s]) => {
      const template = record(record(s).template);
      const ttl = template.ttl;
      return [
        name,
        {
          namespaces: (template.includedNamespaces as string[] | undefined) ?? [],
          ...(typeof ttl === "string" ? { ttl } : {}),
        },
      ];
    }),
  );
}

/**
 * What a Velero release change stops backing up: namespaces no schedule covers any more
 * (moving one between schedules is no loss), and namespaces whose backups are kept for
 * less, however that comes about (cli/shared/retention.ts).
 */
export function backupLosses(before: ReadonlyMap<string, Schedule>, after: ReadonlyMap<string, Schedule>): string[] {
  const covered = (m: ReadonlyMap<string, Schedule>): Set<string> =>
    new Set([...m.values()].flatMap((s) => s.namespaces));
  const now = covered(after);
  const lost = [...covered(before)].filter((n) => !now.has(n)).sort();
  const out =
    lost.length > 0
      ? [`no Velero schedule backs up ${lost.join(", ")} any more: their state would have no new backup`]
      : [];
  for (const r of shorterRetention([...before.values()], [...after.values()]))
    out.push(
      `${r.namespace}'s backups are kept for less (ttl: ${r.before} -> ${r.after}): older restore points expire`,
    );
  return out;
}

/** The purpose tag of Phoenix's backup buckets (components/backupStorage), wherever a bucket lives. */
const isBackupPurpose = (tag: unknown): boolean => typeof tag === "string" && tag.startsWith("velero-backups");

function forcedBy(step: PreviewStep): string[] {
  const fromDiff = Object.entries(step.detailedDiff ?? {})
    .filter(([, d]) => d.kind.endsWith("-replace"))
    .map(([path]) => path);
  return [...new Set([...(step.replaceReasons ?? []), ...fromDiff])].sort();
}

function outcome(step: PreviewStep, operation: Danger["operation"]): string {
  const old = step.oldState;
  if (operation === "update") return "the resource stays; what it covers changes";
  if (old?.protect) return "protected: the engine refuses this until someone runs `pulumi state unprotect`";
  if (old?.retainOnDelete)
    return operation === "replace"
      ? "retainOnDelete: the old one is left behind in AWS (orphaned) and a new, empty one is created"
      : "retainOnDelete: left behind in AWS (orphaned), removed from the stack";
  return operation === "replace"
    ? "nothing stops it: the old one is deleted after the new one is created"
    : "nothing stops it: it is deleted";
}

/** The dangerous steps of one stack. */
export function dangers(stack: string, steps: readonly PreviewStep[]): Danger[] {
  const out: Danger[] = [];
  for (const step of logicalSteps(steps)) {
    const { type, name, project } = parseUrn(step.urn);
    const operation = REPLACE_OPS.has(step.op) ? "replace" : step.op === "delete" ? "delete" : undefined;
    const add = (op: Danger["operation"], why: string): void =>
      void out.push({
        stack,
        resource: name,
        type,
        operation: op,
        why,
        forcedBy: op === "replace" ? forcedBy(step) : [],
        outcome: outcome(step, op),
      });
    if (operation && CLUSTER_TYPES.has(type))
      add(
        operation,
        type.includes("Cluster")
          ? "the EKS control plane (and everything in it) would be rebuilt"
          : "a node group's nodes would all be replaced",
      );
    else if (operation && NETWORK_TYPES.has(type))
      add(
        operation,
        "the network the cluster runs in: its nodes lose their subnet or route until the new one exists, and a subnet change replaces the cluster (pulumi-eks #69)",
      );
    else if (operation && type === "aws:kms/key:Key")
      add(operation, "a KMS key: whatever it encrypted becomes unreadable once it is gone");
    else if (
      operation &&
      BUCKET_TYPES.has(type) &&
      (project === BACKUP_STORAGE_PROJECT ||
        isBackupPurpose(record(record(step.oldState?.inputs).tags)["phoenix:purpose"]))
    )
      add(operation, "a backup bucket: the backups in it");
    else if (operation === "replace" && IDENTITY_TYPES.has(type))
      add("replace", "an identity binding: its pods lose their AWS access between delete and create");
    else if (operation && type === "kubernetes:core/v1:Namespace")
      add(operation, "a namespace: everything in it is deleted with it");
    else if (type === "kubernetes:helm.sh/v3:Release" && (step.op === "update" || operation)) {
      const before = schedulesOf(step.oldState);
      // A deleted release, or `backups.enabled: false`, leaves no schedule at all.
      const after = (step.op === "delete" ? undefined : schedulesOf(step.newState)) ?? new Map<string, Schedule>();
      for (const loss of before ? backupLosses(before, after) : []) add("update", loss);
    }
  }
  return out;
}

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
