/**
 * The backup storage project's stack configuration (stacks/backup-storage/Pulumi.<stack>.yaml),
 * validated like the platform's: every problem named by file and key, with the fix.
 */
import { z } from "zod";
import { regionInfo } from "../../components/regions";
import {
  ConfigError,
  keyOf,
  otherRegionProblem,
  readFlatConfig,
  regionCode,
  stackFileName,
  strictObject,
  zodProblems,
  type ConfigProblem,
  type StackIdentity,
} from "../config";

/** Keys a storage stack may set in its project's namespace. */
export const STORAGE_KEYS = [
  "replication",
  "noncurrentVersionDays",
  "objectLock",
  "access",
  "accessLogs",
  "tags",
  "movedFromPrefix",
] as const;

/** Object Lock retention modes (S3 user guide, "Object Lock retention modes"). */
export const LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;

/** An IAM principal ARN, or an `ArnLike` pattern of one: the account root, a role or a user. */
const principalArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::(\d{12}|\*):(root|role\/[\w+=,.@*/-]+|user\/[\w+=,.@*/-]+)$/,
    "must be an IAM principal ARN (or pattern) of your account: arn:<partition>:iam::<account>:role/<name>, a role path pattern such as role/phoenix/velero/*, or :root",
  );

/**
 * Schema of a storage stack's configuration (`region` is `aws:region`); its descriptions
 * (`.meta`) are what docs/reference/configuration.md says of each key (npm run docs).
 */
export const storageSchema = z.object({
  region: regionCode.meta({ description: "The bucket's region: the primary region it serves." }),
  replication: strictObject({
    region: regionCode.meta({ description: "The DR region: another region of the same partition." }),
  })
    .optional()
    .meta({
      description:
        "Replicate the backup bucket to a bucket with its own key in a DR region (S3 Cross-Region Replication).",
    }),
  noncurrentVersionDays: z.coerce.number().int().min(1).max(3650).default(30).meta({
    description:
      "How long, in days (1 to 3650), an overwritten or deleted backup object stays recoverable as a noncurrent version before S3 expires it. Velero deleting an expired backup is such a delete.",
  }),
  /** S3 Object Lock default retention on the bucket and its replica. */
  objectLock: strictObject({
    enabled: z.boolean().default(true).meta({
      description:
        "S3 Object Lock default retention on the bucket and its replica: every object version Velero writes stays undeletable for `days`. `false` sets none (Object Lock itself, once on, stays on: S3 cannot turn it off).",
    }),
    mode: z
      .enum(LOCK_MODES, { error: `must be ${LOCK_MODES.join(" or ")}` })
      .default("GOVERNANCE")
      .meta({
        description:
          '`GOVERNANCE`: the storage\'s administrators can still remove a version on purpose; `COMPLIANCE`: nobody can, the account root included ("The backups survive a stolen Velero identity").',
      }),
    days: z.coerce.number().int().min(1).max(36500).default(30).meta({
      description:
        "Retention of every object version, 1 to 36500 days. Must cover the longest schedule `ttl` of every platform stack that writes here: the offline plan and the platform refuse a longer one.",
    }),
  }).prefault({}),
  /** Who may read the backups and who administers the storage. */
  access: strictObject({
    admins: z
      .array(principalArn, {
        error:
          "is required: list the roles that administer the backup storage, every role that deploys it among them (e.g. [arn:<partition>:iam::<account>:role/platform-deploy])",
      })
      .min(1)
      .meta({
        description:
          'IAM principal ARNs (or `ArnLike` patterns) of the administrators (break-glass): the only principals that may change the lock, the bucket policy, versioning, lifecycle or replication, bypass GOVERNANCE, administer the keys and read the repository password. The account root is always one. Every role that deploys this stack, or a platform stack reading it (they read the password), must be listed. There is no default: the policies refuse every later change by a role not in the list they were written with, so "whoever deploys first" would lock out the next deployer (CI after a person, a recreated role). A deploy by a role outside the list is refused before anything is written.',
      }),
    veleroRoles: z.array(principalArn).min(1).optional().meta({
      description:
        "The Velero roles of the platform stacks that use this storage: they may read and write the backups and use the keys. Phoenix creates Velero's role under the path `/phoenix/velero/`.",
      default: "`arn:<partition>:iam::<account>:role/phoenix/velero/*`",
    }),
    restoreReaders: z.array(principalArn).min(1).optional().meta({
      description:
        "Role ARNs (or `ArnLike` patterns) that read backups without being Velero: list and read both buckets, decrypt through S3 with both keys, read the repository password in both regions; never bypass a retention or change the protection. The drill's CI role (`PHOENIX_DRILL_ROLE_ARN` of `drill.yml`) belongs here: its preflight reads the replica's backups and the password. `phoenix access` shows what they may do.",
    }),
  }).prefault({} as { admins: string[] }), // an absent section still names access.admins as the key to set
  /** S3 server access logs of both buckets, into a log bucket in each bucket's region. */
  accessLogs: strictObject({
    expireDays: z.coerce.number().int().min(1).max(3650).default(365).meta({
      description:
        "Days S3 server access logs of both buckets are kept (in a log bucket in each bucket's region) before S3 expires them.",
    }),
  }).prefault({}),
  tags: z
    .record(
      z.string().regex(/^[\w .:/=+@-]{1,128}$/, "tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@"),
      z.string().max(256),
    )
    .default({})
    .meta({ description: "Tags on every resource, alongside `phoenix:stack`." }),
  movedFromPrefix: z
    .string()
    .regex(/^[a-z0-9-]+$/, "must be the old logical-name prefix, plugins-velero")
    .optional()
    .meta({
      description:
        'Only for a stack whose bucket was moved from an older platform stack: the logical-name prefix the bucket had there before `pulumi state move`, `plugins-velero` (docs/operations/destroy-and-recreate.md, "Moving an existing bucket").',
    }),
});

/** The validated config of one backup storage stack. */
export type StorageConfig = z.output<typeof storageSchema> & {
  readonly project: string;
  readonly stack: string;
  readonly stackFile: string;
};

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
function principalPartitionProblems(
  region: string,
  access: { admins?: readonly string[]; veleroRoles?: readonly string[]; restoreReaders?: readonly string[] },
  project: string,
): ConfigProblem[] {
  const partition = regionInfo(region)?.partition;
  if (partition === undefined) return [];
  return (["admins", "veleroRoles", "restoreReaders"] as const).flatMap((field) =>
    (access[field] ?? []).flatMap((arn, i) => {
      const own = arn.split(":")[1];
      return own === partition
        ? []
        : [
            {
              key: keyOf(project, ["access", field, i]),
              message: `is in partition ${own}, but this stack's region ${region} is in ${partition}: use arn:${partition}:iam::...`,
            },
          ];
    }),
  );
}
