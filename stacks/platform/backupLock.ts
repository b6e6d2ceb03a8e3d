/**
 * A platform stack's schedules against the Object Lock of the backup storage it writes
 * to: no backup may outlive its lock, or it could be deleted (by anyone holding Velero's
 * credentials, through a delete marker and a lifecycle expiry, or by an administrator)
 * while it is still meant to be restorable. Pure: the offline plan and the program both
 * call it, with the storage stack's `objectLockDays` output.
 */
import { goDurationSeconds, stackFileName, type ConfigProblem } from "../config";
import { BACKUP_STORAGE_PROJECT, parseStackName } from "../backup-storage/outputs";

/** Hours of a Velero TTL as the schedule config takes it (`720h0m0s`, `168h`, `1h30m`). */
export function ttlHours(ttl: string): number {
  const seconds = /^\d+h/.test(ttl) ? goDurationSeconds(ttl) : undefined;
  if (seconds === undefined) throw new Error(`not a Velero TTL in hours: ${ttl}`);
  return seconds / 3600;
}

/** The stack file of a storage stack, as messages name it. */
export function storageStackFile(stack: string): string {
  const short = parseStackName(stack)?.stack ?? stack;
  return `stacks/backup-storage/${stackFileName(short)}`;
}

/** What the check needs of the platform stack. */
export interface ScheduledTtls {
  readonly project: string;
  readonly backups: {
    readonly enabled: boolean;
    readonly schedules: readonly { readonly name: string; readonly ttl: string }[];
  };
}

/**
 * One problem per schedule whose TTL is longer than the lock retention, each naming the
 * schedule's key and both fixes. None when the storage has no default retention
 * (`lockDays` undefined) or backups are off.
 */
export function lockRetentionProblems(
  cfg: ScheduledTtls,
  storageStack: string,
  lockDays: number | undefined,
): ConfigProblem[] {
  if (lockDays === undefined || !cfg.backups.enabled) return [];
  const limit = lockDays * 24;
  const file = storageStackFile(storageStack);
  return cfg.backups.schedules.flatMap((s, i) => {
    const hours = ttlHours(s.ttl);
    if (hours <= limit) return [];
    return [
      {
        key: `${cfg.project}:backups.schedules[${i}].ttl`,
        message:
          `is ${s.ttl}, longer than the Object Lock retention of backup storage stack ${storageStack} (${lockDays} days, ${limit}h): ` +
          `schedule ${s.name}'s backups would outlive their lock. Shorten the ttl to at most ${limit}h0m0s, ` +
          `or set ${BACKUP_STORAGE_PROJECT}:objectLock.days to at least ${Math.ceil(hours / 24)} in ${file}`,
      },
    ];
  });
}
