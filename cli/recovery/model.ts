/**
 * The modeled recovery of `--rehearse`: every phase that needs AWS gets a duration from
 * the offline plan's critical path (../plan/timeline.ts) or from a published
 * figure, each labelled with its source, so a rehearsal says what a real drill should take
 * and what rests on assumption.
 */
import { CronExpressionParser } from "cron-parser";
import { minutes, modelTimeline, type Timeline } from "../plan/timeline";
import { goDurationSeconds } from "../stacks/names";
import { resourceKey, type PlanResource } from "../plan/plan";
import type { VolumeBackupMethod } from "../../components/plugins/velero/settings";
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

/**
 * Kopia file-system (pod volume) restore rates, in MB/s (10^6 bytes): users report about
 * 6 to 30 MB/s (velero #5920).
 */
export const FS_RESTORE_MB_PER_SECOND = { low: 6, high: 30 } as const;

const MIB_IN_MB = 1024 ** 2 / 1e6;

/** How fast a method moves volume data, in MB/s, and where each figure comes from. */
export interface VolumeRates {
  /** Restore at the published low and high rates (the same figure when only one is published). */
  readonly restore: { readonly low: number; readonly high: number };
  readonly backup: number;
  /** The restore's source, for a basis: "<what> at <rate> (<source>)". */
  readonly restoreBasis: string;
  readonly backupBasis: string;
}

const FILE_SYSTEM_RATES: VolumeRates = {
  restore: FS_RESTORE_MB_PER_SECOND,
  // 10.4 GB of 1 MB files in 97 s (Velero's performance guidance, v1.10 tests).
  backup: 10_400 / 97,
  restoreBasis: `kopia file-system restore at ${FS_RESTORE_MB_PER_SECOND.low} MB/s, the low end of the ${FS_RESTORE_MB_PER_SECOND.low}-${FS_RESTORE_MB_PER_SECOND.high} MB/s users report (velero #5920)`,
  backupBasis: "kopia file-system backup ~107 MB/s, Velero's performance guidance",
};

/**
 * Velero's CSI data mover: one published sample, a 10 GiB claim downloaded in 69 s
 * (~148 MiB/s) and uploaded in 54 s (~190 MiB/s), each DataDownload/DataUpload from
 * start to end, so the restore pod and the new volume are inside it (reference
 * timings: WebberHuang1118/harvester-study, 2025-05-09). One sample is no range: low
 * and high are that figure, and the basis says at what rate the target would be missed.
 */
const DATA_MOVER_RATES: VolumeRates = {
  restore: { low: 148 * MIB_IN_MB, high: 148 * MIB_IN_MB },
  backup: 190 * MIB_IN_MB,
  restoreBasis:
    "Velero's CSI data mover at 148 MiB/s, its one published sample (10 GiB DataDownload in 69 s, harvester-study 2025-05-09; no range is published)",
  backupBasis: "data mover upload ~190 MiB/s, its one published sample",
};

/** The rates of each way volumes are backed up. EBS snapshots have no published restore figure: modeled as file-system, the slower case. */
export const VOLUME_RATES: Record<VolumeBackupMethod, VolumeRates> = {
  "file-system": FILE_SYSTEM_RATES,
  "data-mover": DATA_MOVER_RATES,
  "ebs-snapshots": {
    ...FILE_SYSTEM_RATES,
    restoreBasis: `no published figure for EBS snapshot restores: modeled as ${FILE_SYSTEM_RATES.restoreBasis}`,
  },
};

/** Backup of manifests: 3186 items in 38 s (velero #5434). */
const BACKUP_ITEMS_PER_SECOND = 3186 / 38;

const MB_PER_GIB = 1024 ** 3 / 1e6;

/**
 * What a recovery restores, as the stack declares it (`phoenix:recovery.expectedDataGiB`,
 * `expectedItems`), and how its volumes were backed up (`phoenix:plugins.velero.volumeBackup`).
 */
export interface RecoverySize {
  readonly dataGiB: number;
  readonly items: number;
  readonly volumeBackup: VolumeBackupMethod;
}

/** A stack's recovery size, from its parsed configuration. */
export function recoverySize(cfg: {
  readonly recovery: { readonly expectedDataGiB: number; readonly expectedItems: number };
  readonly plugins: { readonly velero: { readonly volumeBackup: VolumeBackupMethod } };
}): RecoverySize {
  return {
    dataGiB: cfg.recovery.expectedDataGiB,
    items: cfg.recovery.expectedItems,
    volumeBackup: cfg.plugins.velero.volumeBackup,
  };
}

