/** Reading the offline plan's dependency edges. */
import assert from "node:assert/strict";
import type { PlanDocument } from "../../../cli/plan/plan";

/** Everything a resource waits for on create (and outlives on delete), directly or through what it waits for. */
export function waitsFor(doc: PlanDocument, key: string): Set<string> {
  const byKey = new Map(doc.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const seen = new Set<string>();
  const stack = [...(byKey.get(key)?.dependencies ?? assert.fail(`no ${key}`))];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    stack.push(...(byKey.get(k)?.dependencies ?? []));
  }
  return seen;
}
