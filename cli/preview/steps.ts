/**
 * The engine's preview digest as Phoenix reads it (`pulumi preview --json`: `steps[]`
 * with `op`, `urn`, `oldState`, `newState`, `replaceReasons`, `detailedDiff`, plus
 * `changeSummary` and `diagnostics`; pulumi/pulumi pkg/display/json.go), and the steps
 * folded to one per resource.
 */

/** The engine's resource state, as far as the summary reads it. */
export interface ResourceState {
  readonly type?: string;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly inputs?: Record<string, unknown>;
}

/** One step of a preview digest. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: ResourceState;
  readonly newState?: ResourceState;
  readonly replaceReasons?: readonly string[];
  readonly diffReasons?: readonly string[];
  readonly detailedDiff?: Readonly<Record<string, { readonly kind: string }>> | null;
}

/** A `pulumi preview --json` digest. */
export interface PreviewDigest {
  readonly steps?: readonly PreviewStep[];
  readonly changeSummary?: Readonly<Record<string, number>>;
  readonly diagnostics?: readonly { readonly severity?: string; readonly message?: string; readonly urn?: string }[];
}

/** Ops that are one half, or the whole, of a replacement (pkg/resource/deploy/step.go, IsReplacementStep). */
export const REPLACE_OPS = new Set([
  "replace",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "discard-replaced",
  "remove-pending-replace",
  "import-replacement",
]);

/** A step that could lose a cluster or its backups. */
export interface Danger {
  readonly stack: string;
  readonly resource: string;
  readonly type: string;
  readonly operation: "replace" | "delete" | "update";
  /** Why it is dangerous. */
  readonly why: string;
  /** Properties forcing the replacement (replaceReasons, or the `-replace` kinds of detailedDiff). */
  readonly forcedBy: readonly string[];
  /** What protect / retainOnDelete make of it. */
  readonly outcome: string;
}

/** The parts of a URN: `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
  const parts = urn.split("::");
  const stack = (parts[0] ?? "").replace(/^urn:pulumi:/, "");
  const types = (parts[2] ?? "").split("$");
  return { stack, project: parts[1] ?? "", type: types[types.length - 1] ?? "", name: parts.slice(3).join("::") };
}

/** One logical step per resource: the two halves of a replacement become one `replace`. */
export function logicalSteps(steps: readonly PreviewStep[]): PreviewStep[] {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const s of steps) byUrn.set(s.urn, [...(byUrn.get(s.urn) ?? []), s]);
  return [...byUrn.values()].map((group) => {
    if (group.length === 1)
      return REPLACE_OPS.has(group[0].op) && group[0].op !== "replace" ? { ...group[0], op: "replace" } : group[0];
    const merged = group.reduce<PreviewStep>(
      (m, s) => ({
        ...m,
        oldState: m.oldState ?? s.oldState,
        newState: m.newState ?? s.newState,
        replaceReasons: [...new Set([...(m.replaceReasons ?? []), ...(s.replaceReasons ?? [])])],
        detailedDiff: m.detailedDiff ?? s.detailedDiff,
      }),
      { ...group[0] },
    );
    return group.some((s) => REPLACE_OPS.has(s.op)) ? { ...merged, op: "replace" } : merged;
  });
}
