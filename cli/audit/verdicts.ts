/**
 * What one classified namespace concludes: its failing and warning findings, from its
 * class, the schedules that cover it and the state it holds, and the warnings that only
 * a person can judge.
 */
import { NAMESPACE_CLASS_LABEL } from "../../components/labels";
import type { NamespaceClass } from "../stacks/names";
import {
  CLASS_PRECEDENCE,
  STATE_KINDS,
  VERDICTS,
  type Evidence,
  type Finding,
  type InactiveCover,
  type LiveClass,
  type LiveNamespace,
  type LiveSchedule,
  type StackInventory,
  type StateSummary,
  type Verdict,
} from "./model";
import { inactiveReason } from "./schedules";
import { describeState, holdsAny } from "./state";

/** One live namespace with everything known about it: what its findings and warnings are made from. */
export interface NamespaceCase {
  readonly ns: LiveNamespace;
  readonly evidence: readonly Evidence[];
  readonly cls: LiveClass;
  /** Schedules whose scope takes it, whether they take backups or not. */
  readonly scoped: readonly LiveSchedule[];
  /** Schedules that take backups of it now. */
  readonly coveredBy: readonly string[];
  /** Schedules whose scope covers it but that take no backups. */
  readonly inactiveCoveredBy: readonly InactiveCover[];
  /** Its state, by kind. */
  readonly holds: StateSummary;
  /** Its state that Argo CD does not track. */
  readonly outsideGit: StateSummary;
  /** Whether the cluster serves Argo CD Applications. */
  readonly argoInstalled: boolean;
  readonly stack?: StackInventory;
}

/** The worst of some verdicts, by the order of VERDICTS; `ok` for none. */
export function worst(verdicts: readonly Verdict[]): Verdict {
  return VERDICTS.find((v) => verdicts.includes(v)) ?? "ok";
}

function list(names: readonly string[]): string {
  return names.join(", ");
}

/** Every failing or warning finding about one namespace, in a fixed order. */
export function namespaceFindings(c: NamespaceCase): Finding[] {
  const { ns, cls, evidence, scoped, coveredBy, inactiveCoveredBy, holds, outsideGit, stack } = c;
  const findings: Finding[] = [];
  const add = (verdict: Verdict, message: string): void => void findings.push({ namespace: ns.name, verdict, message });
  const allCovering = scoped.map((s) => (inactiveReason(s) ? `${s.name} (${inactiveReason(s)})` : s.name));

  if (cls === "platform" && scoped.length > 0) {
    add(
      "backup-covers-platform",
      `platform namespace "${ns.name}" is in the scope of schedule(s) ${list(allCovering)}: code recreates it and it must never be backed up. Fix: exclude it from the schedule (Velero selects namespaces by name only, velero #2477).`,
    );
  }
  if (cls === "gitops" && scoped.length > 0) {
    add(
      "backup-covers-gitops",
      `GitOps namespace "${ns.name}" is in the scope of schedule(s) ${list(allCovering)}: Argo CD recreates it from Git, and restored objects with Argo's tracking metadata get pruned (velero #7848). Fix: exclude it from the schedule.`,
    );
  }
  const classes = CLASS_PRECEDENCE.filter((k) => evidence.some((e) => e.class === k));
  if (classes.length > 1) {
    const who = classes
      .map(
        (k) =>
          `${k} (${evidence
            .filter((e) => e.class === k)
            .map((e) => e.source)
            .join("; ")})`,
      )
      .join(" vs ");
    add(
      "conflict",
      `namespace "${ns.name}" has evidence for two classes: ${who}. It is treated as ${cls} (precedence platform > gitops > imperative), but it must have one owner. Fix: remove the claim that is wrong.`,
    );
  }
  if ((cls === "imperative" || cls === "unknown") && holdsAny(holds) && coveredBy.length === 0) {
    const inactive =
      inactiveCoveredBy.length > 0
        ? ` Schedule(s) ${list(inactiveCoveredBy.map((i) => `${i.schedule} (${i.reason})`))} would cover it but take no backups.`
        : "";
    const fix =
      cls === "unknown"
        ? "Fix: list it in phoenix:namespaces.imperative so Velero backs it up, or move its state into Git."
        : stack?.inventory.namespaces.some((n) => n.name === ns.name && n.class === "imperative")
          ? `Fix: ${stack.stackFile} lists it, so the live schedules are stale or backups are off: check phoenix:backups and run pulumi up.`
          : "Fix: add it to phoenix:namespaces.imperative (the label alone does not put it in any schedule) and run pulumi up.";
    add(
      "lost",
      `${cls} namespace "${ns.name}" holds ${describeState(holds)} that no backup and no Git repository covers: it would be lost in a disaster.${inactive} ${fix}`,
    );
  }
  if (cls === "gitops" && holdsAny(outsideGit)) {
    add(
      "untracked-in-gitops",
      `GitOps namespace "${ns.name}" holds ${describeState(outsideGit)} that Argo CD does not track (${STATE_KINDS.flatMap((k) => outsideGit[k] ?? []).join(", ")}): Git does not recreate them and no backup may cover a GitOps namespace, so they would be lost in a disaster. Fix: put them in Git (a sealed or external secret for credentials), or move them to an imperative namespace.`,
    );
  }
  if (cls === "imperative" && !holdsAny(holds) && coveredBy.length === 0) {
    add(
      "imperative-not-backed-up",
      `imperative namespace "${ns.name}" is in no active schedule; it holds no state yet, so nothing would be lost today.`,
    );
  }
  return findings;
}

