/**
 * A readable diff of two offline plans of one stack (pure): resources added and removed,
 * inputs changed path by path (Helm values key by key, not as one blob), and first of
 * all what moves in the namespace table and the backup coverage, because a namespace
 * that leaves the backups is the most dangerous change Phoenix knows. Secrets never
 * appear: the plans hold only `[secret]` and `<secret: ...>` placeholders, which compare
 * equal (a changed secret is invisible offline; `pulumi preview` shows it as changed).
 */
import { OFFLINE_SECRET_PREFIX } from "../stacks/names";
import { shorterRetention } from "../shared/retention";
import { resourceKey, type PlanDocument } from "./plan";
import { SECRET } from "./runtime";

/** A namespace as the plan's table shows it. */
export interface NamespaceState {
  readonly class: string;
  readonly backedUp: boolean;
}

/** One input path that differs. */
export interface InputChange {
  readonly path: string;
  /** JSON of the value, `undefined` where the path is absent on that side; `[secret]` for secrets. */
  readonly before?: string;
  readonly after?: string;
}

/** The diff of two plans. */
export interface PlanDiff {
  readonly project: string;
  readonly stack: string;
  /** Namespaces that stop being backed up (removed, reclassified, or dropped from every schedule). */
  readonly leavingBackups: readonly string[];
  /** Namespaces that start being backed up. */
  readonly joiningBackups: readonly string[];
  readonly namespaces: {
    readonly added: readonly (NamespaceState & { readonly name: string })[];
    /** With what becomes of what the namespace holds. */
    readonly removed: readonly (NamespaceState & { readonly name: string; readonly fate: string })[];
    readonly changed: readonly {
      readonly name: string;
      readonly before: NamespaceState;
      readonly after: NamespaceState;
    }[];
  };
  /** Namespaces still backed up whose longest ttl shrinks (cli/shared/retention.ts). */
  readonly shorterRetention: readonly { readonly namespace: string; readonly before: string; readonly after: string }[];
  /** Velero schedules whose namespaces, cron or TTL change, or that come and go. */
  readonly schedules: readonly {
    readonly name: string;
    readonly change: "added" | "removed" | "changed";
    readonly lost: readonly string[];
    readonly gained: readonly string[];
    readonly details: readonly string[];
  }[];
  readonly resources: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Changed inputs, per resource (`type::name`), paths sorted. */
  readonly inputs: readonly { readonly resource: string; readonly changes: readonly InputChange[] }[];
}

const isSecret = (v: unknown): boolean =>
  v === SECRET || (typeof v === "string" && v.startsWith(OFFLINE_SECRET_PREFIX));

/**
 * Flattens plain data to path -> leaf JSON. Arrays of scalars are one leaf (a list of
 * namespaces reads better whole); arrays of objects go item by item.
 */
export function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (isSecret(value)) out.set(prefix, JSON.stringify(SECRET));
  else if (Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null))
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, "{}");
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

/** The changed paths between two values. */
export function changedPaths(before: unknown, after: unknown): InputChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => ({ path: p, ...(a.has(p) ? { before: a.get(p) } : {}), ...(b.has(p) ? { after: b.get(p) } : {}) }));
}

/** What becomes of a removed namespace's objects, and of its backups. */
function fateOf(base: PlanDocument, name: string, state: NamespaceState): string {
  const resource = base.resources.find(
    (r) =>
      r.type === "kubernetes:core/v1:Namespace" && (r.inputs.metadata as { name?: unknown } | undefined)?.name === name,
  );
  const objects =
    state.class === "gitops"
      ? "Argo CD leaves its objects (no Application carries the resources finalizer), and Git no longer recreates them"
      : resource?.options?.retainOnDelete
        ? "its objects stay in the cluster (retainOnDelete), unmanaged"
        : resource
          ? "it is deleted, with everything in it"
          : "Phoenix did not create it";
  return `${objects}${state.backedUp ? "; no backup of it is taken any more" : ""}`;
}

