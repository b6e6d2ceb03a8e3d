/** The report's phase timeline, drawn in SVG, with the escaping and colours the HTML page shares. */
import { minutes } from "../plan/timeline";
import { isModeled, type RecoveryReport } from "./reportModel";

/** Text made safe for HTML and SVG. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Each status's colour, in the timeline and the HTML tables. */
export const COLORS: Record<string, string> = {
  passed: "#2e7d32",
  failed: "#c62828",
  interrupted: "#ef6c00",
  skipped: "#9e9e9e",
  modeled: "#1565c0",
};

/**
 * The phase timeline as SVG: one bar per phase on one time axis, the RTO target as a line.
 * One kind of time per axis: a rehearsal draws its modeled phases, a drill or recovery
 * its measured ones (the modeled storage time it adds to the RTO is in the RTO's note).
 */
export function timelineSvg(r: RecoveryReport): string {
  const width = 860;
  const left = 110;
  const row = 30;
  const phases = r.phases.filter((p) => isModeled(p) === (r.kind === "rehearsal"));
  const span = Math.max(1, ...phases.map((p) => p.start + p.seconds), r.rto.targetMinutes * 60);
  const x = (s: number): number => left + (s / span) * (width - left - 130);
  const height = phases.length * row + 74;
  const bars = phases.map((p, i) => {
    const y = 10 + i * row;
    const w = Math.max(2, x(p.start + p.seconds) - x(p.start));
    return `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${esc(p.name)}</text><rect x="${x(p.start).toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="18" rx="3" fill="${COLORS[p.status]}"${p.status === "modeled" ? ' fill-opacity="0.55"' : ""}><title>${esc(`${p.name}: ${p.status}, ${minutes(p.seconds)}`)}</title></rect><text x="${(x(p.start) + w + 6).toFixed(1)}" y="${y + 17}" class="small">${esc(`${minutes(p.seconds)} ${p.status}`)}</text>`;
  });
  const target = x(r.rto.targetMinutes * 60);
  const axisY = phases.length * row + 18;
  const used = [...new Set(phases.map((p) => p.status))];
  const legend = used.map(
    (s, i) =>
      `<rect x="${left + i * 110}" y="${axisY + 28}" width="12" height="12" rx="2" fill="${COLORS[s]}"${s === "modeled" ? ' fill-opacity="0.55"' : ""}/><text x="${left + i * 110 + 16}" y="${axisY + 38}" class="small">${esc(s)}</text>`,
  );
  const ticks = Array.from({ length: 6 }, (_, i) => (span * i) / 5).map(
    (s) =>
      `<text x="${x(s).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" class="small">${esc(minutes(s))}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="phase timeline">`,
    `<style>text{font:13px system-ui,sans-serif;fill:#222}.small{font-size:11px;fill:#555}</style>`,
    ...bars,
    `<line x1="${left}" y1="${axisY}" x2="${width - 20}" y2="${axisY}" stroke="#999"/>`,
    ...ticks,
    `<text x="${width - 20}" y="${axisY + 38}" text-anchor="end" class="small">${r.kind === "rehearsal" ? "modeled time from the start" : "measured time from the start"}</text>`,
    ...legend,
    `<line x1="${target.toFixed(1)}" y1="4" x2="${target.toFixed(1)}" y2="${axisY}" stroke="#c62828" stroke-dasharray="5 4"/><text x="${(target - 4).toFixed(1)}" y="${axisY - 4}" text-anchor="end" class="small">RTO target ${r.rto.targetMinutes} min</text>`,
    `</svg>`,
  ].join("\n");
}
