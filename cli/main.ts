/**
 * The `phoenix` command: every subcommand on one commander program. Subcommands only
 * parse, call and print; what they run lives beside them in cli/ and in the programs.
 * Heavy modules (the Pulumi SDK) load inside actions, so `--help` and usage errors
 * answer at once.
 */
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { registerAccess } from "./access/command";
import { registerBackup } from "./backup/command";
import { registerAudit } from "./audit/command";
import { registerCharts } from "./charts/command";
import { registerDeploy } from "./deploy/command";
import { registerDrift } from "./drift/command";
import { registerDestroy } from "./deploy/destroy";
import { registerPlan } from "./plan/command";
import { registerPreviewSummary } from "./preview/command";
import { registerRecovery } from "./recovery/command";
import { registerReplicate } from "./replicate/command";
import { registerStacks } from "./stacks/command";
import { registerStatus } from "./status/command";
import { registerVersion } from "./version/command";
import type { EngineAdapter } from "./engine/adapter";
import type { Act, Deps } from "./shared/deps";
export type { Act, Deps } from "./shared/deps";
import { EXIT, inputProblem } from "./shared/errors";
import { processIo } from "./shared/io";

/** The real engine: Pulumi's Automation API over the `pulumi` CLI (loaded on first use). */
function automationEngine(): EngineAdapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a command reaches the engine.
  const { AutomationEngine } = require("./engine/automation") as typeof import("./engine/automation");
  return new AutomationEngine();
}

/** Builds the program; `setStatus` receives each action's exit status. */
export function buildProgram(setStatus: (code: number) => void, given: Deps): Command {
  // `--root DIR` works on another checkout (benchmarks, a repository copy); the
  // default is the repository this command belongs to.
  let rootOption: string | undefined;
  const deps: Deps = { ...given, root: () => rootOption ?? given.root() };
  const act: Act =
    (fn) =>
    async (...args) => {
      try {
        setStatus(await fn(...args));
      } catch (err) {
        const problem = inputProblem(err);
        if (problem === undefined) throw err;
        deps.io.err(`${problem}\n`);
        setStatus(EXIT.usage);
      }
    };
  const program = new Command("phoenix")
    .configureOutput({ writeOut: deps.io.out, writeErr: deps.io.err })
    .option("--root <dir>", "the Phoenix repository to work on (default: the one this command is installed in)")
    .hook("preAction", (cmd) => {
      const root = cmd.opts<{ root?: string }>().root;
      rootOption = root === undefined ? undefined : path.resolve(root);
    })
    .description(
      "Phoenix: a recreatable EKS platform. Plan offline, replicate a region, deploy backup storage then platform, destroy a platform, drill and recover from backups.",
    )
    .showHelpAfterError("(run with --help for usage)")
    // Options belong to the command they follow (`phoenix --root DIR drill run --from prod`):
    // a noun's verbs parse their own (`--from` is run's, not drill's).
    .enablePositionalOptions()
    .exitOverride()
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ npx phoenix plan --stack prod",
        "  $ npx phoenix replicate --from prod --region us-east-1 --stack use1 --write-only",
        "  $ npx phoenix up --stack prod",
        "  $ npx phoenix drill run --from prod --region us-east-1 --rehearse",
        "  $ npx phoenix status --all",
        "  $ npx phoenix drift --all",
        "  $ npx phoenix destroy --stack use1",
        "",
        "Exit status: 0 ok; 1 a check failed; 2 a usage or input error.",
      ].join("\n"),
    );
  registerPlan(program, act, deps);
  registerCharts(program, act, deps);
  registerAudit(program, act, deps);
  registerReplicate(program, act, deps);
  registerDrift(program, act, deps);
  registerDeploy(program, act, deps);
  registerDestroy(program, act, deps);
  registerPreviewSummary(program, act, deps);
  registerStacks(program, act, deps);
  registerRecovery(program, act, deps);
  registerStatus(program, act, deps);
  registerBackup(program, act, deps);
  registerAccess(program, act, deps);
  registerVersion(program, act, deps);
  // Every subcommand (and theirs) reports usage errors to main, and writes where the program does.
  const inherit = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: deps.io.out, writeErr: deps.io.err });
    c.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/** Runs `phoenix` with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: readonly string[], given: Partial<Deps> & Pick<Deps, "root">): Promise<number> {
  let status: number = EXIT.ok;
  const deps: Deps = { engine: automationEngine, io: processIo, ...given };
  const program = buildProgram((code) => (status = code), deps);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander refuses is usage.
      return err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version"
        ? EXIT.ok
        : EXIT.usage;
    }
    deps.io.err(`phoenix failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failed;
  }
  return status;
}
