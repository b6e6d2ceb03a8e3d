/**
 * The report as a self-contained HTML page (a phase timeline in SVG, the targets and the
 * verification table) a person can read at a glance.
 */
import { unitPrice, type Costed } from "../cost/model";
import { minutes } from "../plan/timeline";
import type { PhaseResult } from "./phases";
import { isModeled, NO_VERIFY, TITLES, wouldRestoreRows, type RecoveryReport } from "./reportModel";
import { COLORS, esc, timelineSvg } from "./reportTimeline";
import { pvcText, volumesCell, withoutData } from "./reportVolumes";

/** One HTML table of phases sharing an axis. */
function phaseTableHtml(title: string, phases: readonly PhaseResult[]): string {
  if (phases.length === 0) return "";
  return `<h3>${esc(title)}</h3><table><tr><th>phase</th><th>status</th><th>start</th><th>took</th><th>detail</th></tr>
${phases.map((p) => `<tr><td>${esc(p.name)}</td><td style="color:${COLORS[p.status]};font-weight:600">${esc(p.status)}</td><td>${esc(minutes(p.start))}</td><td>${esc(minutes(p.seconds))}</td><td>${esc(p.detail)}${p.basis ? `<div class="muted">${esc(p.basis)}</div>` : ""}</td></tr>`).join("\n")}
</table>`;
}

