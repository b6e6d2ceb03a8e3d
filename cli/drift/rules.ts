/**
 * The derivation rules of `phoenix drift`: each names one thing `phoenix replicate`
 * derives for a new region (cli/replicate/derive.ts) and explains the differences it
 * causes between the source's plan and the replica's. Pure: strings and flat config in,
 * strings and flat config out.
 *
 * Two kinds. A substitution maps a value of the replica (`to`) back into the source's
 * (`from`) vocabulary: when the replica's value equals the source's after it, the rule
 * explains the difference. A config rule removes a key replicate added to the replica's
 * stack file: when the replica's plan without that key equals the source's at a key,
 * the key's difference is what the rule derives.
 */
import { formatCidr, parseCidr } from "../../components/cluster/network";

/** What the rules read of each stack: its identity as replicate derived it. */
export interface StackFacts {
  /** Platform project name (Pulumi.yaml `name`), the prefix of the stack file's keys. */
  readonly project: string;
  readonly stack: string;
  /** `aws:region`. */
  readonly region: string;
  /** `<project>:cluster.name` (default `<project>-<stack>`). */
  readonly cluster: string;
  /** `<project>:network.cidr` (default the schema's). */
  readonly cidr: string;
  /** `<project>:gitops.path` (default `clusters/<region>`). */
  readonly gitopsPath: string;
}

/** The two stacks compared: the source and its replica. */
export interface StackPair {
  readonly from: StackFacts;
  readonly to: StackFacts;
}

/** The rules' names, as the table's VERDICT column shows them. */
export const RULE_NAMES = ["gitopsPath", "names", "region", "cidr", "restoreFrom", "standby"] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Maps one string of the replica into the source's vocabulary. */
export type Substitution = (text: string, pair: StackPair) => string;

/** A stack file's flat config, as the Pulumi CLI passes it (objects as JSON text). */
export type FlatConfig = Readonly<Record<string, string>>;

/** Removes from the replica's flat config what replicate added, as if it had not. */
export type ConfigRule = (config: FlatConfig, project: string) => FlatConfig;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces `word` by `by` where it stands alone: not inside a longer name (prod is not in production). */
function replaceWord(text: string, word: string, by: string, notBefore = ""): string {
  if (word === "" || word === by) return text;
  const re = new RegExp(`(?<![A-Za-z0-9_])${escape(word)}(?![A-Za-z0-9_]${notBefore ? `|${notBefore}` : ""})`, "g");
  return text.replace(re, by);
}

/**
 * `region`: replicate sets `aws:region` to `--region` (derive.ts, `derive(doc,
 * ["aws:region"], req.region, ...)`), so the replica's ARNs, endpoints, availability
 * zones (the region plus a letter) and placeholders name its region where the source's
 * name the source's. Maps the replica's region to the source's, inside any string.
 */
export function region(text: string, pair: StackPair): string {
  const { from, to } = pair;
  if (to.region === "" || from.region === "") return text;
  // A region followed by a digit is another region (…-1 is not …-10); a letter is an AZ.
  return text.replace(new RegExp(`(?<![A-Za-z0-9-])${escape(to.region)}(?![0-9])`, "g"), from.region);
}

/**
 * `names`: replicate names the cluster `<project>-<stack>` (derive.ts, `derive(doc,
 * [`${p}:cluster`, "name"], `${p}-${req.stack}`, ...)`) and the stack's own backup
 * storage after the stack (`<project>-backup-storage/<stack>`); every resource name, tag
 * and bucket follows. Maps the replica's cluster and stack names to the source's, as
 * whole words (a stack named like a region's first word leaves the region alone).
 */
export function names(text: string, pair: StackPair): string {
  const { from, to } = pair;
  const cluster = replaceWord(text, to.cluster, from.cluster);
  // A region's shape follows a stack name that is its first word (`eu` in `eu-west-1`).
  return replaceWord(cluster, to.stack, from.stack, "-[a-z]+-[0-9]");
}

