/** The report as Markdown (a CI job summary or an issue), and the verification as Markdown lines. */
import { unitPrice, type Costed } from "../cost/model";
import { minutes } from "../plan/timeline";
import type { PhaseResult } from "./phases";
import type { Verification } from "./verify";
import { isModeled, NO_VERIFY, TITLES, wouldRestoreRows, type Objective, type RecoveryReport } from "./reportModel";
import { pvcText, volumesCell, withoutData } from "./reportVolumes";

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
    ...strategyLines(r),
    ...costLines(r),
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

/** What the drill costs, modeled and (after a real drill) measured, line by line. */
function costLines(r: RecoveryReport): string[] {
  if (!r.cost) return [];
  const one = (title: string, c: Costed): string[] =>
    "cost" in c
      ? [
          "",
          `${title}: **$${c.cost.usd.toFixed(2)}** (${c.cost.region}; cli/cost/prices.ts)`,
          "",
          "| what | quantity | unit price | USD |",
          "|---|---|---|---|",
          ...c.cost.lines.map(
            (l) =>
              `| ${mdCell(l.what)} | ${l.quantity.toFixed(2)} ${l.unit} | ${unitPrice(l.unitUsd)} | ${l.usd.toFixed(2)} |`,
          ),
          ...c.cost.notes.map((n) => `- ${mdCell(n)}`),
        ]
      : ["", `${title}: unknown (${mdCell(c.unknown)})`];
  return [
    ...one("Cost, modeled", r.cost.modeled),
    ...(r.cost.measured ? one("Cost, for the measured time", r.cost.measured) : []),
  ];
}

/** A rehearsal's strategies side by side: modeled RTO at both restore rates, against the target. */
function strategyLines(r: RecoveryReport): string[] {
  if (!r.strategies) return [];
  return [
    "",
    "Modeled RTO by strategy (the restore at the published low and high rates of the stack's volume backup method, named in the basis):",
    "",
    "| strategy | RTO (low rate) | RTO (high rate) | target | basis |",
    "|---|---|---|---|---|",
    ...r.strategies.map(
      (s) =>
        `| ${s.strategy} | ${minutes(s.seconds)} | ${minutes(s.atHighRate)} | ${s.targetMinutes} min (${s.met ? "met" : "missed"}) | ${mdCell(s.basis)} |`,
    ),
  ];
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
    ...wouldRestoreRows(w).map(({ namespace, command }) =>
      command === undefined ? `- \`${namespace}\`: ${NO_VERIFY}` : `- \`${namespace}\`: \`${mdCell(command)}\``,
    ),
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
