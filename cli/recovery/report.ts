/**
 * The recovery report, written three ways from one document: JSON (for tools), Markdown
 * (a CI job summary or an issue) and a self-contained HTML page (a phase timeline in SVG,
 * the targets and the verification table) a person can read at a glance. Values of
 * ConfigMaps and Secrets never reach it: verification keeps only checksums and paths.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { minutes } from "../plan/timeline";
import type { Progress as RecoveryProgress } from "./types";
import { PHASES, type PhaseName, type PhaseResult } from "./phases";
import type { PvcFinding } from "./compare";
import type { Verification } from "./verify";
import { reportable, type PortabilityCheck } from "../backup/portability";
import { FS_RESTORE_MB_PER_SECOND } from "./model";

/** What every report names. */
export interface ReportBase {
  readonly id: string;
  readonly source: string;
  readonly stack: string;
  readonly region: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly reportDir: string;
  readonly targets: { readonly rtoMinutes: number; readonly rpoMinutes: number };
}

/** A measured or modeled objective against its target. */
export interface Objective {
  readonly seconds?: number;
  readonly targetMinutes: number;
  /** Undefined when it could not be measured (the drill stopped before). */
  readonly met?: boolean;
  readonly modeled: boolean;
  readonly note: string;
  /** A modeled RTO at the published high kopia restore rate (`seconds` is at the low one). */
  readonly atHighRate?: number;
}

/** The report document (report.json). */
export interface RecoveryReport {
  readonly kind: "drill" | "recover" | "rehearsal";
  readonly id: string;
  readonly source: string;
  readonly stack: string;
  readonly region: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: "passed" | "failed" | "interrupted";
  readonly failure?: { readonly phase: PhaseName; readonly message: string; readonly refused?: boolean };
  readonly rto: Objective;
  readonly rpo: Objective;
  readonly backup?: { readonly name: string; readonly completedAt?: string; readonly location: string };
  /** Newer backups of the namespaces that were not restored, and why. */
  readonly passedOver?: readonly { readonly name: string; readonly why: string }[];
  readonly phases: readonly PhaseResult[];
  readonly verification?: Verification;
  /** The backup checked against the target region before the restore. */
  readonly portability?: ReturnType<typeof reportable<PortabilityCheck>>;
  /** A rehearsal's modeled longest chain of `pulumi up`. */
  readonly criticalPath?: readonly {
    readonly key: string;
    readonly start: number;
    readonly end: number;
    readonly basis: string;
  }[];
  /** A rehearsal's restore as a drill would run it: the namespaces, and each one's verify command. */
  readonly wouldRestore?: {
    readonly namespaces: readonly string[];
    readonly checks: readonly { readonly namespace: string; readonly command: string }[];
  };
}

/** Whether a phase's time was measured or modeled: never both on one axis. */
export const isModeled = (p: Pick<PhaseResult, "status">): boolean => p.status === "modeled";