/** The report as one self-contained HTML page. */
export function renderHtml(r: RecoveryReport): string {
  const badge = (ok: boolean | undefined, text: string): string =>
    `<span class="badge ${ok === undefined ? "unknown" : ok ? "ok" : "bad"}">${esc(text)}</span>`;
  const v = r.verification;
  const verification = v
    ? `<h2>Verification of ${esc(v.backup)} ${badge(v.passed, v.passed ? "passed" : "failed")}</h2>
<table><tr><th>namespace</th><th>present</th><th>missing</th><th>changed</th><th>volumes</th><th>backup hooks (pre/post)</th><th>verify command</th></tr>
${v.comparison.namespaces
  .map((ns) => {
    const check = v.checks.find((c) => c.namespace === ns.namespace);
    const hooks = v.hooks.find((h) => h.namespace === ns.namespace);
    const volumesOk = ns.pvcs.every((x) => x.ok);
    return `<tr><td>${esc(ns.namespace)}</td><td>${ns.present}</td><td class="${ns.missing ? "bad" : ""}">${ns.missing}</td><td class="${ns.changed ? "bad" : ""}">${ns.changed}</td><td class="${volumesOk ? "" : "bad"}">${volumesCell(ns.pvcs)}</td><td>${hooks ? `${hooks.declared.pre}/${hooks.declared.post}` : "0/0"}</td><td>${check ? badge(check.passed, check.passed ? "passed" : `failed (exit ${check.exitCode ?? "none"})`) : "none declared"}</td></tr>`;
  })
  .join("\n")}
</table>
${(() => {
  const findings = v.comparison.namespaces.flatMap((ns) => ns.findings);
  return findings.length
    ? `<h3>Objects not back as backed up</h3><ul>${findings
        .slice(0, 100)
        .map(
          (f) =>
            `<li><b>${f.verdict}</b> ${esc(`${f.kind} ${f.namespace}/${f.name}`)}${f.differences.length ? `: ${esc(f.differences.join(", "))}` : ""}</li>`,
        )
        .join("")}</ul>`
    : "";
})()}
${(() => {
  const pvcs = v.comparison.namespaces.flatMap((ns) => ns.pvcs).filter(withoutData);
  return pvcs.length
    ? `<h3>Volumes without their data</h3><ul>${pvcs.map((x) => `<li>PVC ${esc(`${x.namespace}/${x.name}`)}: ${esc(pvcText(x))}</li>`).join("")}</ul>`
    : "";
})()}
${
  v.checks.some((c) => !c.passed)
    ? `<h3>Verify commands that failed</h3><ul>${v.checks
        .filter((c) => !c.passed)
        .map(
          (c) =>
            `<li>${esc(c.namespace)}: <code>${esc(c.command)}</code>${c.pod ? ` in ${esc(c.pod)}` : ""}: exit ${esc(String(c.exitCode ?? "none"))}<pre>${esc(c.output)}</pre></li>`,
        )
        .join("")}</ul>`
    : ""
}
${v.notInTarball.length ? `<h3>Listed in the backup but not in its tarball</h3><ul>${v.notInTarball.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>` : ""}
${v.messagesNote ? `<p class="muted">${esc(v.messagesNote)}</p>` : ""}
${v.veleroMessages.errors.length + v.veleroMessages.warnings.length + v.skipped.length + v.failed.length ? `<h3>Velero reported</h3><ul>${[...v.veleroMessages.errors.map((m) => `error: ${m}`), ...v.failed.map((m) => `failed: ${m}`), ...v.veleroMessages.warnings.map((m) => `warning: ${m}`), ...v.skipped.map((m) => `skipped (already existed): ${m}`)].map((m) => `<li>${esc(m)}</li>`).join("")}</ul>` : ""}`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`${TITLES[r.kind]} ${r.id}`)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:920px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-size:13px;vertical-align:middle}
.ok{background:#2e7d32}.bad{background:#c62828;color:#fff}.unknown{background:#9e9e9e}
td.bad{background:#ffebee;color:#c62828;font-weight:600}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #ddd;padding:5px 8px;text-align:left;font-size:14px}th{background:#f5f5f5}
.cards{display:flex;gap:12px;margin:16px 0}.card{flex:1;border:1px solid #ddd;border-radius:8px;padding:10px 14px}.card .big{font-size:26px;font-weight:600}
.muted{color:#666;font-size:13px}
pre{background:#f5f5f5;padding:6px 8px;border-radius:4px;white-space:pre-wrap;font-size:12px}
</style></head><body>
<h1>${esc(TITLES[r.kind])} ${esc(r.id)} ${badge(r.outcome === "passed", r.outcome)}</h1>
<div class="muted">${esc(`${r.source} → ${r.stack} in ${r.region} · ${r.startedAt} to ${r.finishedAt}`)}</div>
${r.failure ? `<p><b>Failed in ${esc(r.failure.phase)}:</b> ${esc(r.failure.message)}</p>` : ""}
<div class="cards">
<div class="card"><div class="muted">RTO${r.rto.modeled ? " (modeled)" : ""}</div><div class="big">${esc(r.rto.seconds === undefined ? "—" : minutes(r.rto.seconds))}</div>${badge(r.rto.met, `target ${r.rto.targetMinutes} min`)}<div class="muted">${esc(r.rto.note)}</div></div>
<div class="card"><div class="muted">RPO${r.rpo.modeled ? " (modeled)" : ""}</div><div class="big">${esc(r.rpo.seconds === undefined ? "—" : minutes(r.rpo.seconds))}</div>${badge(r.rpo.met, `target ${r.rpo.targetMinutes} min`)}<div class="muted">${esc(r.rpo.note)}</div></div>
${r.backup ? `<div class="card"><div class="muted">Backup restored</div><div><b>${esc(r.backup.name)}</b></div><div class="muted">${esc(`${r.backup.completedAt ?? ""} · ${r.backup.location}`)}</div>${r.passedOver ? `<div class="muted">Newer, passed over: ${r.passedOver.map((p) => `${esc(p.name)} (${esc(p.why)})`).join("; ")}</div>` : ""}</div>` : ""}
</div>
<h2>Phases</h2>
${timelineSvg(r)}
${phaseTableHtml(
  "Measured",
  r.phases.filter((p) => !isModeled(p)),
)}
${phaseTableHtml("Modeled: from published durations, back to back from 0, never added to measured time", r.phases.filter(isModeled))}
${r.wouldRestore ? wouldRestoreHtml(r.wouldRestore) : ""}
${r.portability ? `<h2>Region- and cluster-bound references</h2><p class="muted">${esc(`${r.portability.sourceRegion} → ${r.portability.targetRegion}: ${r.portability.references.length} found, ${r.portability.rewrites.length} field(s) rewritten, ${r.portability.unresolved.length} unresolved`)}</p>${r.portability.references.length ? `<table><tr><th>object</th><th>field</th><th>found</th><th>action</th><th>why</th></tr>${r.portability.references.map((x) => `<tr><td>${esc(`${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name}`)}</td><td><code>${esc(x.path)}</code></td><td><code>${esc(x.found)}</code></td><td${x.action === "stop" ? ' class="bad"' : ""}>${esc(x.action === "rewrite" ? `rewrite to ${x.to ?? ""}` : x.action)}</td><td>${esc(x.why)}</td></tr>`).join("")}</table>` : ""}` : ""}
${verification}
${r.cost ? costHtml(r.cost) : ""}
${r.strategies ? `<h2>Modeled RTO by strategy</h2><table><tr><th>strategy</th><th>RTO (low rate)</th><th>RTO (high rate)</th><th>target</th><th>basis</th></tr>${r.strategies.map((s) => `<tr><td>${esc(s.strategy)}</td><td>${esc(minutes(s.seconds))}</td><td>${esc(minutes(s.atHighRate))}</td><td>${s.targetMinutes} min (${s.met ? "met" : "missed"})</td><td>${esc(s.basis)}</td></tr>`).join("")}</table>` : ""}
${r.criticalPath ? `<h2>Modeled longest chain of <code>pulumi up</code></h2><table><tr><th>start</th><th>end</th><th>resource</th><th>basis</th></tr>${r.criticalPath.map((e) => `<tr><td>${esc(minutes(e.start))}</td><td>${esc(minutes(e.end))}</td><td>${esc(e.key)}</td><td>${esc(e.basis)}</td></tr>`).join("")}</table>` : ""}
</body></html>
`;
}

/** A rehearsal's restore, as a drill would run it: each namespace with its verify command, or none. */
function wouldRestoreHtml(w: NonNullable<RecoveryReport["wouldRestore"]>): string {
  const names = w.namespaces.length
    ? w.namespaces.map((n) => `<code>${esc(n)}</code>`).join(", ")
    : "No namespace (none is imperative)";
  const items = wouldRestoreRows(w).map(
    ({ namespace, command }) =>
      `<li><code>${esc(namespace)}</code>: ${command === undefined ? esc(NO_VERIFY) : `<code>${esc(command)}</code>`}</li>`,
  );
  return `<h2>What a drill would restore and check</h2><p>${names}, from the newest complete backup on the replica, then:</p><ul>${items.join("")}</ul>`;
}

/** The drill's cost, modeled and measured. */
function costHtml(cost: NonNullable<RecoveryReport["cost"]>): string {
  const one = (title: string, c: Costed): string =>
    "cost" in c
      ? `<h2>${esc(title)}: $${c.cost.usd.toFixed(2)}</h2><table><tr><th>what</th><th>quantity</th><th>unit price</th><th>USD</th></tr>${c.cost.lines.map((l) => `<tr><td>${esc(l.what)}</td><td>${l.quantity.toFixed(2)} ${esc(l.unit)}</td><td>${unitPrice(l.unitUsd)}</td><td>${l.usd.toFixed(2)}</td></tr>`).join("")}</table><ul>${c.cost.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`
      : `<h2>${esc(title)}: unknown</h2><p>${esc(c.unknown)}</p>`;
  return one("Cost, modeled", cost.modeled) + (cost.measured ? one("Cost, for the measured time", cost.measured) : "");
}
