/**
 * Verification of a restore, shared by the drill, `recover` and `restore verify`: the
 * backup's objects against the live cluster's, each PVC Bound with its data restored,
 * Velero's own warnings and errors, and each namespace's own verify command, whose exit
 * status decides (as Velero's migration test runs its workload's verify script).
 */
import { applyRewrites, type Rewrite } from "../backup/portability";
import type { BackupStore, ExecResult, RecoveryCluster, ResourceType, RestoreOutcome } from "./adapters";
import { compareBackup, type Comparison } from "./compare";
import type { BackupObject } from "./backupTarball";
import { volumeCopy, type BackupSummary, type RestoreMessages, type RestoredItem } from "./velero";
import { goDurationSeconds, type RestoreCheck } from "../stacks/names";

/** A namespace's own restore check: the platform stack's `restoreChecks` output. */
export type { RestoreCheck };

/** How one verify command went. */
export interface CheckResult {
  readonly namespace: string;
  readonly command: string;
  readonly passed: boolean;
  readonly pod?: string;
  readonly exitCode?: number;
  /** Its last lines of output, or why it could not run. */
  readonly output: string;
}

/** A namespace's backup hooks, as the backup ran them. */
export interface HookResult {
  readonly namespace: string;
  readonly declared: { readonly pre: number; readonly post: number };
}

/** Everything verification found. */
export interface Verification {
  readonly backup: string;
  readonly restore?: string;
  readonly namespaces: readonly string[];
  readonly comparison: Comparison;
  readonly restoreOutcome?: Omit<RestoreOutcome, "volumeRestores">;
  readonly veleroMessages: RestoreMessages;
  /** Objects the restore skipped because they existed, or failed (Velero's restore resource list). */
  readonly skipped: readonly string[];
  readonly failed: readonly string[];
  /**
   * Objects that already existed and differed: Velero left them as they were and lists
   * them `(failed)` beside a warning; the comparison judges their content.
   */
  readonly existedDifferent: readonly string[];
  readonly checks: readonly CheckResult[];
  readonly hooks: readonly HookResult[];
  /** Velero's hook counts for the backup (`status.hookStatus`), when it recorded them. */
  readonly backupHooks?: BackupSummary["hooks"];
  readonly objectsInBackup: number;
  /** Fields the restore's modifiers rewrote or removed (no values: a ConfigMap's stay out of reports). */
  readonly rewritten?: readonly string[];
  /** Objects the backup's resource list names in scope that its tarball does not hold: a damaged backup. */
  readonly notInTarball: readonly string[];
  /** Why Velero's own messages are missing, when they are (a read-only location gets none). */
  readonly messagesNote?: string;
  readonly passed: boolean;
}

/**
 * Objects Velero found already there and different: with `existingResourcePolicy: none`
 * it leaves them, warns `could not restore, <Kind> "<name>" already exists. Warning: the
 * in-cluster version is different than the backed-up version` (pkg/restore/restore.go:1622
 * @v1.18.1; `<Kind>:<name>` when no policy is set, :1638) and lists them `(failed)`: kube-root-ca.crt in every new cluster, and what
 * Pulumi made there first (the default-deny policy). Not a failed restore; what they hold
 * is the comparison's to judge. Keys are `<Kind>/<namespace>/<name>`.
 */
export function existedAndDiffered(warnings: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const w of warnings) {
    const m =
      /^([^:]+): could not restore, (?:(\S+) "([^"]+)"|([^\s:]+):(\S+)) already exists\. Warning: the in-cluster version is different/.exec(
        w,
      );
    if (m) found.add(`${m[2] ?? m[4]}/${m[1]}/${m[3] ?? m[5]}`);
  }
  return found;
}

/** A Go duration in seconds (a check's timeout, validated by the stack schema). */
export function durationSeconds(d: string): number {
  const seconds = goDurationSeconds(d);
  if (seconds === undefined) throw new Error(`not a duration: ${d}`);
  return seconds;
}

/** The resource types a backup holds in `namespaces`: what to list in the cluster. */
export function resourceTypes(objects: readonly BackupObject[], namespaces: readonly string[]): ResourceType[] {
  const seen = new Map<string, ResourceType>();
  for (const o of objects) {
    if (o.namespace === undefined || !namespaces.includes(o.namespace)) continue;
    // `deployments.apps` -> `deployments`: the tarball folder is the plural and its group.
    const plural = o.resource.split(".")[0];
    seen.set(`${o.apiVersion} ${plural}`, { apiVersion: o.apiVersion, plural, kind: o.kind });
  }
  return [...seen.values()].sort((a, b) => `${a.apiVersion}/${a.plural}`.localeCompare(`${b.apiVersion}/${b.plural}`));
}

/** Runs every check; a check that cannot run fails with the reason. */
export async function runChecks(cluster: RecoveryCluster, checks: readonly RestoreCheck[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of checks) {
    const command = c.command.join(" ");
    try {
      const r: ExecResult = await cluster.exec(
        c.namespace,
        c.pods ?? {},
        c.container,
        c.command,
        durationSeconds(c.timeout),
      );
      out.push({
        namespace: c.namespace,
        command,
        passed: r.exitCode === 0,
        pod: r.pod,
        exitCode: r.exitCode,
        output: r.output,
      });
    } catch (err) {
      out.push({ namespace: c.namespace, command, passed: false, output: (err as Error).message });
    }
  }
  return out;
}

/** What verifying a restore needs. */
export interface VerifyInput {
  readonly store: BackupStore;
  readonly cluster: RecoveryCluster;
  readonly backup: BackupSummary;
  readonly namespaces: readonly string[];
  readonly restore?: string;
  readonly outcome?: RestoreOutcome;
  readonly checks: readonly RestoreCheck[];
  readonly hooks: readonly HookResult[];
  /** Fields the restore's modifiers rewrote: expected as rewritten. */
  readonly rewrites?: readonly Rewrite[];
  readonly progress?: (status: string) => void;
}

