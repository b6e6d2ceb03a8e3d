/**
 * The phase runner shared by the drill and `recover`: phases run in order, each timed,
 * with live progress (listr2); the first failure or an interrupt stops the rest, and the
 * phases marked `always` (report, teardown) still run after it. Nothing here knows what a
 * phase does.
 */
import type { Io } from "../shared/io";
import { withProgress } from "../shared/progress";

/** The phases of a recovery, in order. */
export const PHASES = ["preflight", "cluster", "gitops", "restore", "verify", "report", "teardown"] as const;
export type PhaseName = (typeof PHASES)[number];

/** How a phase ended. */
export type PhaseStatus = "passed" | "failed" | "interrupted" | "skipped" | "modeled";

/** One phase in the report. */
export interface PhaseResult {
  readonly name: PhaseName;
  readonly status: PhaseStatus;
  /** Seconds since the recovery started, when the phase started (measured or modeled). */
  readonly start: number;
  readonly seconds: number;
  /** What it did, in a line. */
  readonly detail: string;
  /** For a modeled phase: where its duration comes from. */
  readonly basis?: string;
}

/** One phase to run. */
export interface Phase {
  readonly name: PhaseName;
  readonly title: string;
  /** Runs after an earlier phase failed or was interrupted. */
  readonly always?: boolean;
  /** Returns its one-line detail; `update` shows live status. */
  run(update: (status: string) => void): Promise<string>;
}

/** The interrupt that stopped a recovery. */
export class Interrupted extends Error {
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.name = "Interrupted";
  }
}

/** What running the phases gave. */
export interface PhaseRun {
  readonly results: PhaseResult[];
  readonly failure?: { readonly phase: PhaseName; readonly message: string; readonly refused?: boolean };
  readonly interrupted: boolean;
}

/**
 * Runs `phases` in order. A failure (or the signal firing) marks that phase failed (or
 * interrupted) and skips the rest, except those marked `always`, which run after it in
 * their order; a failure among those is reported too, and does not stop the next.
 * `onPhase` hears each phase before it starts (the drill records it).
 */
export async function runPhases(
  phases: readonly Phase[],
  opts: {
    readonly io: Pick<Io, "progress">;
    readonly signal?: AbortSignal;
    readonly clock?: () => number;
    readonly onPhase?: (name: PhaseName) => void;
    readonly onResult?: (r: PhaseResult) => void;
    readonly startedAt?: number;
  },
): Promise<PhaseRun> {
  const clock = opts.clock ?? (() => Date.now());
  // The recovery's own start (before it read and planned the source), so RTO counts it.
  const t0 = opts.startedAt ?? clock();
  const results: PhaseResult[] = [];
  let failure: PhaseRun["failure"];
  let interrupted = false;
  const add = (r: PhaseResult): void => {
    results.push(r);
    opts.onResult?.(r);
  };

  const step = (p: Phase) => ({
    title: p.title,
    run: async (update: (status: string) => void) => {
      const started = clock();
      opts.onPhase?.(p.name);
      try {
        // An interrupt before a phase starts stops it as surely as one during it.
        if (!p.always && opts.signal?.aborted)
          throw opts.signal.reason instanceof Error ? opts.signal.reason : new Interrupted("a signal");
        const detail = await p.run(update);
        add({
          name: p.name,
          status: "passed",
          start: (started - t0) / 1000,
          seconds: (clock() - started) / 1000,
          detail,
        });
      } catch (err) {
        const stopped = !p.always && (err instanceof Interrupted || opts.signal?.aborted === true);
        const message = err instanceof Error ? err.message : String(err);
        add({
          name: p.name,
          status: stopped ? "interrupted" : "failed",
          start: (started - t0) / 1000,
          seconds: (clock() - started) / 1000,
          detail: message,
        });
        // A refused request (a usage error: a leftover drill, a bad stack file) exits 2, not 1.
        if (!failure)
          failure = {
            phase: p.name,
            message,
            ...(err instanceof Error && err.name === "UsageError" ? { refused: true } : {}),
          };
        if (stopped) interrupted = true;
        throw err;
      }
    },
  });

  const main = phases.filter((p) => !p.always);
  try {
    await withProgress(main.map(step), opts.io);
  } catch {
    // Recorded above; the phases after it are skipped.
  }
  for (const p of main) {
    if (!results.some((r) => r.name === p.name))
      add({
        name: p.name,
        status: "skipped",
        start: (clock() - t0) / 1000,
        seconds: 0,
        detail: failure ? `skipped: ${failure.phase} did not pass` : "skipped",
      });
  }
  for (const p of phases.filter((q) => q.always)) {
    try {
      await withProgress([step(p)], opts.io);
    } catch {
      // Recorded; the next `always` phase still runs.
    }
  }
  results.sort((a, b) => PHASES.indexOf(a.name) - PHASES.indexOf(b.name));
  return { results, ...(failure ? { failure } : {}), interrupted };
}
