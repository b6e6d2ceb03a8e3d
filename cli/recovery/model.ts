/**
 * The modeled recovery of `--rehearse`: every phase that needs AWS gets a duration from
 * the offline plan's critical path (./../offline/timeline.ts) or from a published
 * figure, each labelled with its source, so a rehearsal says what a real drill should take
 * and what rests on assumption.
 */
import { CronExpressionParser } from "cron-parser";
import { modelTimeline, type Timeline } from "../offline/timeline";
import { goDurationSeconds } from "../../stacks/config";
import type { PlanResource } from "../offline/plan";
import type { PhaseName } from "./phases";

/** A modeled phase duration and where it comes from. */
export interface ModeledPhase {
  readonly name: PhaseName;
  readonly seconds: number;
  readonly basis: string;
}

/** Velero's default `backupSyncPeriod`: a DR cluster sees a replicated backup only after its location syncs (Velero docs, "Backup Storage Locations"). */
export const BSL_SYNC_SECONDS = 60;

/**
 * Replication allowance: S3 Replication Time Control's objective, 99.99% of objects
 * within 15 minutes (AWS S3 docs, "Meeting compliance requirements with S3 Replication
 * Time Control"). Phoenix's replication rule does not enable RTC, which has no time
 * objective: the figure is an assumption that most objects replicate well within it.
 */
export const REPLICATION_SECONDS = 15 * 60;

/** Manifest restore rate: 865 items in 90 s (velero #4524). */
const RESTORE_ITEMS_PER_SECOND = 865 / 90;

/** Kopia data restore: ~148 MiB/s per volume in the one published data-mover sample (harvester-study, 10 GiB in 69 s). */
const RESTORE_MIB_PER_SECOND = 148;

/** The phases of a recovery, modeled from the plan. */
export function modelRecovery(resources: readonly PlanResource[], opts: { readonly items?: number; readonly dataGiB?: number; readonly applications: number }): { phases: ModeledPhase[]; timeline: Timeline } {
  const timeline = modelTimeline(resources);
  const items = opts.items ?? 500;
  const data = opts.dataGiB ?? 10;
  const phases: ModeledPhase[] = [
    { name: "cluster", seconds: timeline.total, basis: `critical path of the plan's ${resources.length} resources (${timeline.critical.length} steps), durations per type from \`phoenix plan --timeline\`'s cited table` },
    {
      name: "gitops",
      seconds: 120 + 30 * opts.applications,
      basis: `assumption: no published figure for Argo CD's first sync; 2 min for the root app plus 30 s for each of ${opts.applications} applications`,
    },
    {
      name: "restore",
      seconds: Math.round(BSL_SYNC_SECONDS + items / RESTORE_ITEMS_PER_SECOND + (data * 1024) / RESTORE_MIB_PER_SECOND),
      basis: `published: backup location sync ${BSL_SYNC_SECONDS} s (Velero's default backupSyncPeriod) + ${items} items at 865 per 90 s (velero #4524) + ${data} GiB at ~148 MiB/s (kopia data mover sample); items and data are assumptions: pass a real backup to a real drill`,
    },
    { name: "verify", seconds: 60, basis: "assumption: one list call per resource type and namespace, then each verify command" },
    { name: "teardown", seconds: 600, basis: 'published: EKS deletion is "similarly slow" to its ~10 min creation (pulumi/pulumi-aws #846)' },
  ];
  return { phases, timeline };
}

/**
 * The worst-case modeled RPO: the longest gap between two runs of the most frequent
 * schedule, plus replication to the DR replica.
 */
export function modelRpo(crons: readonly string[], from: Date): { seconds: number; basis: string } {
  const gaps = crons.flatMap((c) => {
    // `@every <duration>` is Velero's own (robfig/cron), not cron's: its interval is the gap.
    const every = c.startsWith("@every ") ? goDurationSeconds(c.slice("@every ".length).trim()) : undefined;
    if (every !== undefined) return [{ cron: c, gap: every }];
    try {
      const it = CronExpressionParser.parse(c, { currentDate: from, tz: "UTC" });
      const runs = Array.from({ length: 25 }, () => it.next().getTime());
      return [{ cron: c, gap: Math.max(...runs.slice(1).map((t, i) => t - runs[i])) / 1000 }];
    } catch {
      return [];
    }
  });
  if (gaps.length === 0) return { seconds: Number.POSITIVE_INFINITY, basis: "no schedule: nothing is backed up" };
  const best = gaps.reduce((a, b) => (b.gap < a.gap ? b : a));
  return { seconds: best.gap + REPLICATION_SECONDS, basis: `schedule "${best.cron}" runs every ${best.gap / 60} min at most apart, plus ${REPLICATION_SECONDS / 60} min for replication (assumption: S3 Replication Time Control's objective, which standard replication does not promise)` };
}
