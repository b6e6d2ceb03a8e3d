/** `phoenix drift`: a replica's offline plan against its source's, every difference explained by a replicate rule, accepted, or drift. */
import type { Command } from "commander";
import { formatOf, outputFlag } from "../shared/grammar";
import { EXIT, UsageError } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";

interface DriftOptions {
  from?: string;
  to?: string;
  all?: boolean;
  accept: string[];
  output?: string;
  explained?: boolean;
}

/** Collects a repeated option. */
function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** The pairs asked for; refuses what cannot be compared, naming the fix. */
function checkOptions(opts: DriftOptions): void {
  if (opts.all) {
    if (opts.from !== undefined || opts.to !== undefined)
      throw new UsageError("--all compares every replica with its source: drop --from and --to, or drop --all");
    return;
  }
  if (opts.from === undefined || opts.to === undefined)
    throw new UsageError(
      "give --from <source> and --to <replica> (such as --from prod --to euc1), or --all for every replica",
    );
  if (opts.from === opts.to)
    throw new UsageError(`--from and --to are both ${opts.from}: name the source and one of its replicas`);
}

/** Registers `phoenix drift`. */
export function registerDrift(program: Command, act: Act, deps: Deps): void {
  program
    .command("drift")
    .description(
      "Compare a replica's offline plan with its source's: every difference `phoenix replicate` derives (region, names, VPC block, restore source, gitops path, pilot-light standby) is explained by its rule; anything else is drift",
    )
    .option("--from <stack>", "the source platform stack, such as prod")
    .option("--to <stack>", "the replica platform stack, such as euc1")
    .option(
      "--all",
      "every replica (a stack whose phoenix:backups.restoreFrom names another stack here) against its source",
    )
    .option(
      "--accept <key>",
      "a difference that is meant: its KEY, or a prefix ending at '/' or '.' (repeatable; one that names no drift is refused)",
      collect,
      [],
    )
    .option("--explained", "list in the table every difference a rule explains too, not only drift and accepted ones")
    .addOption(outputFlag(["table", "json"]))
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix drift --from prod --to euc1",
        "  $ phoenix drift --from prod --to euc1 --accept helm/velero/version --accept schedule/hourly/",
        "  $ phoenix drift --all -o json",
        "",
        "Both plans are the offline ones `phoenix plan` builds: drift made by hand in AWS is not seen (`phoenix audit`, `pulumi refresh`).",
        "docs/operations/drift.md lists each rule and what replicate derives.",
        "Exit status: 0 no unexplained drift; 1 drift; 2 usage or input error (unknown stack, --from equal to --to, an --accept naming no drift).",
      ].join("\n"),
    )
    .action(
      act(async (opts: DriftOptions) => {
        checkOptions(opts);
        const format = formatOf(opts, deps.io, "drift");
        const root = deps.root();
        const { checkStack, driftReports, findReplicas } = await import("./load");
        const { allJson, renderAll, renderTable, reportJson } = await import("./render");
        if (!opts.all) {
          checkStack(root, "--from", opts.from ?? "");
          checkStack(root, "--to", opts.to ?? "");
        }
        const pairs = opts.all ? findReplicas(root) : [{ from: opts.from ?? "", to: opts.to ?? "" }];
        const reports = await driftReports(root, pairs, opts.accept);
        if (format === "json") {
          const doc = opts.all ? allJson(reports) : reportJson(reports[0]);
          deps.io.out(JSON.stringify(doc, null, 2) + "\n");
        } else {
          deps.io.out(opts.all ? renderAll(reports, opts.explained) : renderTable(reports[0], opts.explained));
        }
        return reports.some((r) => r.drift > 0) ? EXIT.failed : EXIT.ok;
      }),
    );
}
