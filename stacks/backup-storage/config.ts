/**
 * The backup storage project's stack configuration (stacks/backup-storage/Pulumi.<stack>.yaml),
 * validated like the platform's: every problem named by file and key, with the fix.
 */
import { z } from "zod";
import { regionInfo } from "../../components/regions";
import { ConfigError, keyOf, otherRegionProblem, readFlatConfig, regionCode, stackFileName, strictObject, zodProblems, type ConfigProblem, type StackIdentity } from "../config";

/** Keys a storage stack may set in its project's namespace. */
export const STORAGE_KEYS = ["replication", "noncurrentVersionDays", "objectLock", "access", "accessLogs", "tags", "movedFromPrefix"] as const;

/** Object Lock retention modes (S3 user guide, "Object Lock retention modes"). */
export const LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;

/** An IAM principal ARN, or an `ArnLike` pattern of one: the account root, a role or a user. */
const principalArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::(\d{12}|\*):(root|role\/[\w+=,.@*/-]+|user\/[\w+=,.@*/-]+)$/,
    "must be an IAM principal ARN (or pattern) of your account: arn:<partition>:iam::<account>:role/<name>, a role path pattern such as role/phoenix/velero/*, or :root",
  );

const storageSchema = z.object({
  region: regionCode,
  /** Replicate the backup bucket to a bucket in this DR region (S3 Cross-Region Replication). */
  replication: strictObject({ region: regionCode }).optional(),
  /**
   * Days an overwritten or deleted backup object stays recoverable as a noncurrent
   * version before S3 expires it. Velero deleting an expired backup is such a delete.
   */
  noncurrentVersionDays: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * S3 Object Lock default retention on the bucket and its replica: every object version
   * Velero writes stays undeletable for `days`. `days` must cover the longest Velero
   * schedule TTL of every platform stack that writes here (the offline plan and the
   * platform refuse a longer TTL). GOVERNANCE: the storage's administrators can still
   * remove a version on purpose; COMPLIANCE: nobody can, the account root included.
   */
  objectLock: strictObject({
    /** false: no default retention (Object Lock itself, once on, can never be turned off). */
    enabled: z.boolean().default(true),
    mode: z.enum(LOCK_MODES, { error: `must be ${LOCK_MODES.join(" or ")}` }).default("GOVERNANCE"),
    days: z.coerce.number().int().min(1).max(36500).default(30),
  }).prefault({}),
  /** Who may read the backups and who administers the storage. */
  access: strictObject({
    /**
     * Administrators (break-glass): the only principals that may change the lock, the
     * bucket policy, versioning, lifecycle or replication, bypass GOVERNANCE retention,
     * administer the keys and read the repository password. The account root is always
     * one. Required: the policies refuse every later change by anyone not listed, so a
     * default of "whoever deploys first" would lock out the next deployer (CI after a
     * person, a recreated role); every deployer must be listed, and a deploy by anyone
     * else is refused before anything is written.
     */
    admins: z.array(principalArn, { error: "is required: list the roles that administer the backup storage, every role that deploys it among them (e.g. [arn:<partition>:iam::<account>:role/platform-deploy])" }).min(1),
    /**
     * The Velero roles of the platform stacks that use this storage. Default: the
     * account's roles under the path Phoenix gives Velero's role (`role/phoenix/velero/*`).
     */
    veleroRoles: z.array(principalArn).min(1).optional(),
    /**
     * Roles that may read backups without being Velero: list and read both buckets,
     * decrypt through S3 with both keys, and read the repository password, in both
     * regions. Never more: they bypass no retention and change no protection. The drill's
     * CI role belongs here.
     */
    restoreReaders: z.array(principalArn).min(1).optional(),
  }).prefault({} as { admins: string[] }), // an absent section still names access.admins as the key to set
  /** S3 server access logs of both buckets, into a log bucket in each bucket's region. */
  accessLogs: strictObject({
    /** Days a log object is kept before S3 expires it. */
    expireDays: z.coerce.number().int().min(1).max(3650).default(365),
  }).prefault({}),
  /** Tags on every resource. */
  tags: z.record(z.string().regex(/^[\w .:/=+@-]{1,128}$/, "tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@"), z.string().max(256)).default({}),
  /**
   * The logical-name prefix the bucket had in the platform stack before `pulumi state
   * move` (docs/operations/destroy-and-recreate.md, "Moving an existing bucket"): `plugins-velero`. Only for a moved stack.
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
  if (result.success) problems.push(...principalPartitionProblems(result.data.region, result.data.access, id.project));
  if (problems.length > 0 || !result.success) throw new ConfigError(stackFile, problems);
  return { ...result.data, project: id.project, stack: id.stack, stackFile };
}

/** Principals in another partition than the stack's region: IAM never matches them there. */
function principalPartitionProblems(region: string, access: { admins?: readonly string[]; veleroRoles?: readonly string[]; restoreReaders?: readonly string[] }, project: string): ConfigProblem[] {
  const partition = regionInfo(region)?.partition;
  if (partition === undefined) return [];
  return (["admins", "veleroRoles", "restoreReaders"] as const).flatMap((field) =>
    (access[field] ?? []).flatMap((arn, i) => {
      const own = arn.split(":")[1];
      return own === partition
        ? []
        : [{ key: keyOf(project, ["access", field, i]), message: `is in partition ${own}, but this stack's region ${region} is in ${partition}: use arn:${partition}:iam::...` }];
    }),
  );
}
