/**
 * The stack configuration schema: everything a `Pulumi.<stack>.yaml` sets, validated
 * with zod before any resource is declared. A bad stack file therefore fails with a
 * message naming the file, the key, what was wrong and what is allowed, and never
 * produces a half-built plan.
 *
 * Pulumi hands a program its config as flat strings (`"phoenix:cluster"` -> JSON text,
 * `"aws:region"` -> `"eu-west-1"`), both for real (`pulumi.runtime.allConfig()`) and
 * under mocks (`setAllConfig`). `parseStackConfig` takes exactly that shape, so the real
 * run and the offline plan share one validation path.
 */
import { z } from "zod";
import { ROOT_APP } from "../components/apps/applications";
import { parseCidr, VPC_PREFIX_RANGE } from "../components/cluster/network";
import { argocdSettingsSchema } from "../components/plugins/argocd";
import { certManagerSettingsSchema } from "../components/plugins/certManager";
import { externalDnsSettingsSchema } from "../components/plugins/externalDns";
import { loadBalancerControllerSettingsSchema } from "../components/plugins/loadBalancerController";
import { metricsServerSettingsSchema } from "../components/plugins/metricsServer";
import { REGION_CODE, strictSettings } from "../components/plugins/settings";
import { BACKUP_LOCATION, BACKUP_LOCATIONS, veleroSettingsSchema } from "../components/plugins/velero";
import { partitionOf } from "./partition";

/** A strict object: unknown keys are errors that list the keys allowed there. */
const strictObject = strictSettings;

/**
 * A list whose entries must differ in `field`: duplicates would collapse into one map
 * entry downstream (Helm values, Pulumi names) and silently change the plan.
 */
function uniqueBy<T extends Record<string, unknown>>(field: keyof T & string, reserved: readonly string[] = []) {
  return (list: T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<unknown>();
    list.forEach((item, i) => {
      const v = item[field];
      if (reserved.includes(String(v))) {
        ctx.addIssue({ code: "custom", path: [i, field], message: `"${String(v)}" is reserved by Phoenix: choose another ${field}` });
      } else if (seen.has(v)) {
        ctx.addIssue({ code: "custom", path: [i, field], message: `"${String(v)}" is used twice: each entry needs its own ${field}` });
      }
      seen.add(v);
    });
  };
}

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label: lower-case letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit",
  );

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  error: "must be an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16 or 203.0.113.0/24",
});

/** A relative path inside a Git repository (no leading slash, no `..`). */
const repoPath = z
  .string()
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, "must be a relative path inside the repository, such as clusters/eu-west-1")
  .refine((p) => !p.split("/").includes(".."), { error: "must not contain '..'" });

const gitUrl = z
  .string()
  .regex(
    /^(https:\/\/[^\s]+|ssh:\/\/[^\s]+|git@[^\s:]+:[^\s]+)$/,
    "must be an https://, ssh:// or git@host:org/repo Git URL (Argo CD clones it)",
  );

/** Velero/Go duration as Velero prints TTLs: hours, optional minutes and seconds. */
const veleroTtl = z
  .string()
  .regex(/^\d+h(\d+m)?(\d+s)?$/, "must be a duration in hours such as 720h0m0s (30 days) or 168h (7 days)")
  // A zero TTL would expire each backup as soon as it is written.
  .refine((t) => /[1-9]/.test(t), { error: "must be longer than zero" });

/** Five-field cron as Velero's Schedule accepts it (or a @every/@daily style macro). */
const CRON_FIELD = "[0-9*?/,LW#-]+|[0-9*/,-]*[A-Za-z]{3}[A-Za-z0-9*/,-]*";
const cron = z
  .string()
  .regex(
    new RegExp(`^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every \\d+[hms]|(${CRON_FIELD})(\\s+(${CRON_FIELD})){4})$`),
    'must be a five-field cron expression such as "0 3 * * *" or a macro such as @daily',
  );

const regionCode = z
  .string({ error: "is required: set aws:region to the AWS region of this stack, such as eu-west-1" })
  .regex(REGION_CODE, "must be an AWS region code such as eu-west-1 or us-east-2");

const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a Kubernetes label key such as team or example.com/tier",
  );

/** Graviton (ARM) families carry a `g` after their generation digit: m7g, c6gn, r7gd, g5g. */
export function isArmInstanceType(type: string): boolean {
  return /^[a-z]+\d+[a-z-]*g/.test(type.split(".")[0]);
}

