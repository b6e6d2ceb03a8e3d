/**
 * `phoenix recover`: rebuild a stack for real after a disaster, in place or as a replica
 * in another region, after confirmation by typing the stack's name.
 */
import type { Command } from "commander";
import { canAsk, confirmByTyping } from "../shared/confirm";
import { EXIT, UsageError } from "../shared/errors";
import { legacyJsonFlag, outputFlag } from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import { envOf, printReport, withSignals } from "./commandSupport";

interface RecoverOptions {
  stack: string;
  region?: string;
  as?: string;
  backup?: string;
  report?: string;
  yes?: boolean;
  json?: boolean;
  output?: string;
  acceptUnportable?: boolean;
}

/** Asks for the stack's name unless --yes; answers whether to go on. */
async function confirmed(opts: RecoverOptions, deps: Deps): Promise<boolean> {
  const where = opts.region ? `as ${opts.as ?? `${opts.stack}-${opts.region}`} in ${opts.region}` : "in place";
  if (opts.yes) return true;
  if (!canAsk(deps.io)) throw new UsageError(`recover ${opts.stack} ${where}: no terminal to confirm on: pass --yes`);
  return confirmByTyping(
    deps.io,
    `Recover ${opts.stack} ${where}: this deploys real infrastructure and restores into it. Type the stack name (${opts.stack}) to go on:`,
    opts.stack,
  );
}

/** `recover`: confirmed, then rebuilt, restored, verified and reported. */
async function runRecover(opts: RecoverOptions, deps: Deps): Promise<number> {
  if (opts.as !== undefined && opts.region === undefined)
    throw new UsageError("--as names the replica stack of --region: give --region too");
  if (!(await confirmed(opts, deps))) {
    deps.io.err("Not confirmed: nothing was changed.\n");
    return EXIT.failed;
  }
  const { env, interrupts } = await envOf(deps);
  const { recover } = await import("./recover");
  const report = await withSignals(interrupts, deps, "phoenix recover again (it goes on from what exists)", () =>
    recover(env, {
      stack: opts.stack,
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.as ? { as: opts.as } : {}),
      ...(opts.backup ? { backup: opts.backup } : {}),
      ...(opts.report ? { reportDir: opts.report } : {}),
      acceptUnportable: opts.acceptUnportable === true,
    }),
  );
  return printReport(report, opts, deps, "recover");
}

/** Registers `phoenix recover`. */
export function registerRecover(program: Command, act: Act, deps: Deps): void {
  program
    .command("recover")
    .description(
      "Recover for real after a disaster: rebuild a stack in place (or as a replica in another region), restore its imperative namespaces, verify, report; keeps everything",
    )
    .requiredOption("-s, --stack <name>", "the platform stack to recover")
    .option("--region <region>", "rebuild in another region, as a replica stack (default: in place)")
    .option("--as <name>", "the replica stack's name with --region (default <stack>-<region>)")
    .option("--backup <name>", "the Velero backup to restore (default: the latest Completed one)")
    .option("--report <dir>", "where the report goes (default .phoenix/reports/<id>)")
    .option(
      "--accept-unportable",
      "restore even when the backup holds references that break in the target region (`phoenix backup check` lists them)",
    )
    .option("--yes", "do not ask for confirmation")
    .addOption(outputFlag(["table", "json"]))
    .addOption(legacyJsonFlag())
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix recover --stack prod --yes                              # in place",
        "  $ phoenix recover --stack prod --region us-east-1 --as prod-use1  # prod's region is gone",
        "",
        "Runs preflight, cluster, gitops, restore, verify and report, as the drill does, and never tears down. docs/runbooks/region-loss.md says when to use which.",
        "Exit status: 0 recovered and verified; 1 a phase failed or a target was missed; 2 usage error.",
      ].join("\n"),
    )
    .action(act(async (opts: RecoverOptions) => runRecover(opts, deps)));
}
