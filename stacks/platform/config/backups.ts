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
const CRON_SHAPE = new RegExp(`^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every \\d+[hms]|(${CRON_FIELD})(\\s+(${CRON_FIELD})){4})$`);
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

export const backupsSchema = strictObject({
  /** Turn scheduled backups of the imperative namespaces off (the plan then shows them unprotected). */
  enabled: z.boolean().default(true),
  schedules: z
    .array(
      strictObject({
        name: dnsLabel,
        cron,
        ttl: veleroTtl,
        /** Backup storage location the schedule writes to; Phoenix defines `default` (this region's bucket). */
        storageLocation: z.enum(BACKUP_LOCATIONS, { error: `must name a backup storage location Phoenix defines: ${BACKUP_LOCATIONS.join(", ")}` }).default(BACKUP_LOCATION),
      }),
    )
    .min(1)
    .superRefine(uniqueBy("name"))
    .default([{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: BACKUP_LOCATION }]),
  /** The backup storage stack this region writes to (stacks/backup-storage). */
  storage: strictObject({
    /** Defaults to phoenix-backup-storage/<this stack> in this backend's organization: the storage stack of the same name. */
    stack: stackName.optional(),
  }).prefault({}),
  /**
   * Another region's backup storage stack whose DR replica this region restores from,
   * read-only: Velero gets a read-only location on the replica and the rights to read it.
   */
  restoreFrom: strictObject({
    /** The primary's storage stack, such as phoenix-backup-storage/prod. */
    stack: stackName,
  }).optional(),
}).prefault({});