const nodeGroupSchema = strictObject({
  /** Node group name, unique in the cluster. */
  name: dnsLabel,
  /** EC2 instance types, most preferred first. */
  instanceTypes: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large"))
    .min(1)
    .default(["m7i.large"]),
  /** ON_DEMAND for system capacity; SPOT for interruptible workloads. */
  capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
  /** EKS-optimized AMI family. */
  amiType: z
    .enum(["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64"])
    .default("AL2023_x86_64_STANDARD"),
  /** Scaling bounds; one node per AZ at least by default. */
  minSize: z.number().int().min(0).default(3),
  desiredSize: z.number().int().min(0).default(3),
  maxSize: z.number().int().min(1).default(6),
  /** Root volume size in GiB. */
  diskSizeGiB: z.number().int().min(20).max(16384).default(50),
  /** Kubernetes labels set on every node. */
  labels: z.record(labelKey, z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value")).default({}),
})
  .refine((g) => g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize, { error: "needs minSize <= desiredSize <= maxSize" })
  .refine((g) => g.instanceTypes.every((t) => isArmInstanceType(t) === g.amiType.includes("ARM")), {
    error: "instanceTypes must match the amiType's architecture: ARM AMIs need Graviton types (m7g, c7g, ...), x86 AMIs need x86 types",
    path: ["instanceTypes"],
  });

const computeSchema = z.discriminatedUnion(
  "mode",
  [
    strictObject({
      mode: z.literal("managedNodeGroups"),
      nodeGroups: z
        .array(nodeGroupSchema)
        .min(1)
        .superRefine(uniqueBy("name"))
        .default(() => [nodeGroupSchema.parse({ name: "system" })]),
    }),
    strictObject({
      mode: z.literal("autoMode"),
      /** Built-in Auto Mode node pools to enable. */
      nodePools: z.array(z.enum(["general-purpose", "system"])).min(1).default(["general-purpose", "system"]),
    }),
  ],
  { error: 'mode must be "managedNodeGroups" (default) or "autoMode"' },
);

const accessEntrySchema = strictObject({
  /**
   * IAM role or user that gets Kubernetes access. Not the role that runs Pulumi: EKS
   * already gives the cluster creator an entry, and refuses a second one.
   */
  principalArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/\S+$/, "must be an IAM role or user ARN (arn:<partition>:iam::<account>:role/<name>)"),
  /** EKS access policy: cluster-admin, admin, edit or view. */
  policy: z.enum(["cluster-admin", "admin", "edit", "view"]),
  /** Limit the policy to these namespaces; cluster-wide when absent. */
  namespaces: z.array(dnsLabel).min(1).optional(),
}).refine((e) => !(e.policy === "cluster-admin" && e.namespaces), {
  error: "cluster-admin is cluster-wide: drop namespaces, or use admin/edit/view for namespace-scoped access",
});

const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const clusterSchema = strictObject({
  /** EKS cluster name; defaults to phoenix-<stack>. */
  name: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/, "must start with a letter and hold letters, digits and '-', at most 100 characters")
    .optional(),
  endpoint: strictObject({
    privateAccess: z.boolean().default(true),
    publicAccess: z.boolean().default(false),
    publicAccessCidrs: z.array(cidr).default([]),
  })
    .prefault({})
    .refine((e) => e.privateAccess || e.publicAccess, { error: "at least one of privateAccess and publicAccess must be true" })
    .refine((e) => !e.publicAccess || e.publicAccessCidrs.length > 0, {
      error:
        "publicAccess: true needs publicAccessCidrs (the networks allowed to reach the API); list 0.0.0.0/0 explicitly if you really mean the whole internet",
      path: ["publicAccessCidrs"],
    })
    .refine((e) => e.privateAccess || !e.publicAccess || e.publicAccessCidrs.includes("0.0.0.0/0"), {
      // Nodes then reach the API through their NAT addresses, which are unknown until
      // apply and change when the VPC is rebuilt: they would not join.
      error: "privateAccess: false leaves the nodes only the public endpoint, which they reach from NAT addresses not in publicAccessCidrs: keep privateAccess: true",
      path: ["privateAccess"],
    })
    .refine((e) => e.publicAccess || e.publicAccessCidrs.length === 0, {
      error: "publicAccessCidrs is set but publicAccess is false: set publicAccess: true or drop the CIDRs",
      path: ["publicAccessCidrs"],
    }),
  /** Refuse to delete the control plane unless this is turned off first. */
  deletionProtection: z.boolean().default(true),
  /** Control-plane log types sent to CloudWatch. */
  logTypes: z
    .array(z.enum(LOG_TYPES))
    .min(1, { error: "list at least one log type; audit and authenticator logs are what an incident review needs" })
    .refine((l) => new Set(l).size === l.length, { error: "lists a log type twice" })
    .default([...LOG_TYPES]),
  compute: computeSchema.prefault({ mode: "managedNodeGroups" }),
  accessEntries: z
    .array(accessEntrySchema)
    .default([])
    .superRefine((entries, ctx) => {
      // EKS holds one access entry per principal; the same policy twice would be ambiguous.
      const seen = new Set<string>();
      entries.forEach((e, i) => {
        const k = `${e.principalArn} ${e.policy}`;
        if (seen.has(k)) ctx.addIssue({ code: "custom", path: [i], message: `grants ${e.policy} to ${e.principalArn} a second time: merge the two entries` });
        seen.add(k);
      });
    }),
}).prefault({});