/** Diffs `base` (before the change) against `head` (after). */
export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
  const ns = (doc: PlanDocument) =>
    new Map(doc.namespaces.map((n) => [n.name, { class: n.class, backedUp: n.backedUp }]));
  const a = ns(base);
  const b = ns(head);
  const added = [...b].filter(([n]) => !a.has(n)).map(([name, s]) => ({ name, ...s }));
  const removed = [...a].filter(([n]) => !b.has(n)).map(([name, s]) => ({ name, ...s, fate: fateOf(base, name, s) }));
  const changed = [...b]
    .filter(([n, s]) => a.has(n) && (a.get(n)!.class !== s.class || a.get(n)!.backedUp !== s.backedUp))
    .map(([name, after]) => ({ name, before: a.get(name)!, after }));
  const backedUp = (m: Map<string, NamespaceState>) => new Set([...m].filter(([, s]) => s.backedUp).map(([n]) => n));
  const wasBacked = backedUp(a);
  const isBacked = backedUp(b);

  const sa = new Map(base.backupSchedules.map((s) => [s.name, s]));
  const sb = new Map(head.backupSchedules.map((s) => [s.name, s]));
  const schedules = [...new Set([...sa.keys(), ...sb.keys()])].sort().flatMap((name) => {
    const before = sa.get(name);
    const after = sb.get(name);
    const lost = (before?.includedNamespaces ?? []).filter((n) => !(after?.includedNamespaces ?? []).includes(n));
    const gained = (after?.includedNamespaces ?? []).filter((n) => !(before?.includedNamespaces ?? []).includes(n));
    const details =
      before && after
        ? (["schedule", "ttl", "storageLocation"] as const)
            .filter((k) => before[k] !== after[k])
            .map((k) => `${k}: ${before[k]} -> ${after[k]}`)
        : [];
    if (before && after && lost.length === 0 && gained.length === 0 && details.length === 0) return [];
    return [
      {
        name,
        change: !before ? ("added" as const) : !after ? ("removed" as const) : ("changed" as const),
        lost,
        gained,
        details,
      },
    ];
  });

  const ra = new Map(base.resources.map((r) => [resourceKey(r), r]));
  const rb = new Map(head.resources.map((r) => [resourceKey(r), r]));
  const inputs = [...rb]
    .filter(([k]) => ra.has(k))
    .map(([k, r]) => ({ resource: k, changes: changedPaths(ra.get(k)!.inputs, r.inputs) }))
    .filter((c) => c.changes.length > 0)
    .sort((x, y) => x.resource.localeCompare(y.resource));
  return {
    project: head.project,
    stack: head.stack,
    leavingBackups: [...wasBacked].filter((n) => !isBacked.has(n)).sort(),
    joiningBackups: [...isBacked].filter((n) => !wasBacked.has(n)).sort(),
    namespaces: { added, removed, changed },
    shorterRetention: shorterRetention(
      base.backupSchedules.map((s) => ({ namespaces: s.includedNamespaces, ttl: s.ttl })),
      head.backupSchedules.map((s) => ({ namespaces: s.includedNamespaces, ttl: s.ttl })),
    ),
    schedules,
    resources: {
      added: [...rb.keys()].filter((k) => !ra.has(k)).sort(),
      removed: [...ra.keys()].filter((k) => !rb.has(k)).sort(),
    },
    inputs,
  };
}

/**
 * What in a diff stops backing something up, as lines: namespaces that leave the
 * backups (removed, reclassified, dropped from every schedule) and schedules whose ttl
 * shrinks. A pull request with any of them fails `--fail-on-danger`.
 */
export function diffDangers(d: PlanDiff): string[] {
  const shorter = d.shorterRetention.map(
    (r) => `${r.namespace}'s backups are kept for less (ttl: ${r.before} -> ${r.after}): older restore points expire`,
  );
  return [
    ...d.leavingBackups.map((n) => `${n} leaves the backups: its state would no longer survive a disaster`),
    ...shorter,
  ];
}

/**
 * A line diff of two multi-line values (a ConfigMap's file, an embedded YAML), as
 * `  `, `- ` and `+ ` lines: the longest common subsequence of lines. No diff library is
 * among the dependencies, and values past LCS_CELLS are shown whole instead.
 */
export function lineDiff(before: string, after: string): string[] {
  const [a, b] = [before.split("\n"), after.split("\n")];
  if (a.length * b.length > LCS_CELLS) return [...a.map((l) => `- ${l}`), ...b.map((l) => `+ ${l}`)];
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out;
}
const LCS_CELLS = 4_000_000;

/** The two sides of a change as text when both are multi-line strings (JSON-encoded in the change). */
function multiline(c: InputChange): [string, string] | undefined {
  const parse = (v: string | undefined): unknown => (v === undefined ? undefined : (JSON.parse(v) as unknown));
  const [x, y] = [parse(c.before), parse(c.after)];
  return typeof x === "string" && typeof y === "string" && (x.includes("\n") || y.includes("\n")) ? [x, y] : undefined;
}

/** Whether the diff changes anything at all. */
export function isEmpty(d: PlanDiff): boolean {
  return (
    d.leavingBackups.length +
      d.joiningBackups.length +
      d.shorterRetention.length +
      d.namespaces.added.length +
      d.namespaces.removed.length +
      d.namespaces.changed.length +
      d.schedules.length +
      d.resources.added.length +
      d.resources.removed.length +
      d.inputs.length ===
    0
  );
}

const cut = (s: string | undefined, n = 80): string =>
  s === undefined ? "(absent)" : s.length > n ? `${s.slice(0, n - 1)}…` : s;

