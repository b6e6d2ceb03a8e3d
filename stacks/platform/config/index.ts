/**
 * The platform's stack configuration: everything a `Pulumi.<stack>.yaml` sets, one
 * module per section, validated with zod before any resource is declared. A bad stack
 * file fails with a message naming the file, the key, what was wrong and what is
 * allowed, and never produces a half-built plan.
 *
 * What the namespace inventory needs travels with the config: every Application and
 * imperative namespace carries the stack-file key it came from, so nothing looks entries
 * up again in the config.
 */
import { z } from "zod";
import {
  ConfigError,
  keyOf,
  OFFLINE_SECRET_PREFIX,
  readFlatConfig,
  regionCode,
  stackFileName,
  valueAt,
  zodProblems,
  type ConfigProblem,
  type StackIdentity,
} from "../../config";
import { backupsSchema } from "./backups";
import { clusterSchema } from "./cluster";
import { gitopsSchema } from "./gitops";
import { identitySchema } from "./identity";
import { namespacesSchema } from "./namespaces";
import { networkSchema } from "./network";
import { recoverySchema } from "./recovery";
import { runnerReachProblems, runnerSchema } from "./runner";
import { MOVED_VELERO_KEYS, pluginsSchema } from "./plugins";
import { standbySchema, standbyView } from "./standby";

export { ConfigError, stackFileName, type ConfigProblem, type StackIdentity } from "../../config";
export { isArmInstanceType } from "./cluster";
export { parsePluginSettings } from "./plugins";

/**
 * Schema of the whole stack configuration, keyed like the stack file minus namespaces
 * (`region` is `aws:region`). docs/reference/configuration.md is generated from it.
 */
export const stackSchema = z
  .object({
    region: regionCode.meta({ description: "The stack's region." }),
    cluster: clusterSchema,
    network: networkSchema,
    gitops: z
      .custom<unknown>((v) => v !== undefined, {
        error:
          "is required: set phoenix:gitops.repoURL to the Git repository Argo CD syncs (and optionally targetRevision, path)",
      })
      .pipe(gitopsSchema),
    namespaces: namespacesSchema,
    backups: backupsSchema,
    plugins: pluginsSchema,
    identity: identitySchema,
    recovery: recoverySchema,
    standby: standbySchema,
    runner: z
      .custom<unknown>((v) => v !== undefined, {
        error:
          'is required: set phoenix:runner (kind, labels, cidrs) to the runner the deploy and preview workflows use, so the plan can tell whether it reaches the API (docs/operations/previews.md, "CI reaches the cluster")',
      })
      .pipe(runnerSchema),
    tags: z
      .record(
        z
          .string()
          .regex(/^[\w .:/=+@-]{1,128}$/, "tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@")
          .refine((k) => !k.toLowerCase().startsWith("aws:"), { error: "the aws: tag prefix is reserved by AWS" }),
        z.string().max(256),
      )
      .default({})
      .meta({ description: "Tags on every AWS resource, alongside `phoenix:stack` and `phoenix:cluster`." }),
  })
  .superRefine((cfg, ctx) => {
    for (const p of runnerReachProblems(cfg.runner, cfg.cluster.endpoint))
      ctx.addIssue({ code: "custom", path: ["runner", ...p.path], message: p.message });
    for (const p of standbyProblems(cfg)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  });

/** What a standby needs of the rest of its stack: a primary to restore from, and nodes enough for its plugins. */
function standbyProblems(cfg: {
  readonly standby?: { readonly systemNodes: { readonly count: number } };
  readonly backups: { readonly restoreFrom?: unknown };
  readonly plugins: { readonly argocd: { readonly ha: boolean } };
}): { path: (string | number)[]; message: string }[] {
  if (!cfg.standby) return [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (!cfg.backups.restoreFrom)
    problems.push({
      path: ["standby"],
      message:
        "a standby needs the primary it stands by for: set phoenix:backups.restoreFrom.stack to the primary's storage stack (phoenix replicate --strategy pilot-light writes both)",
    });
  if (cfg.plugins.argocd.ha && cfg.standby.systemNodes.count < 3)
    problems.push({
      path: ["standby", "systemNodes", "count"],
      message:
        "must be at least 3 with phoenix:plugins.argocd.ha: Redis HA forces its three replicas onto separate nodes (argo-cd chart values.yaml redis-ha.hardAntiAffinity); set count: 3, or ha: false",
    });
  return problems;
}

type StackSchema = z.output<typeof stackSchema>;

/** An entry of the stack file together with the key it came from (for the inventory's messages). */
export type Keyed<T> = T & { readonly key: string };

type Gitops = z.output<typeof gitopsSchema>;
type Namespaces = z.output<typeof namespacesSchema>;

/** The validated configuration of one stack, with defaults applied and derived names resolved. */
export interface PhoenixConfig extends Omit<StackSchema, "cluster" | "gitops" | "namespaces"> {
  /** Pulumi project name (Pulumi.yaml `name`). */
  readonly project: string;
  /** Stack name; one stack per region. */
  readonly stack: string;
  /** The stack file this config came from, for messages. */
  readonly stackFile: string;
  readonly cluster: StackSchema["cluster"] & { readonly name: string };
  readonly gitops: Omit<Gitops, "applications"> & {
    readonly path: string;
    readonly applications: readonly Keyed<Gitops["applications"][number]>[];
  };
  readonly namespaces: { readonly imperative: readonly Keyed<Namespaces["imperative"][number]>[] };
}

/** Top-level keys a stack may set in the project's namespace. */
export const PHOENIX_KEYS = [
  "cluster",
  "network",
  "gitops",
  "namespaces",
  "backups",
  "plugins",
  "identity",
  "recovery",
  "standby",
  "runner",
  "tags",
] as const;

/** Settings that must be Pulumi secrets, as paths below `<project>:`. */
export const SECRET_SETTINGS: readonly (readonly string[])[] = [
  ["plugins", "argocd", "admin", "passwordBcrypt"],
  ["plugins", "argocd", "sso", "clientSecret"],
  ["gitops", "credentials", "token"],
  ["gitops", "credentials", "sshPrivateKey"],
];

/** A bcrypt hash as Argo CD expects it (`$2a$`/`$2b$`/`$2y$`, cost, 53 characters of salt and hash). */
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

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
      problems.push({
        key,
        message: `is stored in plain text: store it as a secret with pulumi config set --secret --path '${key}' <value>`,
      });
    }
  }
  const hash = valueAt(input, SECRET_SETTINGS[0]);
  if (typeof hash === "string" && !hash.startsWith(OFFLINE_SECRET_PREFIX) && !BCRYPT.test(hash)) {
    problems.push({
      key: keyOf(id.project, SECRET_SETTINGS[0]),
      message:
        "must be a bcrypt hash ($2a$10$...), not the password itself: htpasswd -nbBC 10 '' \"$PASSWORD\" | tr -d ':\\n'",
    });
  }
  return problems;
}

