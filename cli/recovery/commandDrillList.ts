/** `phoenix drill list`: the recorded drills, and what each left behind. */
import type { Command } from "commander";
import { EXIT } from "../shared/errors";
import { formatOf, legacyJson, outputOption } from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import { envOf, STATE_DIR, type DrillOptions } from "./commandSupport";

/** `drill list`: the recorded drills, and what each left behind. */
export async function listDrills(opts: DrillOptions, deps: Deps, command: string): Promise<number> {
  const { env } = await envOf(deps, opts.stateDir);
  const drills = (await import("./drill")).listDrills(env.state);
  if (formatOf(opts, deps.io, command) === "json") deps.io.out(JSON.stringify(drills, null, 2) + "\n");
  else if (drills.length === 0) deps.io.out(`no drills recorded in ${env.state.dir}\n`);
  else
    deps.io.out(
      drills
        .map(
          (d) =>
            `${d.record.id}  ${d.record.source} -> ${d.record.stack} (${d.record.region})  ${d.record.status} at ${d.record.phase}${d.record.keep ? ", kept" : ""}${d.leftover ? `  LEFTOVER: phoenix drill cleanup ${d.record.id}` : ""}`,
        )
        .join("\n") + "\n",
    );
  return EXIT.ok;
}

/** Registers `drill list` on `drill`. */
export function registerDrillList(drill: Command, act: Act, deps: Deps): void {
  legacyJson(
    outputOption(
      drill
        .command("list")
        .description("List the recorded drills and whether each left something behind")
        .option("--state-dir <dir>", STATE_DIR),
    ),
  )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix drill list",
        "  $ phoenix drill list -o json --state-dir drill-state",
        "",
        "LEFTOVER marks a drill that left resources: finish it with phoenix drill cleanup ID.",
      ].join("\n"),
    )
    .action(act(async (opts: DrillOptions) => listDrills(opts, deps, "drill list")));
}