/** Both sides cut around where they first differ, so two long values that share a prefix still show their difference. */
function around(c: InputChange, n = 80): [string, string] {
  const { before, after } = c;
  if (before === undefined || after === undefined || (before.length <= n && after.length <= n))
    return [cut(before, n), cut(after, n)];
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  const from = Math.max(0, i - 20);
  const part = (s: string): string =>
    `${from > 0 ? "…" : ""}${s.slice(from, from + n)}${s.length > from + n ? "…" : ""}`;
  return [part(before), part(after)];
}
const md = (s: string): string => s.replace(/\|/g, "\\|").replace(/`/g, "'");

/** The diff as Markdown (a pull-request comment) or plain text (a terminal). */
export function renderDiff(d: PlanDiff, format: "markdown" | "text"): string {
  const m = format === "markdown";
  const out: string[] = [
    m ? `### Offline plan diff: ${d.project} / ${d.stack}` : `Offline plan diff: ${d.project} / ${d.stack}`,
  ];
  if (isEmpty(d)) return [...out, "", "No change to the plan."].join("\n") + "\n";
  const item = (s: string): string => `- ${s}`;
  const code = (s: string): string => (m ? `\`${s}\`` : s);
  const dangers = diffDangers(d);
  if (dangers.length > 0) {
    out.push("", m ? "**DANGER: something stops being backed up.**" : "DANGER: something stops being backed up:");
    out.push(...dangers.map(item));
  }
  if (d.joiningBackups.length > 0)
    out.push("", "Namespaces that join the backups:", ...d.joiningBackups.map((n) => item(code(n))));
  const nsRows = [
    ...d.namespaces.added.map(
      (n) => `${code(n.name)} added (${n.class}, ${n.backedUp ? "backed up" : "not backed up"})`,
    ),
    ...d.namespaces.removed.map(
      (n) => `${code(n.name)} removed (was ${n.class}${n.backedUp ? ", backed up" : ""}): ${n.fate}`,
    ),
    ...d.namespaces.changed.map(
      (n) =>
        `${code(n.name)}: ${n.before.class}${n.before.backedUp ? " (backed up)" : ""} -> ${n.after.class}${n.after.backedUp ? " (backed up)" : ""}`,
    ),
  ];
  if (nsRows.length > 0) out.push("", "Namespace table:", ...nsRows.map(item));
  if (d.schedules.length > 0) {
    out.push("", "Velero schedules:");
    for (const s of d.schedules) {
      const parts = [
        s.change,
        ...(s.lost.length ? [`namespaces lost: ${s.lost.join(", ")}`] : []),
        ...(s.gained.length ? [`namespaces gained: ${s.gained.join(", ")}`] : []),
        ...s.details,
      ];
      out.push(item(`${code(s.name)}: ${parts.join("; ")}`));
    }
  }
  if (d.resources.added.length + d.resources.removed.length > 0) {
    out.push("", `Resources: ${d.resources.added.length} added, ${d.resources.removed.length} removed`);
    out.push(
      ...d.resources.added.map((r) => item(`added ${code(r)}`)),
      ...d.resources.removed.map((r) => item(`removed ${code(r)}`)),
    );
  }
  if (d.inputs.length > 0) {
    out.push("", `Inputs changed (${d.inputs.length} resource${d.inputs.length === 1 ? "" : "s"}):`);
    for (const r of d.inputs) {
      out.push(
        "",
        m
          ? `<details><summary><code>${r.resource}</code> (${r.changes.length} path${r.changes.length === 1 ? "" : "s"})</summary>\n`
          : `  ${r.resource}`,
      );
      // Multi-line values (a ConfigMap's file, embedded YAML) read as a line diff, not an escaped string.
      const texts = r.changes.flatMap((c) => {
        const sides = multiline(c);
        return sides ? [{ path: c.path, lines: lineDiff(...sides) }] : [];
      });
      const rows = r.changes.filter((c) => !multiline(c)).map((c) => [c.path, ...around(c)] as const);
      if (m) {
        if (rows.length > 0)
          out.push(
            "| path | before | after |",
            "|---|---|---|",
            ...rows.map(([p, b, a]) => `| \`${md(p)}\` | ${md(b)} | ${md(a)} |`),
            "",
          );
        for (const t of texts) out.push(`\`${md(t.path)}\`:`, "", "```diff", ...t.lines, "```", "");
        out.push("</details>");
      } else {
        out.push(...rows.map(([p, b, a]) => `    ${p}: ${b} -> ${a}`));
        for (const t of texts) out.push(`    ${t.path}:`, ...t.lines.map((l) => `      ${l}`));
      }
    }
  }
  return out.join("\n") + "\n";
}