/** The IPv4 addresses (with an optional prefix) in a string. */
const IPV4 = /(?<![0-9.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/\d{1,2})?(?![0-9.])/g;

/**
 * `cidr`: replicate gives the replica a VPC block of the source's size that overlaps no
 * stack file's (derive.ts, `freeBlock`, or `--cidr`), and the subnets are carved from it
 * as from the source's. Maps every address or block inside the replica's VPC block to
 * the same offset in the source's block; addresses outside it (a runner's egress, the
 * internet) are left as they are.
 */
export function cidr(text: string, pair: StackPair): string {
  const a = parseCidr(pair.from.cidr);
  const b = parseCidr(pair.to.cidr);
  if (a === undefined || b === undefined || a.prefix !== b.prefix || a.base === b.base) return text;
  const size = 2 ** (32 - b.prefix);
  return text.replace(IPV4, (whole: string, o1: string, o2: string, o3: string, o4: string, prefix?: string) => {
    const octets = [o1, o2, o3, o4].map(Number);
    if (octets.some((o) => o > 255)) return whole;
    const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    if (address < b.base || address >= b.base + size) return whole;
    const mapped = formatCidr({ base: (address - b.base + a.base) >>> 0, prefix: 0 }).replace(/\/0$/, "");
    return `${mapped}${prefix ?? ""}`;
  });
}

/**
 * `gitopsPath`: replicate rewrites a `<project>:gitops.path` that names the source's
 * region to name the new one (derive.ts, "follows the region"), and a stack that sets
 * none reads `clusters/<region>` by default: either way each region syncs its own folder.
 * Maps the replica's path to the source's, as a whole path.
 */
export function gitopsPath(text: string, pair: StackPair): string {
  const { from, to } = pair;
  if (to.gitopsPath === "" || to.gitopsPath === from.gitopsPath) return text;
  return text.replace(
    new RegExp(`(?<![A-Za-z0-9_./-])${escape(to.gitopsPath)}(?![A-Za-z0-9_.-])`, "g"),
    from.gitopsPath,
  );
}

/** The substitutions, in the order they apply: the gitops path before the region it holds. */
export const SUBSTITUTIONS: readonly { readonly rule: RuleName; readonly apply: Substitution }[] = [
  { rule: "gitopsPath", apply: gitopsPath },
  { rule: "names", apply: names },
  { rule: "region", apply: region },
  { rule: "cidr", apply: cidr },
];

/** Parses a flat config's object value (JSON text), or undefined when it holds none. */
function objectOf(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `restoreFrom`: replicate points the replica at the source's backup storage, read-only
 * through its DR replica (derive.ts, `derive(doc, [`${p}:backups`, "restoreFrom",
 * "stack"], ...)`): Velero gets a second, read-only location named `restore-source`, with
 * the IAM and secrets to read it. The replica's config without `restoreFrom`.
 */
export function restoreFrom(config: FlatConfig, project: string): FlatConfig {
  const key = `${project}:backups`;
  const backups = objectOf(config[key]);
  if (backups === undefined || !("restoreFrom" in backups)) return config;
  const rest = Object.fromEntries(Object.entries(backups).filter(([k]) => k !== "restoreFrom"));
  return { ...config, [key]: JSON.stringify(rest) };
}

/**
 * `standby`: `--strategy pilot-light` writes `<project>:standby` (derive.ts, `standBy`):
 * the source's node groups at zero beside a small system group, no external-dns or
 * ACME DNS-01 and no backups of its own until `phoenix recover` promotes it
 * (stacks/platform/config/standby.ts, `standbyView`). The replica's config without it.
 */
export function standby(config: FlatConfig, project: string): FlatConfig {
  const key = `${project}:standby`;
  if (!(key in config)) return config;
  return Object.fromEntries(Object.entries(config).filter(([k]) => k !== key));
}

/**
 * The config rules, in the order they are undone: a standby needs the primary it stands
 * by for, so `standby` goes before `restoreFrom` (a standby without it is refused).
 */
export const CONFIG_RULES: readonly { readonly rule: RuleName; readonly apply: ConfigRule }[] = [
  { rule: "standby", apply: standby },
  { rule: "restoreFrom", apply: restoreFrom },
];

/**
 * The replica's config with what replicate added undone one rule at a time, each step on
 * top of the one before: the counterfactual plans worth making (rules that change
 * nothing are skipped).
 */
export function configSteps(
  config: FlatConfig,
  project: string,
): { readonly rule: RuleName; readonly config: FlatConfig }[] {
  const out: { rule: RuleName; config: FlatConfig }[] = [];
  let current = config;
  for (const r of CONFIG_RULES) {
    const next = r.apply(current, project);
    if (next === current) continue;
    out.push({ rule: r.rule, config: next });
    current = next;
  }
  return out;
}

/**
 * Maps a string of the replica into the source's vocabulary with every substitution,
 * and says which of them changed it.
 */
export function substitute(text: string, pair: StackPair): { readonly text: string; readonly rules: RuleName[] } {
  let out = text;
  const rules: RuleName[] = [];
  for (const s of SUBSTITUTIONS) {
    const next = s.apply(out, pair);
    if (next !== out) rules.push(s.rule);
    out = next;
  }
  return { text: out, rules };
}
