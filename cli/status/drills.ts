/**
 * The drills a stack has on record: each drill's report (`report.json` under the reports
 * folder, `.phoenix/reports/<id>/` by default; CI keeps it as the drill workflow's
 * artifact). Rehearsals and recoveries are not drills: only a drill proves a restore
 * without an incident.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isRecord, record } from "../shared/data";
import type { DrillFact, StackStatus } from "./model";

/** A drill report as status reads it. */
export interface DrillOnRecord extends DrillFact {
  readonly source: string;
}

function seconds(v: unknown): number | undefined {
  const s = record(v).seconds;
  return typeof s === "number" && record(v).modeled !== true ? s : undefined;
}

/** One report.json, or undefined when it is not a drill's (or not a report). */
export function drillOfReport(doc: unknown, file: string): DrillOnRecord | undefined {
  if (!isRecord(doc) || doc.kind !== "drill") return undefined;
  const { id, source, stack, startedAt, outcome } = doc;
  if (typeof id !== "string" || typeof source !== "string" || typeof stack !== "string") return undefined;
  if (typeof startedAt !== "string" || typeof outcome !== "string") return undefined;
  const rto = seconds(doc.rto);
  const rpo = seconds(doc.rpo);
  return {
    id,
    source,
    stack,
    startedAt,
    outcome,
    ...(rto !== undefined ? { rtoSeconds: rto } : {}),
    ...(rpo !== undefined ? { rpoSeconds: rpo } : {}),
    report: file,
  };
}

/** Every drill report under `dir` (one folder per report), oldest first; a folder that is not a report is skipped. */
export function drillsOnRecord(dir: string): DrillOnRecord[] {
  if (!fs.existsSync(dir)) return [];
  const out: DrillOnRecord[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name, "report.json");
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      continue; // A report a killed drill left half-written proves nothing.
    }
    const drill = drillOfReport(doc, file);
    if (drill) out.push(drill);
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/**
 * The drills that prove a stack's recovery: a standby's own (`drill run --standby`), a
 * primary's from it (`drill run --from`), and for a backup-restore replica its primary's
 * too, since they restore the same backups into the same DR region.
 */
export function drillsOf(
  drills: readonly DrillOnRecord[],
  t: { readonly stack: string; readonly role: StackStatus["role"]; readonly restoresFrom?: string },
): { last?: DrillFact; lastPassing?: DrillFact } {
  const mine = drills.filter((d) =>
    t.role === "standby"
      ? d.stack === t.stack
      : d.source === t.stack || (t.role === "replica" && d.source === t.restoresFrom),
  );
  const last = mine.at(-1);
  const lastPassing = mine.filter((d) => d.outcome === "passed").at(-1);
  return { ...(last ? { last } : {}), ...(lastPassing ? { lastPassing } : {}) };
}
