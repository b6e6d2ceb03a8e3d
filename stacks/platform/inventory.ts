/**
 * The namespace inventory: the heart of Phoenix's backup scope. Every namespace the
 * platform knows gets exactly one class:
 *
 *  - `platform`:   created by EKS or by Pulumi for a plugin; recreated by code.
 *  - `gitops`:     destination of an Argo CD Application Phoenix declares; recreated from Git.
 *  - `imperative`: state that lives only in the cluster; the ONLY class Velero backs up.
 *
 * Pure functions: the composition calls them before declaring any resource, so an
 * inconsistent inventory fails the run before anything is planned.
 */
import type { BackupScope, NamespaceHooks } from "../../components/types";

/** The three namespace classes. */
export type NamespaceClass = "platform" | "gitops" | "imperative";

/** A claim that a namespace belongs to a class, and who makes it. */
export interface NamespaceClaim {
  /** Namespace name. */
  readonly name: string;
  /** Who makes the claim, for messages and the plan (e.g. `plugin:velero`, `application:shop`). */
  readonly source: string;
  /** The stack-file key behind the claim, when there is one (for error messages). */
  readonly key?: string;
}

/** What the inventory is built from. */
export interface InventoryInput {
  /** Namespaces EKS creates itself and plugin namespaces Pulumi creates. */
  readonly platform: readonly NamespaceClaim[];
  /** Destinations of the Argo CD Applications Phoenix declares. */
  readonly gitops: readonly NamespaceClaim[];
  /** The stack's imperative namespaces. */
  readonly imperative: readonly NamespaceClaim[];
}

/** One classified namespace. */
export interface NamespaceEntry {
  readonly name: string;
  readonly class: NamespaceClass;
  /** Every claim behind the class, sorted. */
  readonly sources: readonly string[];
}

/** The classified inventory, sorted by name. */
export interface Inventory {
  readonly namespaces: readonly NamespaceEntry[];
}

/** Namespaces every EKS cluster has before Phoenix does anything: platform by nature. */
export const CLUSTER_NAMESPACES: readonly string[] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/** An inventory that classifies some namespace more than once, or not consistently. */
export class InventoryError extends Error {
  constructor(
    readonly stackFile: string,
    readonly conflicts: readonly string[],
  ) {
    super(
      `${stackFile}: the namespace inventory is inconsistent (${conflicts.length} problem${conflicts.length === 1 ? "" : "s"}):\n` +
        conflicts.map((c) => `  - ${c}`).join("\n") +
        "\nEvery namespace must have exactly one class: platform (created by EKS or a plugin), gitops " +
        "(destination of a declared Application) or imperative (listed in phoenix:namespaces.imperative).",
    );
    this.name = "InventoryError";
  }
}

function describe(claim: NamespaceClaim): string {
  return claim.key ? `${claim.source} (${claim.key})` : claim.source;
}

/**
 * Classifies every namespace exactly once. Several claims of the same class merge (two
 * Applications may deploy into one namespace); a namespace listed twice as imperative,
 * or claimed by two classes, is an error that names every claim and the fix.
 */
export function classifyNamespaces(input: InventoryInput, stackFile: string): Inventory {
  const claims = new Map<string, Map<NamespaceClass, NamespaceClaim[]>>();
  const add = (cls: NamespaceClass, claim: NamespaceClaim): void => {
    const byClass = claims.get(claim.name) ?? new Map<NamespaceClass, NamespaceClaim[]>();
    byClass.set(cls, [...(byClass.get(cls) ?? []), claim]);
    claims.set(claim.name, byClass);
  };
  for (const c of input.platform) add("platform", c);
  for (const c of input.gitops) add("gitops", c);
  for (const c of input.imperative) add("imperative", c);

  const conflicts: string[] = [];
  const namespaces: NamespaceEntry[] = [];
  for (const name of [...claims.keys()].sort()) {
    const byClass = claims.get(name)!;
    const classes = [...byClass.keys()];
    const imperative = byClass.get("imperative") ?? [];
    if (imperative.length > 1) {
      conflicts.push(
        `namespace "${name}" is listed ${imperative.length} times as imperative: ${imperative.map(describe).join(", ")}. Fix: keep one entry.`,
      );
    }
    if (classes.length > 1) {
      const who = classes.map((cls) => `${cls} by ${byClass.get(cls)!.map(describe).join(" and ")}`).join("; ");
      const fix =
        byClass.has("imperative") && byClass.has("gitops")
          ? "A GitOps namespace is recreated from Git and must never be backed up: remove it from phoenix:namespaces.imperative, or point the Application elsewhere."
          : byClass.has("platform")
            ? "Platform namespaces belong to EKS or a plugin: choose another name for the workload namespace."
            : "Keep exactly one claim.";
      conflicts.push(`namespace "${name}" is classified twice (${who}). Fix: ${fix}`);
    }
    const cls = classes[0];
    namespaces.push({
      name,
      class: cls,
      sources: [...new Set(classes.flatMap((c) => byClass.get(c)!.map((x) => x.source)))].sort(),
    });
  }
  if (conflicts.length > 0) throw new InventoryError(stackFile, conflicts);
  return { namespaces };
}

/** Names of the namespaces of one class, sorted. */
export function namespacesOf(inventory: Inventory, cls: NamespaceClass): string[] {
  return inventory.namespaces.filter((n) => n.class === cls).map((n) => n.name);
}

/** Backup settings as the stack sets them. */
export interface BackupSettings {
  readonly enabled: boolean;
  readonly schedules: BackupScope["schedules"];
}

/** Derives the backup scope from the inventory, with the imperative namespaces' backup hooks. */
export function backupScopeWithHooks(
  inventory: Inventory,
  settings: BackupSettings,
  hooks: readonly NamespaceHooks[],
): BackupScope {
  const imperative = new Set(namespacesOf(inventory, "imperative"));
  const scoped = hooks.filter((h) => imperative.has(h.namespace)).sort((a, b) => (a.namespace < b.namespace ? -1 : 1));
  return { ...backupScope(inventory, settings), ...(scoped.length > 0 ? { hooks: scoped } : {}) };
}

/** Derives the backup scope from the inventory. */
export function backupScope(inventory: Inventory, settings: BackupSettings): BackupScope {
  return {
    enabled: settings.enabled,
    schedules: settings.schedules,
    includedNamespaces: namespacesOf(inventory, "imperative"),
    excludedNamespaces: inventory.namespaces.filter((n) => n.class !== "imperative").map((n) => n.name),
  };
}

/** Whether a namespace ends up in a scheduled backup. */
export function isBackedUp(entry: NamespaceEntry, scope: BackupScope): boolean {
  return (
    scope.enabled &&
    scope.schedules.length > 0 &&
    entry.class === "imperative" &&
    scope.includedNamespaces.includes(entry.name)
  );
}
