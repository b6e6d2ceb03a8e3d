/** `phoenix drill cleanup ID`: tears down what a killed or kept drill left. */
import type { Command } from "commander";
import { EXIT } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";
import { envOf, STATE_DIR, withSignals, type DrillOptions } from "./commandSupport";

/** `drill cleanup ID`: tears down what a killed or kept drill left. */
export async function cleanupDrill(id: string, opts: DrillOptions, deps: Deps): Promise<number> {
  const { env, interrupts } = await envOf(deps, opts.stateDir);
  const recovery = await import("./drill");
  const done = await withSignals(interrupts, deps, `phoenix drill cleanup ${id}`, () =>
    recovery.cleanupDrill(env, id, (s) => deps.io.err(`  ${s}\n`)),
  );
  deps.io.out(`drill ${id} cleaned up: ${done}\n`);
  return EXIT.ok;
}

/** Registers `drill cleanup` on `drill`. */
export function registerDrillCleanup(drill: Command, act: Act, deps: Deps): void {
  drill
    .command("cleanup")
    .description("Tear down what a killed or kept drill left (its id from `phoenix drill list`)")
    .argument("<id>", "the drill's id, such as drill-mk2x8q1a")
    .option("--state-dir <dir>", STATE_DIR)
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix drill cleanup drill-mk2x8q1a",
        "",
        "Exit status: 0 torn down; 1 something could not be deleted; 2 no such drill.",
      ].join("\n"),
    )
    .action(act(async (id: string, opts: DrillOptions) => cleanupDrill(id, opts, deps)));
}
