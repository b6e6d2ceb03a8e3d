/** Velero Schedules: which namespaces a schedule's scope takes, and whether it takes backups at all. */
import type { LiveSchedule } from "./model";

/**
 * Compiles a Velero namespace pattern. Since Velero 1.18 include/exclude entries may be
 * globs: `*` (any run), `?` (one character), `[abc]` and `[a-z]` (velero
 * docs "Namespace Glob Patterns"). `**`, `|`, `(`, `)`, `{`, `}`, `,`, `!`,
 * empty or unclosed brackets are refused by Velero's validation: `undefined` here, so the
 * caller can report the schedule as one that never runs.
 */
export function compileNamespaceGlob(pattern: string): RegExp | undefined {
  if (pattern === "" || pattern.includes("**") || /[|(){},!]/.test(pattern)) return undefined;
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0 || end === i + 1) return undefined;
      const body = pattern.slice(i + 1, end);
      if (body.includes("[")) return undefined;
      // Characters and a-z ranges; everything but '-' between two characters is literal.
      re += `[${body.replace(/[\\^\]]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else if (c === "]") return undefined;
    else re += c.replace(/[.+^$\\/-]/g, (m) => `\\${m}`);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // A reversed range such as [z-a].
    return undefined;
  }
}

/** True when `pattern` has glob characters; literal entries match only themselves. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Whether one Velero namespace pattern matches a namespace name. Invalid patterns match nothing. */
export function globMatches(pattern: string, namespace: string): boolean {
  if (!isGlob(pattern)) return pattern === namespace;
  return compileNamespaceGlob(pattern)?.test(namespace) ?? false;
}

/** Why Velero would refuse a schedule's namespace scope (its backups then fail validation), if it would. */
export function scopeProblems(scope: Pick<LiveSchedule, "includedNamespaces" | "excludedNamespaces">): string[] {
  const problems: string[] = [];
  const inc = scope.includedNamespaces;
  const exc = scope.excludedNamespaces;
  if (inc.length > 1 && inc.includes("*")) problems.push("includedNamespaces mixes '*' with other entries");
  if (exc.includes("*")) problems.push("excludedNamespaces contains '*'");
  for (const p of [...inc, ...exc]) {
    if (p !== "*" && isGlob(p) && !compileNamespaceGlob(p))
      problems.push(`"${p}" is not a glob Velero accepts (*, ?, [abc], [a-z])`);
    else if (!isGlob(p) && /[|(){},!]/.test(p)) problems.push(`"${p}" uses a pattern character Velero refuses`);
  }
  for (const p of exc) if (inc.includes(p)) problems.push(`"${p}" is both included and excluded`);
  return problems;
}

/**
 * Whether a schedule's scope takes a namespace, as Velero 1.18 decides it:
 *  - an empty `includedNamespaces`, or the standalone `*`, means every namespace
 *    (Velero docs, "Resource filtering": empty = everything);
 *  - excludes always win over includes;
 *  - with the standalone `*` Velero skips glob expansion, so glob excludes then match
 *    only literally (velero design "wildcard-namespace-support", known limitations).
 */
export function scopeCovers(
  scope: Pick<LiveSchedule, "includedNamespaces" | "excludedNamespaces">,
  namespace: string,
): boolean {
  const inc = scope.includedNamespaces;
  const star = inc.includes("*");
  const excluded = scope.excludedNamespaces.some((p) => (star ? p === namespace : globMatches(p, namespace)));
  if (excluded) return false;
  return inc.length === 0 || star || inc.some((p) => globMatches(p, namespace));
}

/**
 * Why a schedule takes no backups now, or undefined when it does. A paused schedule
 * protects nothing, so it never saves a namespace from `lost`; its scope still counts
 * for `backup-covers-gitops`/`-platform`, because resuming it is one flag away.
 */
export function inactiveReason(s: LiveSchedule): string | undefined {
  if (s.paused) return "paused";
  const problems = scopeProblems(s);
  if (problems.length > 0) return `Velero refuses its scope: ${problems.join("; ")}`;
  if (s.phase === "FailedValidation") return "status FailedValidation";
  return undefined;
}