/** Seconds to restore `size` at one data rate: the location sync, the items, the data. */
function restoreSeconds(size: RecoverySize, mbPerSecond: number): number {
  return Math.round(
    BSL_SYNC_SECONDS + size.items / RESTORE_ITEMS_PER_SECOND + (size.dataGiB * MB_PER_GIB) / mbPerSecond,
  );
}

/** The restore phase of `size` at its method's low and high rates, and what they rest on. */
function restoreModel(size: RecoverySize): {
  readonly low: number;
  readonly high: number;
  readonly rates: VolumeRates;
  readonly basis: string;
} {
  const rates = VOLUME_RATES[size.volumeBackup];
  const low = restoreSeconds(size, rates.restore.low);
  const high = restoreSeconds(size, rates.restore.high);
  const mbps = (r: number): string => `${Math.round(r)} MB/s`;
  const range = low === high ? "" : `; ${minutes(high)} at ${mbps(rates.restore.high)}`;
  return {
    low,
    high,
    rates,
    basis:
      `published: backup location sync ${BSL_SYNC_SECONDS} s (Velero's default backupSyncPeriod) + ${size.items} items at 865 per 90 s (velero #4524) + ` +
      `${size.dataGiB} GiB by ${rates.restoreBasis}${range}. Items and data are the stack's phoenix:recovery.expectedItems and expectedDataGiB, the method its phoenix:plugins.velero.volumeBackup`,
  };
}

/** The modeled recovery: its phases at the method's published low rate, and the restore at both rates. */
export interface ModeledRecovery {
  readonly phases: ModeledPhase[];
  readonly timeline: Timeline;
  /** The restore phase at the method's published low and high restore rates. */
  readonly restore: { readonly low: number; readonly high: number };
  /** The rates the restore is modeled at. */
  readonly rates: VolumeRates;
}

/**
 * The phases of a recovery, modeled from the plan. `storage` is the backup storage plan
 * a recovery into another region deploys before the platform (`recover --region` does;
 * a drill links to the source's instead, so its model counts it to speak for a real
 * recovery). The restore is modeled at the published low rate: the worst case is what
 * the target is checked against.
 */
export function modelRecovery(
  resources: readonly PlanResource[],
  opts: { readonly size: RecoverySize; readonly applications: number; readonly storage?: readonly PlanResource[] },
): ModeledRecovery {
  const timeline = modelTimeline(resources);
  const storage = opts.storage ? modelTimeline(opts.storage).total : 0;
  const { size } = opts;
  const restore = restoreModel(size);
  const storageBasis = opts.storage
    ? `${Math.round(storage)} s for the backup storage stack a recovery into another region deploys first (${opts.storage.length} resources), then `
    : "";
  const phases: ModeledPhase[] = [
    {
      name: "cluster",
      seconds: storage + timeline.total,
      basis: `${storageBasis}the critical path of the plan's ${resources.length} resources (${timeline.critical.length} steps), durations per type from \`phoenix plan --timeline\`'s cited table`,
    },
    {
      name: "gitops",
      seconds: 120 + 30 * opts.applications,
      basis: `assumption: no published figure for Argo CD's first sync; 2 min for the root app plus 30 s for each of ${opts.applications} applications`,
    },
    {
      name: "restore",
      seconds: restore.low,
      basis: restore.basis,
    },
    {
      name: "verify",
      seconds: 60,
      basis: "assumption: one list call per resource type and namespace, then each verify command",
    },
    {
      name: "teardown",
      seconds: 600,
      basis: 'published: EKS deletion is "similarly slow" to its ~10 min creation (pulumi/pulumi-aws #846)',
    },
  ];
  return { phases, timeline, restore: { low: restore.low, high: restore.high }, rates: restore.rates };
}

/** Seconds a backup of `size` takes: its items, then its data by its method. */
export function backupSeconds(size: RecoverySize): number {
  return Math.round(
    size.items / BACKUP_ITEMS_PER_SECOND + (size.dataGiB * MB_PER_GIB) / VOLUME_RATES[size.volumeBackup].backup,
  );
}

/**
 * The worst-case modeled RPO: the longest gap between two runs of the most frequent
 * schedule, plus how long a backup of this size takes (data written at the end of a
 * backup is usable only once it completes), plus replication to the DR replica.
 */