/** Builds the report from the phases' results and what they found. */
export function buildReport(
  input: ReportBase & {
    kind: RecoveryReport["kind"];
    finishedAt: number;
    phases: readonly PhaseResult[];
    progress: RecoveryProgress;
    failure?: RecoveryReport["failure"];
    interrupted?: boolean;
  },
): RecoveryReport {
  const p = input.progress;
  let phases = [...input.phases];
  if (input.kind === "rehearsal" && p.modeled) {
    // Every phase that needs AWS, modeled back to back from 0: the offline preflight's
    // measured seconds are not a real preflight's, and are never added to modeled time.
    let at = 0;
    const modeled = p.modeled.phases.map((m): PhaseResult => {
      const r = {
        name: m.name,
        status: "modeled" as const,
        start: at,
        seconds: m.seconds,
        detail: "modeled",
        basis: m.basis,
      };
      at += m.seconds;
      return r;
    });
    phases = [...phases.filter((r) => !modeled.some((m) => m.name === r.name)), ...modeled].sort(
      (a, b) => PHASES.indexOf(a.name) - PHASES.indexOf(b.name),
    );
  }
  const verify = phases.find((r) => r.name === "verify");
  const verified =
    verify && (verify.status === "passed" || verify.status === "modeled") ? verify.start + verify.seconds : undefined;
  // A drill links to the source's backup storage; a real recovery into another region deploys its own first.
  const storage = input.kind === "drill" ? (p.storageSeconds ?? 0) : 0;
  const rtoSeconds = verified === undefined ? undefined : verified + storage;
  // The same recovery with the restore at kopia's published high rate.
  const atHighRate =
    input.kind === "rehearsal" && rtoSeconds !== undefined && p.modeled
      ? rtoSeconds - (p.modeled.restore.low - p.modeled.restore.high)
      : undefined;
  const rto: Objective = {
    ...(rtoSeconds !== undefined ? { seconds: rtoSeconds } : {}),
    targetMinutes: input.targets.rtoMinutes,
    ...(rtoSeconds !== undefined ? { met: rtoSeconds <= input.targets.rtoMinutes * 60 } : {}),
    modeled: input.kind === "rehearsal",
    note: rtoNote(input.kind, rtoSeconds, storage, atHighRate),
    ...(atHighRate !== undefined ? { atHighRate } : {}),
  };
  // The age already holds the replication lag: the replica's newest backup is older by it.
  const rpoSeconds = input.kind === "rehearsal" ? p.modeledRpo?.seconds : p.rpo?.ageSeconds;
  const rpo: Objective = {
    ...(rpoSeconds !== undefined && Number.isFinite(rpoSeconds) ? { seconds: rpoSeconds } : {}),
    targetMinutes: input.targets.rpoMinutes,
    ...(rpoSeconds !== undefined ? { met: rpoSeconds <= input.targets.rpoMinutes * 60 } : {}),
    modeled: input.kind === "rehearsal",
    note:
      input.kind === "rehearsal"
        ? (p.modeledRpo?.basis ?? "no schedule")
        : p.rpo
          ? `one sample, not the worst case: the age of the restored backup's data (from its start) at this moment${p.rpo.lagSeconds ? `, of which ${minutes(p.rpo.lagSeconds)} is replication lag` : ""}; ${p.rpo.lagNote}${p.modeledRpo ? `. Worst case, modeled: ${minutes(p.modeledRpo.seconds)} (${p.modeledRpo.basis})` : ""}`
          : "not measured: no backup was found",
  };
  const missed = [
    rto.met === false ? `RTO ${minutes(rto.seconds ?? 0)} is over its ${rto.targetMinutes} min target` : "",
    rpo.met === false
      ? `RPO ${rpo.seconds === undefined ? "unbounded" : minutes(rpo.seconds)} is over its ${rpo.targetMinutes} min target`
      : "",
  ].filter(Boolean);
  const failure =
    input.failure ?? (missed.length > 0 ? { phase: "report" as const, message: missed.join("; ") } : undefined);
  return {
    kind: input.kind,
    id: input.id,
    source: input.source,
    stack: input.stack,
    region: input.region,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    outcome: input.interrupted ? "interrupted" : failure ? "failed" : "passed",
    ...(failure ? { failure } : {}),
    rto,
    rpo,
    ...(p.backup && p.location
      ? {
          backup: {
            name: p.backup.name,
            ...(p.backup.completedAt ? { completedAt: p.backup.completedAt } : {}),
            location: `s3://${p.location.bucket} (${p.location.region})`,
          },
        }
      : {}),
    ...(p.passedOver && p.passedOver.length > 0 ? { passedOver: p.passedOver } : {}),
    phases,
    ...(p.verification ? { verification: p.verification } : {}),
    ...(p.portability ? { portability: reportable(p.portability) } : {}),
    ...(input.kind === "rehearsal" && p.modeled
      ? {
          criticalPath: p.modeled.timeline.critical.map((e) => ({
            key: e.key,
            start: e.start,
            end: e.end,
            basis: e.basis,
          })),
        }
      : {}),
    ...(input.kind === "rehearsal" && p.wouldRestore ? { wouldRestore: p.wouldRestore } : {}),
  };
}