/** Keys that moved to the backup storage project: reported with where they live now. */
function movedKeyProblems(input: Record<string, unknown>, project: string): ConfigProblem[] {
  const velero = valueAt(input, ["plugins", "velero"]);
  if (typeof velero !== "object" || velero === null) return [];
  return Object.keys(velero)
    .filter((k) => k in MOVED_VELERO_KEYS)
    .map((k) => ({
      key: keyOf(project, ["plugins", "velero", k]),
      message: `moved out of the platform stack with the backups' own project: ${MOVED_VELERO_KEYS[k]}`,
    }));
}

/** Drops what `movedKeyProblems` reports, so the strict schema does not report it twice. */
function withoutMovedKeys(input: Record<string, unknown>): Record<string, unknown> {
  const plugins = input.plugins;
  const velero = valueAt(input, ["plugins", "velero"]);
  if (typeof plugins !== "object" || plugins === null || typeof velero !== "object" || velero === null) return input;
  const kept = Object.fromEntries(Object.entries(velero).filter(([k]) => !(k in MOVED_VELERO_KEYS)));
  return { ...input, plugins: { ...plugins, velero: kept } };
}

/**
 * Validates the flat Pulumi config of one stack. Throws `ConfigError` listing every
 * problem found in one pass: each field's own problems, the secret checks, and the
 * checks that compare fields within a section once that section's fields are valid
 * (they cannot be compared before). Returns the typed config with defaults applied.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, id: StackIdentity): PhoenixConfig {
  const stackFile = id.stackFile ?? stackFileName(id.stack);
  const problems: ConfigProblem[] = [];
  const input = readFlatConfig(raw, id.project, PHOENIX_KEYS, problems, true);
  problems.push(...movedKeyProblems(input, id.project));
  const result = stackSchema.safeParse(withoutMovedKeys(input));
  if (!result.success) problems.push(...zodProblems(result.error, id.project, stackFile));
  problems.push(...secretProblems(input, id));
  if (problems.length > 0 || !result.success) throw new ConfigError(stackFile, problems);
  // A standby runs less than its file declares until it is promoted (./standby.ts).
  const cfg = standbyView(result.data);
  return {
    ...cfg,
    project: id.project,
    stack: id.stack,
    stackFile,
    cluster: { ...cfg.cluster, name: cfg.cluster.name ?? `${id.project}-${id.stack}` },
    gitops: {
      ...cfg.gitops,
      path: cfg.gitops.path ?? `clusters/${cfg.region}`,
      applications: cfg.gitops.applications.map((a, i) => ({
        ...a,
        key: keyOf(id.project, ["gitops", "applications", i, "namespace"]),
      })),
    },
    namespaces: {
      imperative: cfg.namespaces.imperative.map((n, i) => ({
        ...n,
        key: keyOf(id.project, ["namespaces", "imperative", i]),
      })),
    },
  };
}