export function modelRpo(crons: readonly string[], from: Date, size: RecoverySize): { seconds: number; basis: string } {
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
  const backup = backupSeconds(size);
  return {
    seconds: best.gap + backup + REPLICATION_SECONDS,
    basis:
      `schedule "${best.cron}" runs every ${best.gap / 60} min at most apart, plus ${minutes(backup)} for a backup of ${size.items} items and ${size.dataGiB} GiB ` +
      `(3186 items in 38 s, velero #5434; ${VOLUME_RATES[size.volumeBackup].backupBasis}), plus ${REPLICATION_SECONDS / 60} min for replication (assumption: S3 Replication Time Control's objective, which standard replication does not promise)`,
  };
}

/** The recovery time a pilot light is built for: 15 minutes, start to verified. */
export const PILOT_LIGHT_SECONDS = 15 * 60;

/** The slowest data rate at which a restore of `size` still fits in `seconds`, said as a sentence. */
function slowestRateWithin(seconds: number, size: RecoverySize): string {
  const forData = seconds - restoreSeconds(size, Number.POSITIVE_INFINITY);
  if (size.dataGiB === 0) return "";
  if (forData <= 0)
    return `No data rate brings this within ${PILOT_LIGHT_SECONDS / 60} min: the other phases take it all`;
  const rate = (size.dataGiB * MB_PER_GIB) / forData;
  return `Within ${PILOT_LIGHT_SECONDS / 60} min while the data restores at ${Math.ceil(rate)} MB/s or more`;
}

/** What a standby's promotion changes: the resources its promoted plan adds or whose inputs differ. */
export function promotionChanges(standby: readonly PlanResource[], promoted: readonly PlanResource[]): PlanResource[] {
  const before = new Map(standby.map((r) => [resourceKey(r), JSON.stringify(r.inputs)]));
  return promoted.filter((r) => before.get(resourceKey(r)) !== JSON.stringify(r.inputs));
}

/** The modeled recovery of a pilot-light standby: promotion, the apps, the restore, the verification. */
export interface ModeledPilotLight {
  readonly phases: readonly ModeledPhase[];
  /** Start to verified, the restore at the method's published low and high rates. */
  readonly seconds: { readonly low: number; readonly high: number };
  /** What the promotion's `pulumi up` changes, on its longest chain. */
  readonly promotion: Timeline;
  /** The rates the restore is modeled at. */
  readonly rates: VolumeRates;
  /** The restore phase at the method's published low and high rates. */
  readonly restore: { readonly low: number; readonly high: number };
}

/**
 * A pilot light's recovery, modeled as the backup-restore one is: no cluster to build, so
 * the first phase is the promotion's `pulumi up`, whose resources (node groups scaled from
 * zero, the DNS and backup plugins turned on) are timed from the same table along the
 * plan's dependencies. Argo CD has synced all along; its apps wait only for nodes. Velero
 * has been syncing the replica all along, but the newest backup may be a period old.
 */
export function modelPilotLight(
  standby: readonly PlanResource[],
  promoted: readonly PlanResource[],
  opts: {
    readonly size: RecoverySize;
    readonly applications: number;
    /** What the change is, for the basis: a promotion (the default), or a drill's scaling. */
    readonly change?: string;
  },
): ModeledPilotLight {
  const changed = promotionChanges(standby, promoted);
  const promotion = modelTimeline(changed);
  const restore = restoreModel(opts.size);
  const gitops = 30 * opts.applications;
  const slowest = slowestRateWithin(PILOT_LIGHT_SECONDS - promotion.total - gitops - 60, opts.size);
  const phases: ModeledPhase[] = [
    {
      name: "cluster",
      seconds: promotion.total,
      basis: `${opts.change ?? "promotion: `pulumi up` of the resources the promoted plan changes (node groups from zero, DNS and backups on)"}: ${changed.length} resources, ${promotion.critical.length} steps on the longest chain, durations per type from \`phoenix plan --timeline\`'s cited table`,
    },
    {
      name: "gitops",
      seconds: gitops,
      basis: `assumption: Argo CD synced while standing by; 30 s for each of ${opts.applications} applications to turn Healthy once nodes are there`,
    },
    {
      name: "restore",
      seconds: restore.low,
      basis: `as the backup-restore model's restore: ${restore.basis}. ${slowest}`,
    },
    { name: "verify", seconds: 60, basis: "assumption, as the backup-restore model's" },
  ];
  const rest = promotion.total + gitops + 60;
  return {
    phases,
    promotion,
    restore: { low: restore.low, high: restore.high },
    rates: restore.rates,
    seconds: { low: rest + restore.low, high: rest + restore.high },
  };
}
