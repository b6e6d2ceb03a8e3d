/**
 * The backup storage project's stack configuration (stacks/backup-storage/Pulumi.<stack>.yaml),
 * validated like the platform's: every problem named by file and key, with the fix.
 */
import { z } from "zod";
import { ConfigError, keyOf, otherRegionProblem, readFlatConfig, regionCode, stackFileName, strictObject, zodProblems, type ConfigProblem, type StackIdentity } from "../config";

/** Keys a storage stack may set in its project's namespace. */
export const STORAGE_KEYS = ["replication", "noncurrentVersionDays", "tags", "movedFromPrefix"] as const;

const storageSchema = z.object({
  region: regionCode,
  /** Replicate the backup bucket to a bucket in this DR region (S3 Cross-Region Replication). */
  replication: strictObject({ region: regionCode }).optional(),
  /**
   * Days an overwritten or deleted backup object stays recoverable as a noncurrent
   * version before S3 expires it. Velero deleting an expired backup is such a delete.
   */
  noncurrentVersionDays: z.coerce.number().int().min(1).max(3650).default(30),
  /** Tags on every resource. */
  tags: z.record(z.string().regex(/^[\w .:/=+@-]{1,128}$/, "tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@"), z.string().max(256)).default({}),
  /**
   * The logical-name prefix the bucket had in the platform stack before `pulumi state
   * move` (README, "Moving an existing bucket"): `plugins-velero`. Only for a moved stack.
   */
  movedFromPrefix: z.string().regex(/^[a-z0-9-]+$/, "must be the old logical-name prefix, plugins-velero").optional(),
});

/** The validated config of one backup storage stack. */
export type StorageConfig = z.output<typeof storageSchema> & { readonly project: string; readonly stack: string; readonly stackFile: string };

/** Validates the flat Pulumi config of one storage stack; throws `ConfigError` with every problem. */
export function parseStorageConfig(raw: Readonly<Record<string, string>>, id: StackIdentity): StorageConfig {
  const stackFile = id.stackFile ?? `stacks/backup-storage/${stackFileName(id.stack)}`;
  const problems: ConfigProblem[] = [];
  const input = readFlatConfig(raw, id.project, STORAGE_KEYS, problems);
  const result = storageSchema.safeParse(input);
  if (!result.success) problems.push(...zodProblems(result.error, id.project, stackFile));
  const replica = (input.replication as { region?: unknown } | undefined)?.region;
  const regionProblem = otherRegionProblem(input.region, replica, "S3 replication to a DR replica", true);
  if (regionProblem) problems.push({ key: keyOf(id.project, ["replication", "region"]), message: regionProblem });
  if (problems.length > 0 || !result.success) throw new ConfigError(stackFile, problems);
  return { ...result.data, project: id.project, stack: id.stack, stackFile };
}
