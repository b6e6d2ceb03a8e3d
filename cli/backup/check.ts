/**
 * `phoenix backup check`: reads one backup's objects from its bucket and checks them
 * against the region a restore would land in (./portability.ts). The drill and `recover`
 * run the same check in preflight.
 */
import type { PlanResource } from "../plan/plan";
import { UsageError } from "../shared/errors";
import type { BackupStore } from "../recovery/adapters";
import { checkPortability, type PortabilityCheck, type PortabilityTarget } from "./portability";

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

/** The storage classes a planned cluster will have, and its default: what Pulumi makes in it. */
export function plannedStorageClasses(
  resources: readonly PlanResource[],
): Pick<PortabilityTarget, "storageClasses" | "defaultStorageClass"> {
  const classes = resources
    .filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")
    .map((r) => r.inputs.metadata as { name?: unknown; annotations?: Record<string, unknown> } | undefined)
    .filter((m): m is { name: string; annotations?: Record<string, unknown> } => typeof m?.name === "string");
  const fallback = classes.find((m) => m.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  return { storageClasses: classes.map((m) => m.name), ...(fallback ? { defaultStorageClass: fallback.name } : {}) };
}

/** One backup's check, with where it was read. */
export type BackupCheck = PortabilityCheck & { readonly backup: string; readonly location: string };

/** Reads `backup` from `store` and checks what a restore of `namespaces` would bring into `target`. */
export async function checkBackup(
  store: BackupStore,
  backup: string,
  namespaces: readonly string[] | undefined,
  target: PortabilityTarget,
): Promise<BackupCheck> {
  const known = (await store.listBackups()).map((b) => b.name);
  if (!known.includes(backup)) {
    throw new UsageError(
      `--backup ${backup}: no such backup in ${store.location}${known.length ? `; the newest there: ${known.sort().slice(-5).reverse().join(", ")}` : " (it holds none)"}`,
    );
  }
  const objects = await store.backupObjects(backup);
  const scope = namespaces ?? [...new Set(objects.flatMap((o) => (o.namespace ? [o.namespace] : [])))];
  return { backup, location: store.location, ...checkPortability(objects, scope, target) };
}

/**
 * What a drill or `recover` does with its preflight check: a reference that nothing
 * resolves stops the restore (the list is in the report) unless the person accepted it.
 */
export function refuseUnportable(check: BackupCheck, accept: boolean): void {
  if (check.unresolved.length === 0 || accept) return;
  const list = check.unresolved.map((r) => `${r.kind} ${r.namespace ?? ""}/${r.name} ${r.path} (${r.why})`).join("; ");
  throw new Error(
    `backup ${check.backup} holds ${check.unresolved.length} reference(s) that would break in ${check.targetRegion}: ${list}. Resolve them (\`phoenix backup check\` lists them) or pass --accept-unportable to restore them as they are`,
  );
}

/** One line for a phase's detail. */
export function portabilitySummary(c: PortabilityCheck): string {
  const unresolved = c.unresolved.length > 0 ? `, ${c.unresolved.length} left as they are (--accept-unportable)` : "";
  return `portable into ${c.targetRegion}: ${c.references.length} region- or cluster-bound reference(s), ${c.rewrites.length} field(s) rewritten${unresolved}`;
}

/** The check as a table, one row per reference, then what was not checked. */
export function renderCheck(c: BackupCheck): string[] {
  const lines = [
    `Backup ${c.backup} (${c.location}): ${c.objects} objects checked for a restore from ${c.sourceRegion} into ${c.targetRegion}.`,
  ];
  if (c.references.length === 0) lines.push("No region- or cluster-bound reference found.");
  else {
    lines.push("", "| object | field | found | action | why |", "|---|---|---|---|---|");
    for (const r of c.references) {
      const action =
        r.action === "rewrite" ? `rewrite to \`${r.to ?? ""}\`` : r.action === "remove" ? "remove" : "**STOP**";
      lines.push(
        `| ${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name} | \`${r.path}\` | \`${r.found}\` | ${action} | ${r.why.replace(/\|/g, "\\|")} |`,
      );
    }
  }
  lines.push("", ...c.notes.map((n) => `Note: ${n}`));
  lines.push(
    "",
    c.unresolved.length === 0
      ? `Portable: ${c.rewrites.length} field(s) rewritten by the restore's generated resource modifiers.`
      : `NOT PORTABLE: ${c.unresolved.length} reference(s) nothing resolves; a drill or recover refuses this restore unless --accept-unportable.`,
  );
  return lines;
}
