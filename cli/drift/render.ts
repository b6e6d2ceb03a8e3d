/** How `phoenix drift` prints a comparison: a table and a summary line, or a JSON document (pure). */
import { table } from "../shared/table";
import type { DriftReport, Leaf, Verdict } from "./compare";

/** Widest value the table shows; `-o json` has them whole. */
const MAX_CELL = 60;

function cell(v: Leaf): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  const flat = text.replace(/\s+/g, " ");
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/** The VERDICT column: the rule(s), `accepted`, or `DRIFT`. */
export function verdictOf(v: Verdict): string {
  return v.rule ?? (v.accepted !== undefined ? "accepted" : "DRIFT");
}

/** How many differences each rule explains, most first: `names 288, standby 69`. */
function ruleCounts(differences: readonly Verdict[]): string {
  const counts = new Map<string, number>();
  for (const d of differences) for (const r of d.rules ?? []) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([r, n]) => `${r} ${n}`)
    .join(", ");
}

/** The one-line summary of a report. */
export function summaryLine(r: DriftReport): string {
  const explained = r.differences.filter((d) => d.rule !== undefined).length;
  const accepted = r.differences.filter((d) => d.accepted !== undefined).length;
  const head = `${r.from} -> ${r.to}: ${r.differences.length} difference${r.differences.length === 1 ? "" : "s"}, ${explained} explained by replicate's rules${explained > 0 ? ` (${ruleCounts(r.differences)})` : ""}, ${accepted} accepted`;
  return r.drift === 0
    ? `${head}, no drift.`
    : `${head}, ${r.drift} DRIFT: bring ${r.to}'s stack file (or ${r.from}'s) back in line, or name the key with --accept.`;
}

/**
 * A report as a table, drift first so it is never scrolled past, then the summary. The
 * hundreds of rows replicate's rules explain are counted in the summary and listed only
 * with `explained` (`--explained`): a reviewer reads what is not derived.
 */
export function renderTable(r: DriftReport, explained = false): string {
  const rank = (v: Verdict): number => (v.drift ? 0 : v.accepted !== undefined ? 1 : 2);
  const rows = r.differences
    .filter((d) => explained || d.rule === undefined)
    .sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key))
    .map((d) => [d.key, cell(d.from), cell(d.to), verdictOf(d)]);
  const lines = rows.length > 0 ? table(["KEY", r.from.toUpperCase(), r.to.toUpperCase(), "VERDICT"], rows) : [];
  return [...lines, summaryLine(r)].join("\n") + "\n";
}

/** Several reports (`--all`), one after another, and a last line for all. */
export function renderAll(reports: readonly DriftReport[], explained = false): string {
  if (reports.length === 0)
    return "No replicas: no platform stack's phoenix:backups.restoreFrom names another platform stack of this repository.\n";
  const total = reports.reduce((n, r) => n + r.drift, 0);
  const tail = `${reports.length} replica${reports.length === 1 ? "" : "s"} checked against ${reports.length === 1 ? "its source" : "their sources"}: ${total === 0 ? "no drift" : `${total} DRIFT`}.\n`;
  return reports.map((r) => renderTable(r, explained)).join("\n") + "\n" + tail;
}

/** The JSON document of one report: `{from, to, differences, drift}`. */
export function reportJson(r: DriftReport): object {
  return { from: r.from, to: r.to, differences: r.differences, drift: r.drift };
}

/** The JSON document of `--all`: every replica's report and the drift of all. */
export function allJson(reports: readonly DriftReport[]): object {
  return { replicas: reports.map(reportJson), drift: reports.reduce((n, r) => n + r.drift, 0) };
}
