/**
 * `phoenix stack list [-o table|json]`: every stack of both projects, its folder, region
 * and runner, and whether its file is valid (the matrix the pull-request and deploy
 * workflows run over). `phoenix stacks [--json]`, the old spelling, works for one release.
 */
import type { Command } from "commander";
import { EXIT } from "../shared/errors";
import { deprecated, formatOf, legacyJson, outputOption } from "../shared/grammar";
import { table } from "../shared/table";
import type { Act, Deps } from "../shared/deps";

/** Prints the list; exit 0 even with invalid files: listing them is the job. */
async function list(opts: { output?: string; json?: boolean }, deps: Deps, command: string): Promise<number> {
  const { listAllStacks } = await import("./list");
  const stacks = listAllStacks(deps.root());
  const json = formatOf(opts, deps.io, command) === "json";
  const rows = stacks.map((s) => [
    s.kind,
    s.project,
    s.dir,
    s.stack,
    s.region,
    s.runner.join(","),
    s.valid ? "valid" : "INVALID",
  ]);
  deps.io.out(
    json
      ? JSON.stringify(stacks) + "\n"
      : table(["KIND", "PROJECT", "DIR", "STACK", "REGION", "RUNNER", "FILE"], rows).join("\n") + "\n",
  );
  if (!json)
    for (const s of stacks.filter((x) => !x.valid))
      deps.io.err(`${s.dir}/Pulumi.${s.stack}.yaml is invalid:\n${s.error ?? ""}\n`);
  return EXIT.ok;
}

/** Registers `phoenix stack list`, and the old `phoenix stacks`. */
export function registerStacks(program: Command, act: Act, deps: Deps): void {
  const stack = program
    .command("stack")
    .description("The stacks of both projects (backup storage and platform)")
    .addHelpText("after", ["", "Examples:", "  $ phoenix stack list", "  $ phoenix stack list -o json"].join("\n"));
  legacyJson(
    outputOption(
      stack
        .command("list")
        .description("List every stack with its folder, region and runner, and whether its stack file is valid"),
    ),
  )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix stack list",
        "  $ phoenix stack list -o json      # the workflows' matrix",
        "",
        "An invalid stack file is listed with its error (on stderr for the table) and exits 0: other stacks are unaffected.",
      ].join("\n"),
    )
    .action(act(async (opts: { output?: string; json?: boolean }) => list(opts, deps, "stack list")));
  legacyJson(program.command("stacks", { hidden: true }).description("deprecated: phoenix stack list"))
    .addHelpText("after", ["", "Examples:", "  $ phoenix stack list -o json   # its replacement"].join("\n"))
    .action(
      act(async (opts: { json?: boolean }) => {
        deprecated(deps.io, "stacks", "stack list");
        return list({ ...opts, ...(opts.json ? { json: false, output: "json" } : {}) }, deps, "stack list");
      }),
    );
}