const networkSchema = strictObject({
  /** VPC IPv4 block; distinct per region if regions are ever peered. */
  cidr: cidr.default("10.0.0.0/16").refine(
    (c) => {
      const p = parseCidr(c)?.prefix;
      // A malformed block is already reported by `cidr`; report the size only for valid ones.
      return p === undefined || (p >= VPC_PREFIX_RANGE.min && p <= VPC_PREFIX_RANGE.max);
    },
    { error: `must have a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}` },
  ),
  /** perAz: one NAT gateway per AZ (an AZ outage keeps egress); single: one, cheaper. */
  natGateways: z.enum(["perAz", "single"]).default("perAz"),
}).prefault({});

const applicationSchema = strictObject({
  /** Argo CD Application name. */
  name: dnsLabel,
  /** Path of the app's manifests in the repository. */
  path: repoPath,
  /** Destination namespace; classified `gitops` (recreated from Git, never backed up). */
  namespace: dnsLabel,
  /** Repository, when it is not the root's. */
  repoURL: gitUrl.optional(),
  /** Revision, when it is not the root's. */
  targetRevision: z.string().min(1).optional(),
  /** How Argo CD syncs it. */
  syncPolicy: strictObject({
    /** Sync on every change in Git; off means someone presses Sync. */
    automated: z.boolean().default(true),
    /** Delete what was removed from Git (only with automated). */
    prune: z.boolean().default(true),
    /** Undo changes made in the cluster by hand (only with automated). */
    selfHeal: z.boolean().default(true),
  })
    .refine((p) => p.automated || (!p.prune && !p.selfHeal), { error: "prune and selfHeal only act with automated: true; set them false too, or automate" })
    .prefault({}),
});

/** Credentials Argo CD uses to clone a private repository; the secret parts must be Pulumi secrets. */
const repoCredentialsSchema = z.discriminatedUnion(
  "type",
  [
    strictObject({
      type: z.literal("https"),
      /** User name the Git host expects with a token (e.g. x-access-token on GitHub). */
      username: z.string().min(1),
      /** Access token: a Pulumi secret. */
      token: z.string().min(1),
    }),
    strictObject({
      type: z.literal("ssh"),
      /** Private key (PEM/OpenSSH): a Pulumi secret. */
      sshPrivateKey: z.string().min(1),
    }),
  ],
  { error: 'type must be "https" (username and token) or "ssh" (sshPrivateKey)' },
);

const gitopsSchema = strictObject(
  {
    /** Repository Argo CD syncs the root Application (app of apps) from. */
    repoURL: gitUrl,
    /** Branch, tag or commit; pin a tag or commit for production. */
    targetRevision: z.string().min(1).default("main"),
    /** Root path for this region; defaults to clusters/<region> so regions can differ. */
    path: repoPath.optional(),
    /** Applications Phoenix declares; their destinations are the GitOps namespaces. */
    applications: z.array(applicationSchema).superRefine(uniqueBy("name", [ROOT_APP])).default([]),
    /** Credentials for a private repository (every repository under the root's URL's host and owner). */
    credentials: repoCredentialsSchema.optional(),
  },
).refine((g) => !g.credentials || (g.credentials.type === "ssh") === !g.repoURL.startsWith("https://"), {
  error: "credentials.type must match repoURL: https credentials for an https:// URL, ssh credentials for ssh:// or git@ URLs",
  path: ["credentials", "type"],
});

