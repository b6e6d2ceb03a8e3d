/**
 * docs/reference/commands.md, generated from the command's own definitions: every
 * command and subcommand's `--help` (examples included), so the reference cannot drift
 * from the code. `npm run docs` writes it; test/scripts/docs/commands.test.ts fails when
 * it is stale.
 */
import type { Command } from "commander";
import { buildProgram } from "../../cli/main";
import { processIo } from "../../cli/shared/io";

/** Help is wrapped at this width, whatever the terminal: the file must not depend on it. */
const HELP_WIDTH = 100;

/** The help text of one command, as `--help` prints it. */
function helpOf(cmd: Command): string {
  let text = "";
  cmd
    .configureHelp({ helpWidth: HELP_WIDTH })
    .configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text.trimEnd();
}

/** Every visible command below `cmd`, depth first, with its full name. */
function visible(cmd: Command, prefix: string): { name: string; cmd: Command }[] {
  return cmd.commands
    .filter((c) => !(c as Command & { _hidden?: boolean })._hidden && c.name() !== "help")
    .flatMap((c) => {
      const name = `${prefix} ${c.name()}`;
      return [{ name, cmd: c }, ...visible(c, name)];
    });
}

/** The Markdown of the reference. */
export function commandsMarkdown(): string {
  const program = buildProgram(() => undefined, {
    root: () => process.cwd(),
    engine: () => {
      throw new Error("no engine in docs");
    },
    io: processIo,
  });
  const out = [
    "# Command reference",
    "",
    "Generated from the command's definitions by `npm run docs` (scripts/docs/commands.ts); do not edit.",
    "Exit status everywhere: 0 ok, 1 a check failed, 2 a usage or input error.",
    "",
    "## phoenix",
    "",
    "```text",
    helpOf(program),
    "```",
    "",
  ];
  for (const { name, cmd } of visible(program, "phoenix"))
    out.push(`## ${name}`, "", "```text", helpOf(cmd), "```", "");
  return out.join("\n");
}
