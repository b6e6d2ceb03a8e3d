/**
 * The recovery report, written three ways from one document: JSON (for tools), Markdown
 * (a CI job summary or an issue) and a self-contained HTML page (a phase timeline in SVG,
 * the targets and the verification table) a person can read at a glance. Values of
 * ConfigMaps and Secrets never reach it: verification keeps only checksums and paths.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecoveryReport } from "./reportModel";
import { renderHtml } from "./reportHtml";
import { renderMarkdown } from "./reportMarkdown";

export { buildReport, isModeled, type Objective, type RecoveryReport, type ReportBase } from "./reportModel";
export { marginText, renderMarkdown, renderVerification } from "./reportMarkdown";
export { renderHtml } from "./reportHtml";
export { timelineSvg } from "./reportTimeline";

/** Writes report.json, report.md and report.html into `dir`. */
export function writeReport(dir: string, r: RecoveryReport): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "report.json"), JSON.stringify(r, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "report.md"), renderMarkdown(r));
  fs.writeFileSync(path.join(dir, "report.html"), renderHtml(r));
}