/** A Kubernetes quantity such as 500m, 2, 4Gi. */
const quantity = z.string().regex(/^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, "must be a Kubernetes quantity such as 500m, 2 or 4Gi");
const cpuMemory = strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

const namespacesSchema = strictObject({
  /** Namespaces whose state lives only in the cluster: the only ones Velero backs up. */
  imperative: z
    .array(
      strictObject({
        name: dnsLabel,
        /** What lives there and why it cannot come from Git. */
        description: z.string().optional(),
        /** Team that owns the state (the owner label's value): who to call when it must be restored. */
        owner: dnsLabel.default("phoenix"),
        /** ResourceQuota `hard` limits for the namespace, such as requests.storage: 500Gi. */
        resourceQuota: z.record(z.string().regex(/^[a-z0-9./-]+$/, "must be a ResourceQuota resource name such as requests.cpu"), quantity).optional(),
        /** LimitRange container defaults for the namespace. */
        limitRange: strictObject({ default: cpuMemory.optional(), defaultRequest: cpuMemory.optional() }).optional(),
      }),
    )
    .default([]),
}).prefault({});

const backupsSchema = strictObject({
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
}).prefault({});

const pluginsSchema = strictObject({
  loadBalancerController: loadBalancerControllerSettingsSchema,
  certManager: certManagerSettingsSchema,
  externalDns: externalDnsSettingsSchema,
  metricsServer: metricsServerSettingsSchema,
  argocd: argocdSettingsSchema,
  velero: veleroSettingsSchema,
})
  .refine((p) => p.loadBalancerController.gatewayApi && p.loadBalancerController.enabled || !p.externalDns.sources.some((s) => s.startsWith("gateway-")), {
    // external-dns fails to start when a source's CRDs are missing.
    error: "gateway-* sources need the Gateway API CRDs, which come with loadBalancerController (enabled and gatewayApi: true)",
    path: ["externalDns", "sources"],
  })
  .prefault({});

/** Plugin settings with defaults applied (for tests and tools that build the plugins layer alone). */
export function parsePluginSettings(raw: unknown): z.output<typeof pluginsSchema> {
  return pluginsSchema.parse(raw);
}

const identitySchema = strictObject({
  /**
   * How plugins and the EBS CSI driver get AWS credentials: EKS Pod Identity (default;
   * trust policies name no cluster, so a replica region needs no edits) or IRSA
   * (the cluster then gets an IAM OIDC provider).
   */
  mode: z.enum(["podIdentity", "irsa"]).default("podIdentity"),
}).prefault({});

/** Schema of the whole stack configuration, keyed like the stack file minus namespaces. */
const stackSchema = z.object({
  region: regionCode,
  cluster: clusterSchema,
  network: networkSchema,
  gitops: z.custom<unknown>((v) => v !== undefined, {
    error: "is required: set phoenix:gitops.repoURL to the Git repository Argo CD syncs (and optionally targetRevision, path)",
  }).pipe(gitopsSchema),
  namespaces: namespacesSchema,
  backups: backupsSchema,
  plugins: pluginsSchema,
  identity: identitySchema,
  tags: z
    .record(
      z
        .string()
        .regex(/^[\w .:/=+@-]{1,128}$/, "tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@")
        .refine((k) => !k.toLowerCase().startsWith("aws:"), { error: "the aws: tag prefix is reserved by AWS" }),
      z.string().max(256),
    )
    .default({}),
});

type StackSchema = z.output<typeof stackSchema>;

/** The validated configuration of one stack, with defaults applied and derived names resolved. */
export interface PhoenixConfig extends Omit<StackSchema, "cluster" | "gitops"> {
  /** Pulumi project name (Pulumi.yaml `name`). */
  readonly project: string;
  /** Stack name; one stack per region. */
  readonly stack: string;
  /** The stack file this config came from, for messages. */
  readonly stackFile: string;
  readonly cluster: StackSchema["cluster"] & { readonly name: string };
  readonly gitops: z.output<typeof gitopsSchema> & { readonly path: string };
}

