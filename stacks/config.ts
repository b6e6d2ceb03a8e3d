/**
 * What the config validation of every Phoenix Pulumi project shares: the error that
 * names the stack file, the key and the fix; strict objects; region codes checked against
 * the regions AWS lists; the mapping of zod's issues to stack-file keys.
 *
 * Pulumi hands a program its config as flat strings (`"phoenix:cluster"` -> JSON text,
 * `"aws:region"` -> `"eu-west-1"`), both for real (`pulumi.runtime.allConfig()`) and
 * under mocks (`setAllConfig`). Every project's parser takes exactly that shape, so the
 * real run and the offline plan share one validation path.
 */
import { z } from "zod";
import { didYouMean, REGION_CODE, strictSettings } from "../components/plugins/settings";
import { regionInfo } from "../components/regions";

/** A strict object: unknown keys are errors that list the keys allowed there. */
export const strictObject = strictSettings;

/** An AWS region code that AWS lists (the SDK's partitions table). */
export const regionCode = z
  .string({ error: "is required: set aws:region to the AWS region of this stack, such as eu-west-1" })
  .regex(REGION_CODE, "must be an AWS region code such as eu-west-1 or us-east-2")
  .refine((r) => !REGION_CODE.test(r) || regionInfo(r) !== undefined, {
    error:
      "is not a region AWS lists (checked against the AWS SDK's partitions table): check the spelling, such as eu-west-1",
  });

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
        `\nFix ${problems.length === 1 ? "this key" : "these keys"} in ${stackFile}; docs/reference/configuration.md "Stack configuration" lists every key and its default.`,
    );
    this.name = "ConfigError";
  }
}

/** Where the config came from. */
export interface StackIdentity {
  readonly project: string;
  readonly stack: string;
  /** The stack file as messages name it; `Pulumi.<stack>.yaml` when absent. */
  readonly stackFile?: string;
  /**
   * Whether Pulumi holds a flat config key as a secret (`pulumi config set --secret`).
   * Given, secret settings stored in plain text are refused; absent, not checked.
   */
  readonly isSecret?: (key: string) => boolean;
}

/** The file name Pulumi reads a stack's config from. */
export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** The stack-file key of a path in the parsed input (`region` is `aws:region`). */
export function keyOf(project: string, path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  const top = head === "region" ? "aws:region" : `${project}:${String(head)}`;
  return rest.reduce<string>((k, part) => (typeof part === "number" ? `${k}[${part}]` : `${k}.${String(part)}`), top);
}

/** The value at a path of plain data, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    root,
  );
}

/**
 * Prefix of the offline plan's stand-in for a `secure:` value, which only the stack's
 * secrets provider can decrypt (cli/stacks/stackFile.ts): its format is unknowable.
 */
/**
 * Seconds of a Go duration as Velero and Kubernetes write them in config: hours, minutes
 * and seconds, each optional (`720h0m0s`, `1h30m`, `30s`); undefined for anything else.
 */
export function goDurationSeconds(d: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  return m && d !== "" ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : undefined;
}

export const OFFLINE_SECRET_PREFIX = "<secret:";

/** Config namespaces that belong to Pulumi and the providers the programs use. */
export const PROVIDER_NAMESPACES: readonly string[] = ["aws", "kubernetes", "eks", "pulumi"];

/**
 * Reads flat config into `{ region, <key>: parsed JSON }` for the keys a project allows,
 * reporting unknown namespaces, unknown keys and maps given as plain values.
 */
export function readFlatConfig(
  raw: Readonly<Record<string, string>>,
  project: string,
  allowed: readonly string[],
  problems: ConfigProblem[],
  /** Every key holds a map (the platform's sections): a plain value is reported as such. */
  mapsOnly = false,
): Record<string, unknown> {
  const input: Record<string, unknown> = { region: raw["aws:region"] };
  const prefix = `${project}:`;
  for (const [key, value] of Object.entries(raw)) {
    const namespace = key.split(":")[0];
    if (namespace !== project) {
      // Providers' own keys (aws:profile, kubernetes:...) are theirs to check. Any other
      // namespace is most likely a misspelt project name, whose keys would be ignored.
      if (!PROVIDER_NAMESPACES.includes(namespace)) {
        const guess = didYouMean(namespace, [project, ...PROVIDER_NAMESPACES]);
        problems.push({
          key,
          message: `unknown config namespace "${namespace}"${guess ? ` (did you mean ${guess}:?)` : ""}: this project reads ${prefix}* keys, and passes ${PROVIDER_NAMESPACES.map((n) => `${n}:*`).join(", ")} to Pulumi`,
        });
      }
      continue;
    }
    const name = key.slice(prefix.length);
    if (!allowed.includes(name)) {
      const guess = didYouMean(name, allowed);
      problems.push({
        key,
        message: `unknown key${guess ? ` (did you mean ${prefix}${guess}?)` : ""}; allowed: ${allowed.map((k) => prefix + k).join(", ")}`,
      });
      continue;
    }
    try {
      input[name] = JSON.parse(value);
    } catch {
      // A scalar setting arrives as its plain text.
      if (mapsOnly) problems.push({ key, message: `must be a YAML map, got the plain value ${JSON.stringify(value)}` });
      else input[name] = value;
    }
  }
  return input;
}

/** zod's issues as stack-file problems: each named by its key, with a message that names a fix. */
export function zodProblems(error: z.ZodError, project: string, stackFile: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    // A bad map key reports "Invalid key in record"; the useful words are inside.
    const message =
      issue.code === "invalid_key"
        ? issue.issues.map((i) => i.message).join("; ")
        : // zod's own words for a missing field name no fix.
          issue.code === "invalid_type" && /received undefined$/.test(issue.message)
          ? `is required here: set it in ${stackFile}`
          : issue.message;
    for (const path of keys) problems.push({ key: keyOf(project, path), message });
  }
  return problems;
}

/**
 * A second region a stack names (a DR replica): it must be listed by AWS, in the same
 * partition as the stack's own (S3 replication and IAM cannot cross partitions), and,
 * where `mustDiffer`, another region. Undefined when it is fine or not a region code at
 * all (the field's own check reports that).
 */
export function otherRegionProblem(
  home: unknown,
  other: unknown,
  what: string,
  mustDiffer: boolean,
): string | undefined {
  if (typeof home !== "string" || typeof other !== "string" || !REGION_CODE.test(home) || !REGION_CODE.test(other))
    return undefined;
  const a = regionInfo(home);
  const b = regionInfo(other);
  if (a === undefined || b === undefined) return undefined;
  if (a.partition !== b.partition)
    return `is in another AWS partition (${b.partition}) than ${home} (${a.partition}): ${what} cannot cross partitions`;
  if (mustDiffer && home === other) return `is this stack's own region (${home}): ${what} must go to another region`;
  return undefined;
}
