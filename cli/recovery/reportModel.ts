/**
 * The recovery report's document: what every report names, each objective against its
 * target, and the building of the document from the phases' results and what they found.
 * Rendering it is reportMarkdown.ts's, reportHtml.ts's and reportTimeline.ts's.
 */
import { minutes } from "../plan/timeline";
import type { Progress as RecoveryProgress } from "./types";
import { PHASES, type PhaseName, type PhaseResult } from "./phases";
import type { Verification } from "./verify";
import { reportable, type PortabilityCheck } from "../backup/portability";
import { VOLUME_RATES, type ModeledRecovery, type VolumeRates } from "./model";
import type { Costed } from "../cost/model";
import { measuredDrillCost, type DrillCosts } from "./drillCost";

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
  /**
   * A rehearsal's modeled RTO of each strategy: backup-restore (what the drill runs) and
   * a pilot-light standby in the same region, at the low and high published restore rates.
   */
  readonly strategies?: readonly {
    readonly strategy: "backup-restore" | "pilot-light";
    readonly seconds: number;
    readonly atHighRate: number;
    readonly targetMinutes: number;
    readonly met: boolean;
    readonly basis: string;
  }[];
  /**
   * What the drill costs: modeled before it ran (cli/cost/model.ts), and after a real one
   * the same resources for the measured span from the cluster phase to teardown's end.
   */
  readonly cost?: { readonly modeled: Costed; readonly measured?: Costed };
  /** A rehearsal's restore as a drill would run it: the namespaces, and each one's verify command. */
  readonly wouldRestore?: {
    readonly namespaces: readonly string[];
    readonly checks: readonly { readonly namespace: string; readonly command: string }[];
  };
}

/** Whether a phase's time was measured or modeled: never both on one axis. */
export const isModeled = (p: Pick<PhaseResult, "status">): boolean => p.status === "modeled";

/** Said of a namespace a drill would restore that declares no verify command. */
export const NO_VERIFY =
  "no verify command declared (phoenix:namespaces.imperative[].verify); objects and volumes are still compared";

/** Each namespace a rehearsal says a drill would restore, with its verify command if it declares one. */
export function wouldRestoreRows(
  w: NonNullable<RecoveryReport["wouldRestore"]>,
): { namespace: string; command?: string }[] {
  return w.namespaces.map((namespace) => {
    const command = w.checks.find((c) => c.namespace === namespace)?.command;
    return command === undefined ? { namespace } : { namespace, command };
  });
}

/** What the report is built from: the phases' results and what they found. */
export type ReportInput = ReportBase & {
  kind: RecoveryReport["kind"];
  finishedAt: number;
  phases: readonly PhaseResult[];
  progress: RecoveryProgress;
  failure?: RecoveryReport["failure"];
  interrupted?: boolean;
};

/** Builds the report from the phases' results and what they found. */
export function buildReport(input: ReportInput): RecoveryReport {
  const p = input.progress;
  const phases =
    input.kind === "rehearsal" && p.modeled ? withModeledPhases(input.phases, p.modeled) : [...input.phases];
  const rto = rtoObjective(input, phases);
  const rpo = rpoObjective(input);
  const failure = input.failure ?? missedTargets(rto, rpo);
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
    ...(p.cost ? { cost: costOf(input.kind, p.cost, phases) } : {}),
    ...(input.kind === "rehearsal" && p.pilotLight && rto.seconds !== undefined && rto.atHighRate !== undefined
      ? { strategies: strategies(rto.targetMinutes, { low: rto.seconds, high: rto.atHighRate }, p.pilotLight) }
      : {}),
  };
}

/** The modeled cost, and a real drill's measured one. */
function costOf(
  kind: RecoveryReport["kind"],
  costs: DrillCosts,
  phases: readonly PhaseResult[],
): NonNullable<RecoveryReport["cost"]> {
  const measured = kind === "drill" ? measuredDrillCost(costs, phases) : undefined;
  return { modeled: costs.modeled, ...(measured ? { measured } : {}) };
}

