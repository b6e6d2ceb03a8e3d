/**
 * Rendering of an audit result: a namespace table, the failures, the warnings, what the
 * audit could not see, and one summary line. Pure: no I/O, so the CLI and the tests
 * render the same text.
 */
import { describeState, type AuditResult, type AuditRow, type LiveClass } from "./classify";
import type { ClusterTarget } from "./live";
import { table } from "../shared/table";

/** The JSON document `--json FILE` writes. */
export interface AuditDocument {
  readonly target: ClusterTarget;
  /** Stack file whose inventory was used, if any. */
  readonly stackFile?: string;
  readonly summary: AuditSummary;
  readonly namespaces: readonly AuditRow[];
  readonly failures: AuditResult["failures"];
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/** Counts for the summary line. */
export interface AuditSummary {
  readonly namespaces: number;
  readonly byClass: Readonly<Record<LiveClass, number>>;
  readonly failures: number;
  readonly warnings: number;
  /** `fail` exits 1. */
  readonly result: "ok" | "fail";
}

/** Counts of a result. */
export function summarize(result: AuditResult): AuditSummary {
  const byClass: Record<LiveClass, number> = { platform: 0, gitops: 0, imperative: 0, unknown: 0 };
  for (const r of result.rows) byClass[r.class]++;
  return {
    namespaces: result.rows.length,
    byClass,
    failures: result.failures.length,
    warnings: result.warnings.length,
    result: result.failed ? "fail" : "ok",
  };
}

/** The JSON document of a result. */
export function auditDocument(result: AuditResult, target: ClusterTarget, stackFile?: string): AuditDocument {
  return {
    target,
    ...(stackFile ? { stackFile } : {}),
    summary: summarize(result),
    namespaces: result.rows,
    failures: result.failures,
    warnings: result.warnings,
    notes: result.notes,
  };
}

function evidenceCell(row: AuditRow): string {
  const own = row.evidence.filter((e) => e.class === row.class).map((e) => e.source);
  const other = row.evidence.filter((e) => e.class !== row.class).map((e) => `${e.class}? ${e.source}`);
  return [...own, ...other].join("; ") || "none";
}

function backupCell(row: AuditRow): string {
  const parts = [...row.coveredBy, ...row.inactiveCoveredBy.map((c) => `${c.schedule} (${c.reason.split(":")[0]})`)];
  return parts.join(", ") || "-";
}

/** The one-line summary the CLI prints last. */
export function summaryLine(s: AuditSummary, target: ClusterTarget): string {
  const classes = (["platform", "gitops", "imperative", "unknown"] as const)
    .map((c) => `${s.byClass[c]} ${c}`)
    .join(", ");
  const verdict =
    s.result === "fail"
      ? `FAIL: ${s.failures} failing finding${s.failures === 1 ? "" : "s"}`
      : "OK: no namespace holds state that neither a backup nor Git covers (volume data in GitOps namespaces is listed under warnings)";
  return `Audited ${s.namespaces} namespaces of context "${target.context}" (${classes}); ${s.warnings} warning${s.warnings === 1 ? "" : "s"}. ${verdict}.`;
}

/** The whole text report. */
export function renderAudit(doc: AuditDocument): string {
  const out: string[] = [];
  out.push(`Live audit of ${doc.target.server} (context "${doc.target.context}", kubeconfig ${doc.target.kubeconfig})`);
  out.push(
    doc.stackFile
      ? `Stack inventory: ${doc.stackFile}`
      : "Stack inventory: none (no --stack): classes come from the live cluster alone",
  );
  out.push("");
  out.push(
    ...table(
      ["NAMESPACE", "CLASS", "BACKED UP BY", "HOLDS STATE", "VERDICT", "EVIDENCE"],
      doc.namespaces.map((r) => [
        r.name,
        r.class,
        backupCell(r),
        describeState(r.holdsState),
        r.verdict,
        evidenceCell(r),
      ]),
    ),
  );
  if (doc.failures.length > 0) {
    out.push("", "Failures:");
    for (const f of doc.failures) out.push(`  - [${f.verdict}] ${f.message}`);
  }
  if (doc.warnings.length > 0) {
    out.push("", "Warnings:");
    for (const w of doc.warnings) out.push(`  - ${w}`);
  }
  if (doc.notes.length > 0) {
    out.push("", "Not seen:");
    for (const n of doc.notes) out.push(`  - ${n}`);
  }
  out.push("", summaryLine(doc.summary, doc.target));
  return out.join("\n") + "\n";
}