function rtoNote(
  kind: RecoveryReport["kind"],
  seconds: number | undefined,
  storage: number,
  atHighRate: number | undefined,
): string {
  if (seconds === undefined) return "not measured: the recovery stopped before it was verified";
  if (kind === "rehearsal") {
    const rates = FS_RESTORE_MB_PER_SECOND;
    const high = atHighRate !== undefined ? `; ${minutes(atHighRate)} at the high rate (${rates.high} MB/s)` : "";
    return `modeled: start to verified, phases back to back, the restore at kopia's published low file-system rate (${rates.low} MB/s, velero #5920)${high}`;
  }
  if (storage > 0)
    return `measured start to verified, plus ${minutes(storage)} modeled for the backup storage stack a real recovery into another region deploys first (the drill links to the source's)`;
  return "measured: start to verified";
}

function objectiveText(o: Objective): string {
  if (o.seconds === undefined) return `not measured (target ${o.targetMinutes} min)`;
  return `${minutes(o.seconds)}${o.modeled ? " (modeled)" : ""} against ${o.targetMinutes} min: ${marginText(o)}`;
}

/** Met with how much to spare, met with none (flagged: any delay misses it), or missed by how much. */
export function marginText(o: Objective): string {
  const margin = o.targetMinutes * 60 - (o.seconds ?? 0);
  if (!o.met) return `MISSED by ${minutes(-margin)}`;
  return margin < 60 ? "met with NO MARGIN (any delay misses it)" : `met, ${minutes(margin)} to spare`;
}

const TITLES: Record<RecoveryReport["kind"], string> = {
  drill: "DR drill",
  recover: "Recovery",
  rehearsal: "DR drill rehearsal (modeled)",
};

function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The report as Markdown. */
export function renderMarkdown(r: RecoveryReport): string {
  const lines = [
    `## ${TITLES[r.kind]} ${r.id}: ${r.outcome.toUpperCase()}`,
    "",
    `${r.source} → ${r.stack} in ${r.region}, ${r.startedAt} to ${r.finishedAt}.${r.failure ? ` **Failed in ${r.failure.phase}:** ${mdCell(r.failure.message)}` : ""}`,
    "",
    "| objective | result | how |",
    "|---|---|---|",
    `| RTO | ${objectiveText(r.rto)} | ${mdCell(r.rto.note)} |`,
    `| RPO | ${objectiveText(r.rpo)} | ${mdCell(r.rpo.note)} |`,
    "",
    ...(r.backup
      ? [
          `Backup: \`${r.backup.name}\`${r.backup.completedAt ? `, completed ${r.backup.completedAt}` : ""}, from ${r.backup.location}.`,
          "",
        ]
      : []),
    ...(r.passedOver
      ? ["Newer backups passed over:", ...r.passedOver.map((b) => `- \`${b.name}\`: ${mdCell(b.why)}`), ""]
      : []),
    ...phaseTable(
      "Measured",
      r.phases.filter((ph) => !isModeled(ph)),
    ),
    ...phaseTable(
      "Modeled (from published durations, back to back from 0; never added to measured time)",
      r.phases.filter(isModeled),
    ),
    ...wouldRestoreLines(r),
  ];
  if (r.portability) lines.push("", ...portabilityLines(r.portability));
  if (r.verification) lines.push("", ...renderVerification(r.verification));
  if (r.criticalPath)
    lines.push(
      "",
      "Modeled longest chain of `pulumi up`:",
      "",
      ...r.criticalPath.map((e) => `- ${minutes(e.start)} → ${minutes(e.end)} ${e.key} (${e.basis})`),
    );
  return lines.join("\n") + "\n";
}

/** One table of phases that share an axis: all measured, or all modeled. */
function phaseTable(title: string, phases: readonly PhaseResult[]): string[] {
  if (phases.length === 0) return [];
  return [
    `${title}:`,
    "",
    "| phase | status | start | took | detail |",
    "|---|---|---|---|---|",
    ...phases.map(
      (ph) =>
        `| ${ph.name} | ${ph.status} | ${minutes(ph.start)} | ${minutes(ph.seconds)} | ${mdCell(ph.basis ? `${ph.detail}: ${ph.basis}` : ph.detail)} |`,
    ),
    "",
  ];
}

