/**
 * The recovery posture of a stack, as `phoenix status` reports it (pure): per schedule the
 * newest Completed backup on the primary and on the replica, what replication still
 * carries, both buckets' Object Lock, the last drill, RPO now, and the problems that make
 * the command exit 1.
 */
import type { ObjectLockState } from "../recovery/adapters";
import { startOf } from "../recovery/backupSearch";
import type { BackupSummary } from "../recovery/velero";

/** One backup as status shows it. */
export interface BackupFact {
  readonly name: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  /** From its start (its data's point in time) to now. */
  readonly ageSeconds: number;
  readonly items?: number;
  /** Velero's objects of the backup plus the volume data its pod volume backups read. */
  readonly bytes?: number;
}

/** One schedule's newest Completed backup on each bucket. */
export interface ScheduleStatus {
  /** The schedule's name in the stack file (`phoenix:backups.schedules[].name`). */
  readonly schedule: string;
  /** The Schedule object Velero runs, whose name its backups carry (`velero.io/schedule-name`). */
  readonly veleroSchedule: string;
  readonly primary?: BackupFact;
  /** The newest that is whole on the replica (metadata, tarball, lists and kopia data). */
  readonly replica?: BackupFact;
}

/** A bucket's side of the status. */
export interface BucketStatus {
  readonly location: string;
  /** What S3 answers, or why it could not be read. */
  readonly lock: ObjectLockState | { readonly error: string };
  /** Why the bucket's backups could not be listed, when they could not. */
  readonly error?: string;
}

/** The Object Lock the storage stack declares (`phoenix-backup-storage:objectLock`). */
export interface DeclaredLock {
  readonly enabled: boolean;
  readonly mode: string;
  readonly days: number;
}

/** A backup on the primary that is not whole on the replica yet. */
export interface InFlight {
  readonly name: string;
  readonly ageSeconds: number;
  readonly missing: string;
}

/** A drill, from its report. */
export interface DrillFact {
  readonly id: string;
  readonly stack: string;
  readonly startedAt: string;
  readonly outcome: string;
  readonly rtoSeconds?: number;
  readonly rpoSeconds?: number;
  readonly report: string;
}

/** What a standby's plan differs in from its primary's, beyond what replication derives. */
export interface StandbyDrift {
  readonly unexplained: readonly string[];
  readonly accepted: number;
  readonly explained: number;
  readonly error?: string;
}

/** The posture of one stack. */
export interface StackStatus {
  readonly stack: string;
  readonly region: string;
  /** `primary` writes backups; `standby` is a deployed pilot light; `replica` a backup-restore stack, deployed when needed. */
  readonly role: "primary" | "standby" | "replica";
  /** The platform stack whose backups it restores (a standby's or replica's). */
  readonly restoresFrom?: string;
  readonly storageStack: string;
  readonly buckets: { readonly primary?: BucketStatus; readonly replica?: BucketStatus };
  readonly declaredLock?: DeclaredLock;
  readonly schedules: readonly ScheduleStatus[];
  readonly lagSeconds?: number;
  readonly lagNote?: string;
  readonly inFlight: readonly InFlight[];
  readonly rpoNow: {
    readonly seconds?: number;
    readonly targetMinutes: number;
    readonly backup?: string;
    readonly note: string;
  };
  readonly lastDrill?: DrillFact;
  readonly lastPassingDrill?: DrillFact;
  /** Drills of this stack running now, from their records (`.phoenix/drills`). */
  readonly runningDrills: readonly string[];
  readonly maxDrillAgeDays: number;
  readonly drift?: StandbyDrift;
  readonly problems: readonly string[];
}

/** The whole answer (`-o json`). */
export interface StatusDocument {
  readonly generatedAt: string;
  readonly stacks: readonly StackStatus[];
  readonly problems: number;
}

/** Completed backups of one Velero schedule, newest first. */
export function completedOf(backups: readonly BackupSummary[], veleroSchedule: string): BackupSummary[] {
  return backups
    .filter((b) => b.scheduleName === veleroSchedule && b.phase === "Completed" && b.completedAt !== undefined)
    .sort((a, b) => startOf(b) - startOf(a));
}

