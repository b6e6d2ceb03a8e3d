/**
 * `phoenix drill` and its verbs (`run`, `list`, `cleanup`), and the old spellings on
 * `drill` itself (`drill --from`, `drill --list`, `drill --cleanup`).
 */
import { Option, type Command } from "commander";
import { UsageError } from "../shared/errors";
import { deprecated, optionsAfterVerb } from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import type { DrillOptions } from "./commandSupport";
import { registerDrillRun, runDrill } from "./commandDrillRun";
import { listDrills, registerDrillList } from "./commandDrillList";
import { cleanupDrill, registerDrillCleanup } from "./commandDrillCleanup";

/** `phoenix drill` and its verbs. */
export function registerDrill(program: Command, act: Act, deps: Deps): void {
  const drill = program
    .command("drill")
    .description(
      "Prove a recovery: run a drill in an ephemeral stack in another region, list the drills, clean up what one left",
    )
    // Each verb parses its own options (--from belongs to run, not to drill).
    .enablePositionalOptions()
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix drill run --from prod --rehearse",
        "  $ phoenix drill list",
        "  $ phoenix drill cleanup drill-mk2x8q1a",
      ].join("\n"),
    );
  optionsAfterVerb(drill);
  registerDrillRun(drill, act, deps);
  registerDrillList(drill, act, deps);
  registerDrillCleanup(drill, act, deps);
  registerOldSpellings(drill, act, deps);
}

/** The old spellings, on `drill` itself: hidden from help, announced when used. */
function registerOldSpellings(drill: Command, act: Act, deps: Deps): void {
  const old = [
    "--from <stack>",
    "--region <region>",
    "--backup <name>",
    "--keep",
    "--report <dir>",
    "--rehearse",
    "--accept-unportable",
    "--cleanup <id>",
    "--list",
    "--state-dir <dir>",
    "--json",
    "-o, --output <format>",
  ];
  for (const flags of old) drill.addOption(new Option(flags).hideHelp());
  drill.action(
    act(async (opts: DrillOptions) => {
      const modes = [opts.cleanup !== undefined, opts.list === true, opts.from !== undefined].filter(Boolean).length;
      if (modes !== 1)
        throw new UsageError(
          "give a verb: phoenix drill run --from <stack>, phoenix drill list or phoenix drill cleanup <id>",
        );
      if (opts.list) {
        deprecated(deps.io, "drill --list", "drill list");
        return listDrills(opts, deps, "drill list");
      }
      if (opts.cleanup !== undefined) {
        deprecated(deps.io, "drill --cleanup ID", "drill cleanup ID");
        return cleanupDrill(opts.cleanup, opts, deps);
      }
      deprecated(deps.io, "drill --from STACK", "drill run --from STACK");
      return runDrill({ ...opts, from: opts.from }, deps, "drill run");
    }),
  );
}
