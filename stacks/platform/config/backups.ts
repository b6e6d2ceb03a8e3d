/** `phoenix:backups`: schedules, and the backup storage stacks this region writes to and restores from. */
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { BACKUP_LOCATION, BACKUP_LOCATIONS } from "../../../components/plugins/velero";
import { strictObject } from "../../config";
import { dnsLabel, uniqueBy } from "./common";

/** Velero/Go duration as Velero prints TTLs: hours, optional minutes and seconds. */
export const veleroTtl = z
  .string()
  .regex(/^\d+h(\d+m)?(\d+s)?$/, "must be a duration in hours such as 720h0m0s (30 days) or 168h (7 days)")
  // A zero TTL would expire each backup as soon as it is written.
  .refine((t) => /[1-9]/.test(t), { error: "must be longer than zero" });

/** Five-field cron as Velero's Schedule accepts it (or a @every/@daily style macro). */
const CRON_FIELD = "[0-9*?/,LW#-]+|[0-9*/,-]*[A-Za-z]{3}[A-Za-z0-9*/,-]*";
const CRON_SHAPE = new RegExp(
  `^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every \\d+[hms]|(${CRON_FIELD})(\\s+(${CRON_FIELD})){4})$`,
);
export const cron = z
  .string()
  .regex(CRON_SHAPE, 'must be a five-field cron expression such as "0 3 * * *" or a macro such as @daily')
  // Velero accepts the schedule when the plan is made and refuses it when it runs: field
  // ranges are checked here, with cron-parser (Velero's own parser is robfig/cron).
  .superRefine((expr, ctx) => {
    // A malformed one is already reported, once; @every is Velero's own, not cron's.
    if (!CRON_SHAPE.test(expr) || expr.startsWith("@every ")) return;
    const problem = cronProblem(expr);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Why a five-field cron expression could never run (a field out of range), or undefined. */
export function cronProblem(expr: string): string | undefined {
  try {
    CronExpressionParser.parse(expr);
    return undefined;
  } catch (err) {
    return `is not a schedule that can run (${(err as Error).message}): fields are minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-7, such as "0 3 * * *"`;
  }
}

/**
 * A stack name as `pulumi.StackReference` takes it: `<organization>/<project>/<stack>`,
 * or `<project>/<stack>` for the backend's own organization (resolved at run time).
 */
const stackName = z
  .string()
  .regex(
    /^([A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
    "must be a stack name <project>/<stack> (this backend's organization) or <organization>/<project>/<stack>, such as phoenix-backup-storage/prod",
  );

// Descriptions (`.meta`) are what docs/reference/configuration.md says of each key (npm run docs).
export const backupsSchema = strictObject({
  enabled: z.boolean().default(true).meta({
    description:
      "Scheduled backups of the imperative namespaces. When false, the plan shows the imperative namespaces as not backed up and the run warns, and Velero writes no backup: its own bucket is read-only (but for a restore's results under `restores/`, which Velero writes even to a read-only location, velero #1978), and a stack with `restoreFrom` has the replica as its only (read-only) location and no right on its own bucket.",
  }),
  schedules: z
    .array(
      strictObject({
        name: dnsLabel.meta({ description: "Schedule name, unique among the schedules." }),
        cron: cron.meta({
          description:
            "When it runs: a five-field cron expression such as `0 3 * * *`, or a macro such as `@daily` or `@every 6h`. One Velero would refuse when it runs (`0 25 * * *`) is refused (checked with cron-parser).",
        }),
        ttl: veleroTtl.meta({
          description:
            "How long each backup is kept, in hours (optional minutes and seconds), such as `720h0m0s` (30 days). No longer than the Object Lock retention of the backup storage it writes to (`phoenix-backup-storage:objectLock.days`).",
        }),
        storageLocation: z
          .enum(BACKUP_LOCATIONS, {
            error: `must name a backup storage location Phoenix defines: ${BACKUP_LOCATIONS.join(", ")}`,
          })
          .default(BACKUP_LOCATION)
          .meta({
            description: `Backup storage location the schedule writes to: \`${BACKUP_LOCATION}\`, this region's bucket.`,
          }),
      }),
    )
    .min(1)
    .superRefine(uniqueBy("name"))
    .default([{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: BACKUP_LOCATION }])
    .meta({
      description: "Velero schedules. Each schedule covers all imperative namespaces.",
      default: "`daily`, `0 3 * * *`, TTL `720h0m0s`",
    }),
  /** The backup storage stack this region writes to (stacks/backup-storage). */
  storage: strictObject({
    stack: stackName.optional().meta({
      description:
        "The backup storage stack this region writes to, in the backend's organization (`pulumi.getOrganization()`: `organization` on DIY backends, your org on Pulumi Cloud), unless the name gives one.",
      default: "`phoenix-backup-storage/<stack>`",
    }),
  }).prefault({}),
  restoreFrom: strictObject({
    stack: stackName.meta({
      description:
        "The primary's storage stack, such as `phoenix-backup-storage/prod` (`<project>/<stack>` is in the backend's own organization; `<organization>/<project>/<stack>` names another).",
    }),
  })
    .optional()
    .meta({
      description:
        "Another region's backup storage stack, whose DR replica this region restores from: Velero gets a read-only location `restore-source` on the replica, and the rights to read it.",
    }),
}).prefault({});