/** Warnings about one namespace that do not fail: the audit cannot judge these, a person must. */
export function namespaceWarnings(c: NamespaceCase): string[] {
  const { ns, cls, evidence, scoped, coveredBy, holds } = c;
  const warnings: string[] = [];
  if (cls === "gitops" && (holds.PersistentVolumeClaim?.length ?? 0) > 0) {
    warnings.push(
      `GitOps namespace "${ns.name}" has volumes (${list(holds.PersistentVolumeClaim ?? [])}): Git recreates the claims, not their data. If the data matters, move it to an imperative namespace.`,
    );
  }
  if (cls === "platform" && (holds.PersistentVolumeClaim?.length ?? 0) > 0) {
    warnings.push(
      `platform namespace "${ns.name}" has volumes (${list(holds.PersistentVolumeClaim ?? [])}): platform namespaces are never backed up.`,
    );
  }
  if (cls === "unknown" && coveredBy.length > 0) {
    warnings.push(
      `namespace "${ns.name}" has no class; only the breadth of schedule(s) ${list(coveredBy)} backs it up. Classify it.`,
    );
  }
  if (cls === "gitops" && c.argoInstalled && !evidence.some((e) => e.source.startsWith("Application "))) {
    warnings.push(
      `namespace "${ns.name}" is GitOps by metadata only: no live Application deploys into it. If it is orphaned, Git no longer recreates it.`,
    );
  }
  const filtering = scoped.filter((s) => !inactiveReason(s) && s.objectFilters.length > 0);
  if (holdsAny(holds) && (cls === "imperative" || cls === "unknown") && filtering.length > 0) {
    warnings.push(
      `namespace "${ns.name}": schedule(s) ${list(filtering.map((s) => `${s.name} [${s.objectFilters.join("; ")}]`))} back up only some objects: check that its state is included.`,
    );
  }
  if (ns.phase === "Terminating") warnings.push(`namespace "${ns.name}" is being deleted.`);
  const label = ns.labels[NAMESPACE_CLASS_LABEL];
  if (label !== undefined && !CLASS_PRECEDENCE.includes(label as NamespaceClass)) {
    warnings.push(
      `namespace "${ns.name}" has ${NAMESPACE_CLASS_LABEL}=${label}, which is not a class (platform, gitops, imperative): ignored.`,
    );
  }
  return warnings;
}
