/**
 * How each teardown phase runs (./release.ts gives the phases and their order): a sweep
 * acts and answers what is still pending, again after each pause, until nothing is, the
 * one budget of the whole teardown runs out (`TeardownTimeoutError`, naming what is left
 * and how to delete it by hand), or the signal stops it (`TeardownAbortedError`).
 */
import { setTimeout as sleep } from "node:timers/promises";

/** The phases, in order. */
export type TeardownPhase = "applications" | "traffic" | "load-balancers" | "network-interfaces" | "security-groups";

/** What one phase did. */
export interface PhaseSummary {
  readonly phase: TeardownPhase;
  /** Objects it deleted, as `Kind namespace/name`. */
  readonly deleted: readonly string[];
  /** Everything it waited for until it was gone (deleted objects included). */
  readonly awaited: readonly string[];
  /** Why part of it had nothing to do (an API that is not served, no VPC id). */
  readonly notes: readonly string[];
  readonly seconds: number;
}

/** The teardown stopped in `phase` with `remaining` still there; the message says how to delete it by hand. */
export class TeardownIncompleteError extends Error {
  constructor(
    readonly phase: TeardownPhase,
    readonly remaining: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** The timeout ran out. */
export class TeardownTimeoutError extends TeardownIncompleteError {
  override readonly name = "TeardownTimeoutError";
}

/** The signal stopped the waiting. */
export class TeardownAbortedError extends TeardownIncompleteError {
  override readonly name = "TeardownAbortedError";
}

/** One thing to wait for, with how to remove it by hand. */
export interface Pending {
  readonly label: string;
  readonly byHand: string;
}

/** Acts, and answers what is still pending; `deleted` and `notes` gather across the sweeps of a phase. */
export type Sweep = (deleted: string[], notes: string[]) => Promise<Pending[]>;

/** The clock of one teardown under way, where it reports, and what its phases did so far. */
export interface PhaseClock {
  /** The cluster, for messages. */
  readonly where: string;
  readonly timeout: number;
  readonly pollMs: number;
  readonly started: number;
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly progress: (line: string) => void;
  readonly phases: PhaseSummary[];
}

/** Adds a note once (a phase's sweep runs again on every look). */
export function note(notes: string[], text: string): void {
  if (!notes.includes(text)) notes.push(text);
}

function aborted(run: PhaseClock, name: TeardownPhase, remaining: readonly string[]): TeardownAbortedError {
  return new TeardownAbortedError(
    name,
    remaining,
    `teardown of ${run.where} aborted in phase ${name}${remaining.length > 0 ? `; still there: ${remaining.join(", ")}` : ""}`,
  );
}

/** Runs a phase: `sweep` acts and answers what is still pending, until nothing is or the time runs out. */
export async function runPhase(run: PhaseClock, name: TeardownPhase, title: string, sweep: Sweep): Promise<void> {
  const { progress } = run;
  const phaseStart = Date.now();
  const deleted: string[] = [];
  const notes: string[] = [];
  const awaited = new Set<string>();
  progress(`${title} of ${run.where}`);
  let last = "";
  let labels: string[] = [];
  for (;;) {
    if (run.signal?.aborted) throw aborted(run, name, labels);
    const pending = await sweep(deleted, notes);
    [...deleted, ...pending.map((p) => p.label)].forEach((label) => awaited.add(label));
    if (pending.length === 0) break;
    labels = pending.map((p) => p.label);
    const now = labels.join(", ");
    if (now !== last) progress(`  waiting for ${labels.length}: ${now}`);
    last = now;
    if (Date.now() + run.pollMs > run.deadline) {
      throw new TeardownTimeoutError(
        name,
        labels,
        `teardown of ${run.where}: still there after ${Math.round((Date.now() - run.started) / 1000)}s (timeout ${run.timeout}s), in phase "${title}": ${labels.join(", ")}. ` +
          `Delete by hand, then run the destroy again: ${pending.map((p) => p.byHand).join("; ")}`,
      );
    }
    try {
      await sleep(run.pollMs, undefined, { signal: run.signal });
    } catch (err) {
      if (run.signal?.aborted) throw aborted(run, name, labels);
      throw err;
    }
  }
  notes.forEach((n) => progress(`  ${n}`));
  const seconds = (Date.now() - phaseStart) / 1000;
  progress(`  done in ${seconds.toFixed(1)}s: deleted ${deleted.length}, awaited ${awaited.size}`);
  run.phases.push({ phase: name, deleted, awaited: [...awaited], notes, seconds });
}
