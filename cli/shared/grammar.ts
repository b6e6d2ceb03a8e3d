/**
 * What every command shares in its grammar: `-o table|json|markdown` for data it prints
 * (kubectl's and velero's `-o`), and the old spellings that keep working for one release
 * with a line on stderr saying what replaces them.
 */
import { Option, type Command } from "commander";
import type { Io } from "./io";

/** Output formats a command may offer. */
export type Format = "table" | "json" | "markdown";

/** `-o, --output <format>` with `formats` as its only choices (commander refuses any other, exit 2); `what` says what the data is. */
export function outputFlag(formats: readonly Format[] = ["table", "json"], what?: string): Option {
  return new Option("-o, --output <format>", `output format: ${formats.join(", ")}${what ? ` (${what})` : ""}`)
    .choices([...formats])
    .default(formats[0]);
}

/** Adds `-o, --output <format>` (outputFlag). */
export function outputOption(cmd: Command, formats: readonly Format[] = ["table", "json"]): Command {
  return cmd.addOption(outputFlag(formats));
}

/**
 * The format asked for, with `--json` (the old spelling) read as `-o json` and announced
 * as deprecated.
 */
export function formatOf(opts: { readonly output?: string; readonly json?: boolean }, io: Io, command: string): Format {
  if (opts.json) {
    deprecated(io, `${command} --json`, `${command} -o json`);
    return "json";
  }
  return (opts.output ?? "table") as Format;
}

/** The old `--json` flag, hidden from help. */
export function legacyJsonFlag(): Option {
  return new Option("--json", "deprecated: use -o json").hideHelp();
}

/** Adds the old `--json` flag (legacyJsonFlag). */
export function legacyJson(cmd: Command): Command {
  return cmd.addOption(legacyJsonFlag());
}

/** Tells, on stderr, that `old` goes in the next release and what to type instead. */
export function deprecated(io: Io, old: string, now: string): void {
  io.err(`phoenix: "${old}" is deprecated and goes in the next release: use "phoenix ${now}"\n`);
}

/**
 * Refuses options given to a noun before its verb (`drill --rehearse run`): the noun would
 * take them and the verb never see them, so `--rehearse` would silently be a real drill.
 */
export function optionsAfterVerb(noun: Command): Command {
  return noun.hook("preSubcommand", (cmd, verb) => {
    const given = cmd.options
      .filter((o) => cmd.getOptionValueSource(o.attributeName()) === "cli")
      .map((o) => o.long ?? o.short ?? o.name());
    if (given.length > 0)
      cmd.error(
        `${given.join(", ")} must follow the verb: phoenix ${cmd.name()} ${verb.name()} ${given.join(" ")} ...`,
        { exitCode: 2, code: "phoenix.optionBeforeVerb" },
      );
  });
}

/** The file to write: `--out`, or the old `--json FILE` (announced as deprecated). */
export function outFileOf(
  opts: { readonly out?: string; readonly json?: string },
  io: Io,
  command: string,
): string | undefined {
  if (opts.out === undefined && opts.json !== undefined) {
    deprecated(io, `${command} --json FILE`, `${command} --out FILE`);
    return opts.json;
  }
  return opts.out;
}