/** Config namespaces that belong to Pulumi and the providers the program uses. */
export const PROVIDER_NAMESPACES: readonly string[] = ["aws", "kubernetes", "eks", "pulumi"];

/** Top-level keys a stack may set in the project's namespace. */
export const PHOENIX_KEYS = ["cluster", "network", "gitops", "namespaces", "backups", "plugins", "identity", "tags"] as const;

/** One thing wrong with a stack file. */
export interface ConfigProblem {
  /** The stack-file key, such as `phoenix:cluster.endpoint.publicAccessCidrs[0]`. */
  readonly key: string;
  /** What was wrong and what is allowed. */
  readonly message: string;
}

/** A stack file that does not validate. Its message is the whole report, ready to print. */
export class ConfigError extends Error {
  constructor(
    readonly stackFile: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${stackFile}: invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n") +
        `\nFix ${problems.length === 1 ? "this key" : "these keys"} in ${stackFile}; README.md "Stack configuration" lists every key and its default.`,
    );
    this.name = "ConfigError";
  }
}

/** Where the config came from. */
export interface StackIdentity {
  readonly project: string;
  readonly stack: string;
  /**
   * Whether Pulumi holds a flat config key as a secret (`pulumi config set --secret`).
   * Given, secret settings stored in plain text are refused; absent, not checked.
   */
  readonly isSecret?: (key: string) => boolean;
}

/** Settings that must be Pulumi secrets, as paths below `<project>:`. */
export const SECRET_SETTINGS: readonly (readonly string[])[] = [
  ["plugins", "argocd", "admin", "passwordBcrypt"],
  ["plugins", "argocd", "sso", "clientSecret"],
  ["gitops", "credentials", "token"],
  ["gitops", "credentials", "sshPrivateKey"],
];

/** A bcrypt hash as Argo CD expects it (`$2a$`/`$2b$`/`$2y$`, cost, 53 characters of salt and hash). */
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** The file name Pulumi reads a stack's config from. */
export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

function keyOf(project: string, path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  const top = head === "region" ? "aws:region" : `${project}:${String(head)}`;
  return rest.reduce<string>((k, part) => (typeof part === "number" ? `${k}[${part}]` : `${k}.${String(part)}`), top);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), root);
}

/**
 * Secret settings must be stored as Pulumi secrets, and the admin hash must be a bcrypt
 * hash (a plain password there would be Argo CD's password hash, i.e. no login works).
 * Pulumi marks a whole top-level key secret when any leaf in it is: a plain value next
 * to a secret one in the same key cannot be told apart here.
 */
function secretProblems(input: Record<string, unknown>, id: StackIdentity): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const path of SECRET_SETTINGS) {
    const value = valueAt(input, path);
    if (value === undefined) continue;
    const key = keyOf(id.project, path);
    if (id.isSecret && !id.isSecret(`${id.project}:${path[0]}`)) {
      problems.push({ key, message: `is stored in plain text: store it as a secret with pulumi config set --secret --path '${key}' <value>` });
    }
  }
  const hash = valueAt(input, SECRET_SETTINGS[0]);
  if (typeof hash === "string" && !hash.startsWith(OFFLINE_SECRET_PREFIX) && !BCRYPT.test(hash)) {
    problems.push({
      key: keyOf(id.project, SECRET_SETTINGS[0]),
      message: "must be a bcrypt hash ($2a$10$...), not the password itself: htpasswd -nbBC 10 '' \"$PASSWORD\" | tr -d ':\\n'",
    });
  }
  return problems;
}

/**
 * Checks between regions: the DR replica and a restore source must be other regions of
 * the same partition (S3 replication and IAM cannot cross partitions), and a restore
 * source's key must be in the source's region and partition. They read the raw input,
 * so they report alongside every other problem, not only once the rest is valid.
 */