/** A backup as a fact at `now`. */
export function fact(b: BackupSummary, now: number, bytes?: number): BackupFact {
  return {
    name: b.name,
    ...(b.startedAt ? { startedAt: b.startedAt } : {}),
    ...(b.completedAt ? { completedAt: b.completedAt } : {}),
    ageSeconds: Math.max(0, Math.round((now - startOf(b)) / 1000)),
    ...(b.itemsBackedUp !== undefined ? { items: b.itemsBackedUp } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
  };
}

/**
 * Backups of the primary newer than the newest whole one on the replica that are not
 * whole there: what replication still carries. Older ones missing from the replica are
 * history (expired, or from before replication), not flight.
 */
export function inFlight(
  primary: readonly BackupSummary[],
  replicaWhole: ReadonlySet<string>,
  newestOnReplica: BackupSummary | undefined,
  missing: ReadonlyMap<string, string>,
  now: number,
): InFlight[] {
  const since = newestOnReplica ? startOf(newestOnReplica) : -Infinity;
  return primary
    .filter((b) => b.phase === "Completed" && startOf(b) > since && !replicaWhole.has(b.name))
    .sort((a, b) => startOf(b) - startOf(a))
    .map((b) => ({
      name: b.name,
      ageSeconds: Math.max(0, Math.round((now - startOf(b)) / 1000)),
      missing: missing.get(b.name) ?? "not on the replica yet",
    }));
}

/** A lock as a person reads it: `GOVERNANCE 30 days`, `on, no default retention`, `off`. */
export function lockText(lock: BucketStatus["lock"]): string {
  if ("error" in lock) return `unknown (${lock.error})`;
  if (!lock.enabled) return "off";
  if (!lock.mode) return "on, no default retention";
  return `${lock.mode} ${lock.days !== undefined ? `${lock.days} days` : `${lock.years ?? 0} years`}`;
}

/** Why a bucket's lock is not what the storage stack declares, or undefined when it is. */
export function lockProblem(which: string, bucket: BucketStatus, declared: DeclaredLock): string | undefined {
  // Declared off: S3 cannot turn a bucket's Object Lock off, so any state is as expected.
  if (!declared.enabled) return undefined;
  const have = lockText(bucket.lock);
  if ("error" in bucket.lock) return `${which} bucket ${bucket.location}: Object Lock ${have}`;
  const want = `${declared.mode} ${declared.days} days`;
  return have === want
    ? undefined
    : `${which} bucket ${bucket.location}: Object Lock is ${have}, the storage stack declares ${want}`;
}

const DAY = 86_400;

/**
 * What the buckets miss. Nothing when neither bucket is known: the caller names why
 * (the storage stack's outputs could not be read) once, not as every target it hides.
 */
function bucketProblems(s: Omit<StackStatus, "problems">): string[] {
  if (!s.buckets.primary && !s.buckets.replica) return [];
  const out: string[] = [];
  for (const [which, b] of [
    ["primary", s.buckets.primary],
    ["replica", s.buckets.replica],
  ] as const) {
    if (b?.error) out.push(`${which} bucket ${b.location}: ${b.error}`);
    const lock = b && s.declaredLock ? lockProblem(which, b, s.declaredLock) : undefined;
    if (lock) out.push(lock);
  }
  if (!s.buckets.replica)
    out.push(`${s.storageStack} has no DR replica: nothing to restore from if its region is lost`);
  // A replica that cannot be read is one problem, not one per schedule.
  for (const sc of s.buckets.replica?.error ? [] : s.schedules)
    if (!sc.replica) out.push(`schedule ${sc.schedule}: no Completed backup whole on the replica`);
  const target = s.rpoNow.targetMinutes * 60;
  if (s.rpoNow.seconds === undefined) out.push(`RPO now unknown: ${s.rpoNow.note}`);
  else if (s.rpoNow.seconds > target)
    out.push(`RPO now ${Math.round(s.rpoNow.seconds / 60)} min is over the ${s.rpoNow.targetMinutes} min target`);
  return out;
}

/** What misses a target: each line is one reason `phoenix status` exits 1. */
export function problemsOf(s: Omit<StackStatus, "problems">, now: number): string[] {
  const out = bucketProblems(s);
  const pass = s.lastPassingDrill;
  if (!pass)
    out.push(
      `no passing drill on record (phoenix drill run${s.role === "standby" ? ` --standby ${s.stack}` : ` --from ${s.stack}`})`,
    );
  else {
    const days = (now - Date.parse(pass.startedAt)) / 1000 / DAY;
    if (days > s.maxDrillAgeDays)
      out.push(
        `the last passing drill (${pass.id}) is ${Math.floor(days)} days old, over recovery.maxDrillAgeDays ${s.maxDrillAgeDays}`,
      );
  }
  if (s.drift?.error) out.push(`drift from ${s.restoresFrom ?? "its primary"} unknown: ${s.drift.error}`);
  else if (s.drift && s.drift.unexplained.length > 0)
    out.push(
      `drift from ${s.restoresFrom ?? "its primary"}: ${s.drift.unexplained.join(", ")} (phoenix drift --from ${s.restoresFrom ?? "?"} --to ${s.stack})`,
    );
  return out;
}
