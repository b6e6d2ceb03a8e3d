/** `phoenix drill run`: one drill, or its rehearsal. */
import type { Command } from "commander";
import { legacyJson, outputOption } from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import { UsageError } from "../shared/errors";
import { envOf, printReport, STATE_DIR, withSignals, type DrillOptions } from "./commandSupport";

/** `drill run`: one drill, or its rehearsal. */
export async function runDrill(opts: DrillOptions, deps: Deps, command: string): Promise<number> {
  if ((opts.from === undefined) === (opts.standby === undefined))
    throw new UsageError(
      "give one of --from <stack> (a drill in an ephemeral stack) and --standby <stack> (a drill on a pilot-light standby)",
    );
  if (opts.standby !== undefined && opts.region !== undefined)
    throw new UsageError("--standby drills the standby where it is: drop --region");
  const { env, interrupts } = await envOf(deps, opts.stateDir);
  const recovery = await import("./drill");
  const req = {
    from: opts.from ?? opts.standby ?? "",
    ...(opts.standby !== undefined ? { standby: opts.standby } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.backup ? { backup: opts.backup } : {}),
    keep: opts.keep === true,
    ...(opts.report ? { reportDir: opts.report } : {}),
    rehearse: opts.rehearse === true,
    acceptUnportable: opts.acceptUnportable === true,
    ...(opts.maxCost !== undefined ? { maxCostUsd: maxCost(opts.maxCost) } : {}),
  };
  const report = await withSignals(interrupts, deps, "phoenix drill list, then phoenix drill cleanup ID", () =>
    recovery.drill(env, req),
  );
  return printReport(report, opts, deps, command);
}

/** `--max-cost USD`: a positive number of US dollars. */
function maxCost(v: string): number {
  const usd = Number(v.replace(/^\$/, ""));
  if (!Number.isFinite(usd) || usd <= 0)
    throw new UsageError(`--max-cost ${v}: must be a positive number of US dollars, such as 25`);
  return usd;
}

/** Registers `drill run` on `drill`. */
export function registerDrillRun(drill: Command, act: Act, deps: Deps): void {
  const run = drill
    .command("run")
    .description(
      "Recreate the platform in an ephemeral stack in another region, restore the imperative namespaces from the DR replica, verify, report, tear down",
    )
    .option("--from <stack>", "the platform stack to drill in an ephemeral stack, such as prod; this or --standby")
    .option(
      "--standby <stack>",
      "drill a pilot-light standby where it is: scale it, restore from its primary's replica, verify, put it back as it was",
    )
    .option("--region <region>", "the region to recover into (default: the region of the source's backup replica)")
    .option(
      "--backup <name>",
      "the Velero backup to restore (default: the latest Completed one holding every imperative namespace)",
    )
    .option("--keep", "keep the ephemeral stack (tear it down later with `phoenix drill cleanup ID`)")
    .option("--report <dir>", "where report.json, report.md and report.html go (default .phoenix/reports/<id>)")
    .option(
      "--rehearse",
      "run only what needs no AWS: derive and plan the ephemeral stack offline and model every other phase",
    )
    .option(
      "--accept-unportable",
      "restore even when the backup holds references that break in the target region (`phoenix backup check` lists them)",
    )
    .option(
      "--max-cost <usd>",
      "refuse a drill whose modeled cost (cli/cost/prices.ts; --rehearse shows it) is above this many US dollars",
    )
    .option("--state-dir <dir>", STATE_DIR);
  legacyJson(outputOption(run))
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix drill run --from prod --region us-east-1 --rehearse          # offline: plan + modeled RTO/RPO",
        "  $ phoenix drill run --from prod --region us-east-1 --report drill-report",
        "  $ phoenix drill run --from prod --max-cost 10                          # refused if modeled above $10",
        "  $ phoenix drill run --standby use1 --rehearse                           # a pilot light's drill, modeled",
        "",
        "Phases: preflight, cluster, gitops, restore, verify, report, teardown. Teardown runs on success, on failure and on Ctrl-C/SIGTERM unless --keep.",
        "RTO and RPO targets come from phoenix:recovery.rtoMinutes and rpoMinutes in the source's stack file; a drill over either fails.",
        "Exit status: 0 passed; 1 failed, over a target, or interrupted; 2 usage error or a refused request (a leftover drill, a bad stack file).",
      ].join("\n"),
    )
    .action(act(async (opts: DrillOptions) => runDrill(opts, deps, "drill run")));
}
