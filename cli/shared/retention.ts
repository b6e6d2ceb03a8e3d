/**
 * How long each namespace's backups are kept: the longest ttl of the schedules that
 * cover it. A change shortens a namespace's retention whatever moves it (a schedule's
 * ttl, the namespace moved to a shorter schedule, a schedule renamed and shortened).
 */
import { goDurationSeconds } from "../stacks/names";

/** A schedule as far as retention goes. */
export interface Retaining {
  readonly namespaces: readonly string[];
  readonly ttl?: string;
}

/** Each namespace's longest ttl, as written and in seconds. */
function longest(schedules: readonly Retaining[]): Map<string, { text: string; seconds: number }> {
  const out = new Map<string, { text: string; seconds: number }>();
  for (const s of schedules) {
    const seconds = s.ttl ? goDurationSeconds(s.ttl) : undefined;
    if (s.ttl === undefined || seconds === undefined) continue;
    for (const ns of s.namespaces) if ((out.get(ns)?.seconds ?? -1) < seconds) out.set(ns, { text: s.ttl, seconds });
  }
  return out;
}

/** The namespaces still backed up after the change whose longest ttl shrinks, with both values. */
export function shorterRetention(
  before: readonly Retaining[],
  after: readonly Retaining[],
): { namespace: string; before: string; after: string }[] {
  const [a, b] = [longest(before), longest(after)];
  return [...a]
    .flatMap(([ns, was]) => {
      const is = b.get(ns);
      return is !== undefined && is.seconds < was.seconds ? [{ namespace: ns, before: was.text, after: is.text }] : [];
    })
    .sort((x, y) => x.namespace.localeCompare(y.namespace));
}