/** A rehearsal's restore, as a drill would run it. */
function wouldRestoreLines(r: RecoveryReport): string[] {
  const w = r.wouldRestore;
  if (!w) return [];
  return [
    `A drill would restore ${w.namespaces.length ? w.namespaces.map((n) => `\`${n}\``).join(", ") : "no namespace (none is imperative)"} from the newest complete backup on the replica, then run:`,
    "",
    ...w.namespaces.map((n) => {
      const c = w.checks.find((x) => x.namespace === n);
      return c
        ? `- \`${n}\`: \`${mdCell(c.command)}\``
        : `- \`${n}\`: no verify command declared (phoenix:namespaces.imperative[].verify); objects and volumes are still compared`;
    }),
    "",
  ];
}

/** What in the backup was bound to the source region or cluster, and what the restore did with it. */
function portabilityLines(c: NonNullable<RecoveryReport["portability"]>): string[] {
  const head = `Region- and cluster-bound references (${c.sourceRegion} → ${c.targetRegion}): ${c.references.length} found, ${c.rewrites.length} field(s) rewritten by the restore's modifiers, ${c.unresolved.length} unresolved.`;
  if (c.references.length === 0) return [head];
  return [
    head,
    "",
    "| object | field | found | action | why |",
    "|---|---|---|---|---|",
    ...c.references.map(
      (x) =>
        `| ${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name} | \`${x.path}\` | \`${mdCell(x.found)}\` | ${x.action === "rewrite" ? `rewrite to \`${mdCell(x.to ?? "")}\`` : x.action === "remove" ? "remove" : "**STOP**"} | ${mdCell(x.why)} |`,
    ),
  ];
}

/** A namespace's claims in a line: how many came back with their data, and how many empty because their pods opted out. */
function volumesCell(pvcs: readonly PvcFinding[]): string {
  if (pvcs.length === 0) return "none";
  const excluded = pvcs.filter((x) => x.volumeRestore === "excluded").length;
  const restored = pvcs.filter((x) => x.ok && x.volumeRestore !== "excluded").length;
  return `${restored}/${pvcs.length} restored${excluded ? `, ${excluded} excluded by its pod` : ""}`;
}

/** A claim back without data: a failure, or a volume its pod opted out of the backup (shown, though it passes). */
function withoutData(x: PvcFinding): boolean {
  return !x.ok || x.volumeRestore === "excluded";
}

/** Why a claim did not come back with its data. */
function pvcText(x: PvcFinding): string {
  const data =
    x.volumeRestore === "none"
      ? "no pod volume restore: no pod mounted it when the backup ran, so kopia never copied its data"
      : x.volumeRestore === "excluded"
        ? "restored empty, as its pod asked: backup.velero.io/backup-volumes-excludes opted the volume out of the backup"
        : `pod volume restore ${x.volumeRestore}`;
  return `${x.phase}; ${data}`;
}

/** The verification as Markdown lines (the drill's report and `restore verify`). */
export function renderVerification(v: Verification): string[] {
  const lines: string[] = [];
  lines.push(
    `### Verification of ${v.backup}${v.restore ? ` (restore ${v.restore})` : ""}: ${v.passed ? "passed" : "FAILED"}`,
    "",
  );
  lines.push(
    "| namespace | present | missing | changed | volumes | hooks (pre/post) | verify command |",
    "|---|---|---|---|---|---|---|",
  );
  for (const ns of v.comparison.namespaces) {
    const check = v.checks.find((c) => c.namespace === ns.namespace);
    const hooks = v.hooks.find((h) => h.namespace === ns.namespace);
    const volumes = volumesCell(ns.pvcs);
    lines.push(
      `| ${ns.namespace} | ${ns.present} | ${ns.missing} | ${ns.changed} | ${volumes} | ${hooks ? `${hooks.declared.pre}/${hooks.declared.post}` : "0/0"} | ${check ? `${check.passed ? "passed" : "FAILED"} (exit ${check.exitCode ?? "none"})` : "none declared"} |`,
    );
  }
  if (v.backupHooks)
    lines.push(
      "",
      `Velero ran ${v.backupHooks.attempted} backup hooks for this backup; ${v.backupHooks.failed} failed.`,
    );
  const findings = v.comparison.namespaces.flatMap((ns) => ns.findings);
  if (findings.length > 0)
    lines.push(
      "",
      "Objects not back as backed up:",
      ...findings
        .slice(0, 50)
        .map(
          (f) =>
            `- ${f.verdict}: ${f.kind} ${f.namespace}/${f.name}${f.differences.length ? ` (${f.differences.join(", ")})` : ""}`,
        ),
    );
  if (v.comparison.ownerReferencesReset.length > 0) {
    lines.push(
      "",
      "Back without their owner references (Velero resets them on restore; garbage collection no longer ties them to their owners):",
      ...v.comparison.ownerReferencesReset.map((o) => `- ${o}`),
    );
  }
  const pvcs = v.comparison.namespaces.flatMap((ns) => ns.pvcs).filter(withoutData);
  if (pvcs.length > 0)
    lines.push("", "Volumes without their data:", ...pvcs.map((x) => `- PVC ${x.namespace}/${x.name}: ${pvcText(x)}`));
  const failedChecks = v.checks.filter((c) => !c.passed);
  if (failedChecks.length > 0)
    lines.push(
      "",
      "Verify commands that failed:",
      ...failedChecks.map((c) => `- ${c.namespace}: \`${c.command}\`: ${mdCell(c.output)}`),
    );
  if (v.notInTarball.length > 0)
    lines.push(
      "",
      "Listed in the backup's resource list but not in its tarball (a damaged backup):",
      ...v.notInTarball.map((m) => `- ${m}`),
    );
  if (v.messagesNote) lines.push("", v.messagesNote);
  if (
    v.veleroMessages.errors.length +
      v.veleroMessages.warnings.length +
      v.skipped.length +
      v.failed.length +
      v.existedDifferent.length >
    0
  ) {
    lines.push(
      "",
      "Velero reported:",
      ...v.veleroMessages.errors.map((m) => `- error: ${m}`),
      ...v.failed.map((m) => `- failed: ${m}`),
      ...v.veleroMessages.warnings.map((m) => `- warning: ${m}`),
      ...v.skipped.map((m) => `- skipped (already existed): ${m}`),
      ...v.existedDifferent.map((m) => `- left as it was (already existed, different; compared above): ${m}`),
    );
  }
  return lines;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const COLORS: Record<string, string> = {
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
${r.wouldRestore ? `<h2>What a drill would restore and check</h2><p>${r.wouldRestore.namespaces.length ? r.wouldRestore.namespaces.map((n) => `<code>${esc(n)}</code>`).join(", ") : "No namespace (none is imperative)"}, from the newest complete backup on the replica, then:</p><ul>${r.wouldRestore.checks.length ? r.wouldRestore.checks.map((c) => `<li><code>${esc(c.namespace)}</code>: <code>${esc(c.command)}</code></li>`).join("") : "<li>no verify command declared</li>"}</ul>` : ""}
${r.portability ? `<h2>Region- and cluster-bound references</h2><p class="muted">${esc(`${r.portability.sourceRegion} → ${r.portability.targetRegion}: ${r.portability.references.length} found, ${r.portability.rewrites.length} field(s) rewritten, ${r.portability.unresolved.length} unresolved`)}</p>${r.portability.references.length ? `<table><tr><th>object</th><th>field</th><th>found</th><th>action</th><th>why</th></tr>${r.portability.references.map((x) => `<tr><td>${esc(`${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name}`)}</td><td><code>${esc(x.path)}</code></td><td><code>${esc(x.found)}</code></td><td${x.action === "stop" ? ' class="bad"' : ""}>${esc(x.action === "rewrite" ? `rewrite to ${x.to ?? ""}` : x.action)}</td><td>${esc(x.why)}</td></tr>`).join("")}</table>` : ""}` : ""}
${verification}
${r.criticalPath ? `<h2>Modeled longest chain of <code>pulumi up</code></h2><table><tr><th>start</th><th>end</th><th>resource</th><th>basis</th></tr>${r.criticalPath.map((e) => `<tr><td>${esc(minutes(e.start))}</td><td>${esc(minutes(e.end))}</td><td>${esc(e.key)}</td><td>${esc(e.basis)}</td></tr>`).join("")}</table>` : ""}
</body></html>
`;
}

/** Writes report.json, report.md and report.html into `dir`. */
export function writeReport(dir: string, r: RecoveryReport): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "report.json"), JSON.stringify(r, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "report.md"), renderMarkdown(r));
  fs.writeFileSync(path.join(dir, "report.html"), renderHtml(r));
}