/** Verifies a restore of `backup` into the cluster. */
export async function verifyRestore(input: VerifyInput): Promise<Verification> {
  const { objects, notInTarball } = await readBackup(input);
  const types = resourceTypes(objects, input.namespaces);
  input.progress?.(`listing ${types.length} resource types in ${input.namespaces.length} namespaces`);
  const live = await input.cluster.listObjects(input.namespaces, types);
  const comparison = compareBackup(
    objects,
    live,
    input.namespaces,
    input.outcome?.volumeRestores ?? [],
    volumeCopy(input.backup),
  );
  input.progress?.("running the namespaces' verify commands");
  const checks = await runChecks(
    input.cluster,
    input.checks.filter((c) => input.namespaces.includes(c.namespace)),
  );
  const record: RestoreRecord = input.restore ? await input.store.restoreRecord(input.restore) : {};
  const { skipped, failed, existedDifferent } = restoredItems(record, input.namespaces);
  const restoreErrors = (input.outcome?.errors ?? 0) + (record.messages?.errors.length ?? 0);
  return {
    backup: input.backup.name,
    ...(input.restore ? { restore: input.restore } : {}),
    namespaces: input.namespaces,
    comparison,
    ...(input.outcome ? { restoreOutcome: outcomeSummary(input.outcome) } : {}),
    veleroMessages: record.messages ?? { warnings: [], errors: [] },
    skipped,
    failed,
    existedDifferent,
    checks,
    hooks: input.hooks,
    ...(input.backup.hooks ? { backupHooks: input.backup.hooks } : {}),
    objectsInBackup: objects.length,
    ...(input.rewrites && input.rewrites.length > 0
      ? {
          rewritten: input.rewrites.map(
            (r) => `${r.kind} ${r.namespace ?? ""}/${r.name} ${r.path} ${r.to === undefined ? "removed" : "rewritten"}`,
          ),
        }
      : {}),
    notInTarball,
    ...(input.restore && !record.messages
      ? {
          messagesNote: `Velero's messages for ${input.restore} are not in the bucket (its Velero could not write the restore's results there: a restoring role needs s3:PutObject on restores/): the Restore reports ${input.outcome?.warnings ?? "?"} warnings and ${input.outcome?.errors ?? "?"} errors; \`velero restore describe ${input.restore} --details\` in the cluster lists them`,
        }
      : {}),
    passed:
      comparison.passed &&
      checks.every((c) => c.passed) &&
      failed.length === 0 &&
      restoreErrors === 0 &&
      notInTarball.length === 0,
  };
}

/**
 * The backup's objects, as the restore's modifiers rewrote them, and what its resource
 * list names in the namespaces that its tarball does not hold.
 */
async function readBackup(input: VerifyInput): Promise<{ objects: BackupObject[]; notInTarball: string[] }> {
  input.progress?.(`reading backup ${input.backup.name} from ${input.store.location}`);
  const [stored, listed] = await Promise.all([
    input.store.backupObjects(input.backup.name),
    input.store.resourceList(input.backup.name),
  ]);
  const objects = applyRewrites(stored, input.rewrites ?? []);
  const inTarball = new Set(objects.map((o) => `${o.kind}/${o.namespace ?? ""}/${o.name}`));
  const notInTarball = listed
    .filter(
      (i) =>
        i.namespace !== undefined &&
        input.namespaces.includes(i.namespace) &&
        !inTarball.has(`${i.kind}/${i.namespace}/${i.name}`),
    )
    .map((i) => `${i.key} ${i.namespace}/${i.name}`);
  return { objects, notInTarball };
}

/** A restore's results and resource list, as far as Velero could write them. */
type RestoreRecord = { messages?: RestoreMessages; items?: readonly RestoredItem[] };

/**
 * The restore's resource list in the namespaces: what it skipped, what failed, and what
 * it left as it was because it existed already and differed.
 */
function restoredItems(
  record: RestoreRecord,
  namespaces: readonly string[],
): { skipped: string[]; failed: string[]; existedDifferent: string[] } {
  const inScope = (i: RestoredItem): boolean => i.namespace !== undefined && namespaces.includes(i.namespace);
  const skipped = (record.items ?? [])
    .filter((i) => i.result === "skipped" && inScope(i))
    .map((i) => `${i.key} ${i.namespace}/${i.name}`);
  const differed = existedAndDiffered(record.messages?.warnings ?? []);
  const leftAsItWas = (i: RestoredItem): boolean =>
    differed.has(`${i.key.split("/").pop() ?? ""}/${i.namespace ?? ""}/${i.name}`);
  const failedItems = (record.items ?? []).filter((i) => i.result === "failed" && inScope(i));
  const label = (i: RestoredItem): string => `${i.key} ${i.namespace}/${i.name}`;
  const failed = failedItems.filter((i) => !leftAsItWas(i)).map(label);
  const existedDifferent = failedItems.filter(leftAsItWas).map(label);
  return { skipped, failed, existedDifferent };
}

/** The restore's outcome for the report, without its volume restores. */
function outcomeSummary(outcome: RestoreOutcome): Omit<RestoreOutcome, "volumeRestores"> {
  return {
    phase: outcome.phase,
    warnings: outcome.warnings,
    errors: outcome.errors,
    ...(outcome.failureReason ? { failureReason: outcome.failureReason } : {}),
    ...(outcome.validationErrors ? { validationErrors: outcome.validationErrors } : {}),
  };
}