/** The two strategies' modeled RTOs side by side, each against the stack's target. */
function strategies(
  target: number,
  backupRestore: { readonly low: number; readonly high: number },
  pilot: NonNullable<RecoveryProgress["pilotLight"]>,
): NonNullable<RecoveryReport["strategies"]> {
  return [
    {
      strategy: "backup-restore",
      seconds: backupRestore.low,
      atHighRate: backupRestore.high,
      targetMinutes: target,
      met: backupRestore.low <= target * 60,
      basis: "the phases above: the cluster built from nothing, then the apps, the restore, the verification",
    },
    {
      strategy: "pilot-light",
      seconds: pilot.seconds.low,
      atHighRate: pilot.seconds.high,
      targetMinutes: target,
      met: pilot.seconds.low <= target * 60,
      basis: pilot.phases.map((ph) => `${ph.name} ${minutes(ph.seconds)}: ${ph.basis}`).join("; "),
    },
  ];
}

/** A rehearsal's phases: its measured ones, with every modeled phase in place of the measured one of its name. */
function withModeledPhases(measured: readonly PhaseResult[], m: ModeledRecovery): PhaseResult[] {
  // Every phase that needs AWS, modeled back to back from 0: the offline preflight's
  // measured seconds are not a real preflight's, and are never added to modeled time.
  let at = 0;
  const modeled = m.phases.map((ph): PhaseResult => {
    const r = {
      name: ph.name,
      status: "modeled" as const,
      start: at,
      seconds: ph.seconds,
      detail: "modeled",
      basis: ph.basis,
    };
    at += ph.seconds;
    return r;
  });
  return [...measured.filter((r) => !modeled.some((x) => x.name === r.name)), ...modeled].sort(
    (a, b) => PHASES.indexOf(a.name) - PHASES.indexOf(b.name),
  );
}

/** The RTO: start to verified (for a drill, plus the storage stack it skips), against its target. */
function rtoObjective(input: ReportInput, phases: readonly PhaseResult[]): Objective {
  const p = input.progress;
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
  return {
    ...(rtoSeconds !== undefined ? { seconds: rtoSeconds } : {}),
    targetMinutes: input.targets.rtoMinutes,
    ...(rtoSeconds !== undefined ? { met: rtoSeconds <= input.targets.rtoMinutes * 60 } : {}),
    modeled: input.kind === "rehearsal",
    note: rtoNote(input.kind, rtoSeconds, storage, atHighRate, p.modeled?.rates),
    ...(atHighRate !== undefined ? { atHighRate } : {}),
  };
}

/** The RPO: the restored data's age (a rehearsal's modeled worst case), against its target. */
function rpoObjective(input: ReportInput): Objective {
  const p = input.progress;
  // The age already holds the replication lag: the replica's newest backup is older by it.
  const rpoSeconds = input.kind === "rehearsal" ? p.modeledRpo?.seconds : p.rpo?.ageSeconds;
  return {
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
}

/** The failure of a recovery that went through but missed a target, if it did. */
function missedTargets(rto: Objective, rpo: Objective): RecoveryReport["failure"] {
  const missed = [
    rto.met === false ? `RTO ${minutes(rto.seconds ?? 0)} is over its ${rto.targetMinutes} min target` : "",
    rpo.met === false
      ? `RPO ${rpo.seconds === undefined ? "unbounded" : minutes(rpo.seconds)} is over its ${rpo.targetMinutes} min target`
      : "",
  ].filter(Boolean);
  return missed.length > 0 ? { phase: "report" as const, message: missed.join("; ") } : undefined;
}

function rtoNote(
  kind: RecoveryReport["kind"],
  seconds: number | undefined,
  storage: number,
  atHighRate: number | undefined,
  rates: VolumeRates | undefined,
): string {
  if (seconds === undefined) return "not measured: the recovery stopped before it was verified";
  if (kind === "rehearsal") {
    const r = rates ?? VOLUME_RATES["file-system"];
    const oneRate = r.restore.low === r.restore.high;
    const high =
      atHighRate !== undefined && !oneRate
        ? `; ${minutes(atHighRate)} at the high rate (${Math.round(r.restore.high)} MB/s)`
        : "";
    return `modeled: start to verified, phases back to back, the restore by ${r.restoreBasis}${high}`;
  }
  if (storage > 0)
    return `measured start to verified, plus ${minutes(storage)} modeled for the backup storage stack a real recovery into another region deploys first (the drill links to the source's)`;
  return "measured: start to verified";
}

/** The title of each kind of report. */
export const TITLES: Record<RecoveryReport["kind"], string> = {
  drill: "DR drill",
  recover: "Recovery",
  rehearsal: "DR drill rehearsal (modeled)",
};