function regionProblems(input: Record<string, unknown>, project: string): ConfigProblem[] {
  const region = input.region;
  if (typeof region !== "string" || !REGION_CODE.test(region)) return [];
  const home = partitionOf(region)?.partition;
  const problems: ConfigProblem[] = [];
  const otherRegion = (path: readonly string[], what: string, mustDiffer: boolean): string | undefined => {
    const value = valueAt(input, path);
    if (typeof value !== "string" || !REGION_CODE.test(value)) return undefined;
    const key = keyOf(project, path);
    const partition = partitionOf(value)?.partition;
    if (partition === undefined || home === undefined) {
      problems.push({ key, message: `is a region whose AWS partition Phoenix does not know (${[value, region].filter((r) => partitionOf(r) === undefined).join(", ")}): add its prefix to stacks/partition.ts` });
    } else if (partition !== home) {
      problems.push({ key, message: `is in another AWS partition (${partition}) than ${region} (${home}): ${what} cannot cross partitions` });
    } else if (mustDiffer && value === region) {
      problems.push({ key, message: `is this stack's own region (${region}): a DR replica must live in another region` });
    }
    return value;
  };
  otherRegion(["plugins", "velero", "replication", "region"], "S3 replication", true);
  const sourceRegion = otherRegion(["plugins", "velero", "restoreFrom", "region"], "reading another region's backups", false);
  const keyArn = valueAt(input, ["plugins", "velero", "restoreFrom", "kmsKeyArn"]);
  const arn = typeof keyArn === "string" ? /^arn:([a-z-]+):kms:([a-z0-9-]+):/.exec(keyArn) : null;
  if (sourceRegion !== undefined && arn && (arn[2] !== sourceRegion || arn[1] !== partitionOf(sourceRegion)?.partition)) {
    problems.push({
      key: keyOf(project, ["plugins", "velero", "restoreFrom", "kmsKeyArn"]),
      message: `is a key in ${arn[2]} (partition ${arn[1]}), but the restore source is in ${sourceRegion}: use the replica's own key (the primary stack's replicaKeyArn output)`,
    });
  }
  return problems;
}

/**
 * Prefix of the offline plan's stand-in for a `secure:` value, which only the stack's
 * secrets provider can decrypt (stacks/offline/stackFile.ts): its format is unknowable.
 */
export const OFFLINE_SECRET_PREFIX = "<secret:";

/**
 * Validates the flat Pulumi config of one stack. Throws `ConfigError` listing every
 * problem found in one pass: each field's own problems, the region and secret checks,
 * and the checks that compare fields within a section once that section's fields are
 * valid (they cannot be compared before). Returns the typed config with defaults applied.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, id: StackIdentity): PhoenixConfig {
  const stackFile = stackFileName(id.stack);
  const problems: ConfigProblem[] = [];
  const input: Record<string, unknown> = { region: raw["aws:region"] };
  const prefix = `${id.project}:`;
  for (const [key, value] of Object.entries(raw)) {
    const namespace = key.split(":")[0];
    if (namespace !== id.project) {
      // Providers' own keys (aws:profile, kubernetes:...) are theirs to check. Any other
      // namespace is most likely a misspelt project name, whose keys would be ignored.
      if (!PROVIDER_NAMESPACES.includes(namespace)) {
        problems.push({ key, message: `unknown config namespace "${namespace}": Phoenix reads ${prefix}* keys, and passes ${PROVIDER_NAMESPACES.map((n) => `${n}:*`).join(", ")} to Pulumi` });
      }
      continue;
    }
    const name = key.slice(prefix.length);
    if (!(PHOENIX_KEYS as readonly string[]).includes(name)) {
      problems.push({ key, message: `unknown key; allowed: ${PHOENIX_KEYS.map((k) => prefix + k).join(", ")}` });
      continue;
    }
    try {
      input[name] = JSON.parse(value);
    } catch {
      problems.push({ key, message: `must be a YAML map, got the plain value ${JSON.stringify(value)}` });
    }
  }
  const result = stackSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      // A bad map key reports "Invalid key in record"; the useful words are inside.
      const message =
        issue.code === "invalid_key"
          ? issue.issues.map((i) => i.message).join("; ")
          : // zod's own words for a missing field name no fix.
            issue.code === "invalid_type" && /received undefined$/.test(issue.message)
            ? `is required here: set it in ${stackFile}`
            : issue.message;
      for (const path of keys) problems.push({ key: keyOf(id.project, path), message });
    }
  }
  problems.push(...regionProblems(input, id.project), ...secretProblems(input, id));
  if (problems.length > 0 || !result.success) throw new ConfigError(stackFile, problems);
  const cfg = result.data;
  return {
    ...cfg,
    project: id.project,
    stack: id.stack,
    stackFile,
    cluster: { ...cfg.cluster, name: cfg.cluster.name ?? `${id.project}-${id.stack}` },
    gitops: { ...cfg.gitops, path: cfg.gitops.path ?? `clusters/${cfg.region}` },
  };
}
