/**
 * The `phoenix` command: every subcommand on one commander program. Subcommands only
 * parse, call and print; what they run lives beside them in cli/ and in the programs.
 * Heavy modules (the Pulumi SDK) load inside actions, so `--help` and usage errors
 * answer at once.
 */
import { Command, CommanderError } from "commander";
import { registerAudit } from "./commands/audit";
import { registerCharts } from "./commands/charts";
import { registerPlan } from "./commands/plan";
import { EXIT, inputProblem } from "./shared/errors";

/** Wraps an action: its result is the exit status; bad input prints its report and exits 2. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commander passes each action its own option shape.
export type Act = <A extends any[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

/** Builds the program; `setStatus` receives each action's exit status. */
export function buildProgram(setStatus: (code: number) => void, root: () => string): Command {
  const act: Act =
    (fn) =>
    async (...args) => {
      try {
        setStatus(await fn(...args));
      } catch (err) {
        const problem = inputProblem(err);
        if (problem === undefined) throw err;
        process.stderr.write(`${problem}\n`);
        setStatus(EXIT.usage);
      }
    };
  const program = new Command("phoenix")
    .description("Phoenix: a recreatable EKS platform. Plan offline, replicate a region, deploy backup storage then platform.")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ npx phoenix plan --stack prod",
        "  $ npx phoenix replicate --from prod --region us-east-1 --stack use1 --write-only",
        "  $ npx phoenix up --stack prod",
        "",
        "Exit status: 0 ok; 1 a check failed; 2 a usage or input error.",
      ].join("\n"),
    );
  registerPlan(program, act, root);
  registerCharts(program, act, root);
  registerAudit(program, act, root);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs `phoenix` with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: readonly string[], root: () => string): Promise<number> {
  let status: number = EXIT.ok;
  const program = buildProgram((code) => (status = code), root);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander refuses is usage.
      return err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version" ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`phoenix failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failed;
  }
  return status;
}
