/**
 * What the recovery commands share: the drill verbs' options, Ctrl-C and SIGTERM turned
 * into an interrupt, the recovery environment, and a report printed with its exit status.
 */
import * as path from "node:path";
import { EXIT } from "../shared/errors";
import { formatOf } from "../shared/grammar";
import type { Deps } from "../shared/deps";
import type { Interrupts } from "./env";
import type { RecoveryReport } from "./report";
import type { RecoveryEnv } from "./types";

export interface DrillOptions {
  from?: string;
  standby?: string;
  maxCost?: string;
  output?: string;
  region?: string;
  backup?: string;
  keep?: boolean;
  report?: string;
  rehearse?: boolean;
  cleanup?: string;
  list?: boolean;
  stateDir?: string;
  json?: boolean;
  acceptUnportable?: boolean;
}

export const STATE_DIR = "where drill records live (default .phoenix/drills)";

/** Runs `fn` with Ctrl-C and SIGTERM turned into an interrupt of the recovery. */
export async function withSignals<T>(
  interrupts: Interrupts,
  deps: Deps,
  hint: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { interrupt } = await import("./drill");
  let seen = 0;
  const handler = (signal: NodeJS.Signals): void => {
    seen++;
    if (seen === 1) {
      deps.io.err(`\n${signal}: stopping the running phase, then tearing down (again to leave it: ${hint})\n`);
      interrupt(interrupts, signal);
    } else {
      deps.io.err(`\n${signal} again: leaving now; finish with ${hint}\n`);
      process.exit(130);
    }
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  try {
    return await fn();
  } finally {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  }
}

function summary(r: RecoveryReport, dir: string): string {
  const objective = (name: string, o: RecoveryReport["rto"]): string =>
    `${name} ${o.seconds === undefined ? "not measured" : `${Math.round(o.seconds / 60)} min${o.modeled ? " (modeled)" : ""}`} / target ${o.targetMinutes} min${o.met === undefined ? "" : o.met ? " (met)" : " (MISSED)"}`;
  return [
    `${r.kind} ${r.id}: ${r.outcome.toUpperCase()}${r.failure ? ` (${r.failure.phase}: ${r.failure.message})` : ""}`,
    `  ${objective("RTO", r.rto)}; ${objective("RPO", r.rpo)}`,
    ...r.phases.map(
      (p) =>
        `  ${p.name.padEnd(10)} ${p.status.padEnd(11)} ${String(Math.round(p.seconds)).padStart(5)} s  ${p.detail.split("\n")[0]}`,
    ),
    `  report: ${path.join(dir, "report.html")} (also report.md, report.json)`,
  ].join("\n");
}

/** Prints a drill's or recovery's result (a refusal on stderr too) and gives its exit status. */
export function printReport(
  report: RecoveryReport,
  opts: { readonly json?: boolean; readonly output?: string; readonly report?: string },
  deps: Deps,
  command: string,
): number {
  if (report.failure?.refused) deps.io.err(`${report.failure.message}\n`);
  const json = formatOf(opts, deps.io, command) === "json";
  deps.io.out(
    json
      ? JSON.stringify(report, null, 2) + "\n"
      : summary(report, path.resolve(opts.report ?? path.join(deps.root(), ".phoenix", "reports", report.id))) + "\n",
  );
  return report.outcome === "passed" ? EXIT.ok : report.failure?.refused ? EXIT.usage : EXIT.failed;
}

/** The recovery environment, with drill records in `stateDir` when given. */
export async function envOf(deps: Deps, stateDir?: string): Promise<{ env: RecoveryEnv; interrupts: Interrupts }> {
  const { recoveryEnv } = await import("./env");
  return recoveryEnv(deps.root(), deps.engine, deps.io, deps.recovery, stateDir ? path.resolve(stateDir) : undefined);
}
