/**
 * What the three command-line tools (plan, charts:verify, audit) share: argument
 * parsing with the same usage and exit-code conventions (2 for usage errors), the
 * recognition of bad input in a stack file, and the top-level runner. Loads nothing
 * heavy, so a usage error answers at once.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Options of a command, as node:util's parseArgs takes them. */
export type CliOptions = NonNullable<ParseArgsConfig["options"]>;

/** Parsed values, or the exit status when the command must stop (usage error, --help). */
export type CliParse<T> = { readonly values: T } | { readonly exit: number };

/**
 * Parses `argv` strictly. `--help` prints the usage and exits 0; an unknown option or a
 * missing required one prints the problem and the usage, and exits 2.
 */
export function parseCommandLine<T extends { help?: boolean }>(argv: string[], options: CliOptions, usage: string, required: readonly (keyof T & string)[]): CliParse<T> {
  let values: T;
  try {
    values = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true }).values as T;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return { exit: 2 };
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return { exit: 0 };
  }
  const missing = required.filter((k) => values[k] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`${missing.map((k) => `--${k}`).join(" and ")} ${missing.length === 1 ? "is" : "are"} required\n${usage}\n`);
    return { exit: 2 };
  }
  return { values };
}

/**
 * The report of a bad stack file or inventory (the errors that name the file, the key
 * and the fix), or undefined for any other error. The error classes are loaded lazily:
 * they pull in the config schema and, through it, the Pulumi SDK.
 */
export async function stackInputProblem(err: unknown): Promise<string | undefined> {
  const [{ StackFileError }, { ConfigError }, { InventoryError }] = await Promise.all([import("./offline/stackFile"), import("./config"), import("./inventory")]);
  return err instanceof StackFileError || err instanceof ConfigError || err instanceof InventoryError ? err.message : undefined;
}

/**
 * Runs a command's `main` and exits with its status. An unexpected error prints its
 * stack and exits `errorStatus` (the audit uses 2, keeping 1 for "state would be lost").
 */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>, errorStatus = 1): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(errorStatus);
    },
  );
}
