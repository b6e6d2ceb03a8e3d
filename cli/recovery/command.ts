/**
 * `phoenix drill run|list|cleanup`, `phoenix recover` and `phoenix restore verify`: parse,
 * call cli/recovery, print. Ctrl-C or SIGTERM stops the running phase and tears down; a
 * second one leaves what is left for `phoenix drill cleanup ID`. The old spellings
 * (`drill --from`, `drill --list`, `drill --cleanup`, `verify-restore`) work for one
 * release, with a line on stderr.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { canAsk, confirmByTyping } from "../shared/confirm";
import { EXIT, UsageError } from "../shared/errors";
import {
  deprecated,
  formatOf,
  legacyJson,
  legacyJsonFlag,
  optionsAfterVerb,
  outputFlag,
  outputOption,
} from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import type { Interrupts } from "./env";
import type { RecoveryReport } from "./report";

interface DrillOptions {
  from?: string;
  output?: string;
  region?: string;
  backup?: string;
  keep?: boolean;
  report?: string;
  rehearse?: boolean;
  cleanup?: string;
  list?: boolean;
  stateDir?: string;
  json?: boolean;
  acceptUnportable?: boolean;
}

/** Runs `fn` with Ctrl-C and SIGTERM turned into an interrupt of the recovery. */
async function withSignals<T>(interrupts: Interrupts, deps: Deps, hint: string, fn: () => Promise<T>): Promise<T> {
  const { interrupt } = await import("./drill");
  let seen = 0;
  const handler = (signal: NodeJS.Signals): void => {
    seen++;
    if (seen === 1) {
      deps.io.err(`\n${signal}: stopping the running phase, then tearing down (again to leave it: ${hint})\n`);
      interrupt(interrupts, signal);
    } else {
      deps.io.err(`\n${signal} again: leaving now; finish with ${hint}\n`);
      process.exit(130);
    }
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  try {
    return await fn();
  } finally {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  }
}

function summary(r: RecoveryReport, dir: string): string {
  const objective = (name: string, o: RecoveryReport["rto"]): string =>
    `${name} ${o.seconds === undefined ? "not measured" : `${Math.round(o.seconds / 60)} min${o.modeled ? " (modeled)" : ""}`} / target ${o.targetMinutes} min${o.met === undefined ? "" : o.met ? " (met)" : " (MISSED)"}`;
  return [
    `${r.kind} ${r.id}: ${r.outcome.toUpperCase()}${r.failure ? ` (${r.failure.phase}: ${r.failure.message})` : ""}`,
    `  ${objective("RTO", r.rto)}; ${objective("RPO", r.rpo)}`,
    ...r.phases.map(
      (p) =>
        `  ${p.name.padEnd(10)} ${p.status.padEnd(11)} ${String(Math.round(p.seconds)).padStart(5)} s  ${p.detail.split("\n")[0]}`,
    ),
    `  report: ${path.join(dir, "report.html")} (also report.md, report.json)`,
  ].join("\n");
}

/** Prints a drill's or recovery's result (a refusal on stderr too) and gives its exit status. */
function printReport(
  report: RecoveryReport,
  opts: { readonly json?: boolean; readonly output?: string; readonly report?: string },
  deps: Deps,
  command: string,
): number {
  if (report.failure?.refused) deps.io.err(`${report.failure.message}\n`);
  const json = formatOf(opts, deps.io, command) === "json";
  deps.io.out(
    json
      ? JSON.stringify(report, null, 2) + "\n"
      : summary(report, path.resolve(opts.report ?? path.join(deps.root(), ".phoenix", "reports", report.id))) + "\n",
  );
  return report.outcome === "passed" ? EXIT.ok : report.failure?.refused ? EXIT.usage : EXIT.failed;
}

/** The recovery environment, with drill records in `stateDir` when given. */
async function envOf(deps: Deps, stateDir?: string) {
  const { recoveryEnv } = await import("./env");
  return recoveryEnv(deps.root(), deps.engine, deps.io, deps.recovery, stateDir ? path.resolve(stateDir) : undefined);
}

/** `drill run`: one drill, or its rehearsal. */
async function runDrill(opts: DrillOptions & { from: string }, deps: Deps, command: string): Promise<number> {
  const { env, interrupts } = await envOf(deps, opts.stateDir);
  const recovery = await import("./drill");
  const req = {
    from: opts.from,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.backup ? { backup: opts.backup } : {}),
    keep: opts.keep === true,
    ...(opts.report ? { reportDir: opts.report } : {}),
    rehearse: opts.rehearse === true,
    acceptUnportable: opts.acceptUnportable === true,
  };
  const report = await withSignals(interrupts, deps, "phoenix drill list, then phoenix drill cleanup ID", () =>
    recovery.drill(env, req),
  );
  return printReport(report, opts, deps, command);
}

/** `drill list`: the recorded drills, and what each left behind. */
async function listDrills(opts: DrillOptions, deps: Deps, command: string): Promise<number> {
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

/** `drill cleanup ID`: tears down what a killed or kept drill left. */
async function cleanupDrill(id: string, opts: DrillOptions, deps: Deps): Promise<number> {
  const { env, interrupts } = await envOf(deps, opts.stateDir);
  const recovery = await import("./drill");
  const done = await withSignals(interrupts, deps, `phoenix drill cleanup ${id}`, () =>
    recovery.cleanupDrill(env, id, (s) => deps.io.err(`  ${s}\n`)),
  );
  deps.io.out(`drill ${id} cleaned up: ${done}\n`);
  return EXIT.ok;
}

const STATE_DIR = "where drill records live (default .phoenix/drills)";

/** `phoenix drill` and its verbs. */
function registerDrill(program: Command, act: Act, deps: Deps): void {
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
  const run = drill
    .command("run")
    .description(
      "Recreate the platform in an ephemeral stack in another region, restore the imperative namespaces from the DR replica, verify, report, tear down",
    )
    .requiredOption("--from <stack>", "the platform stack to drill, such as prod (required)")
    .option("--region <region>", "the region to recover into (default: the region of the source's backup replica)")
    .option(
      "--backup <name>",
      "the Velero backup to restore (default: the latest Completed one holding every imperative namespace)",
    )
    .option("--keep", "keep the ephemeral stack (tear it down later with `phoenix drill cleanup ID`)")
    .option("--report <dir>", "where report.json, report.md and report.html go (default .phoenix/reports/<id>)")
    .option(
      "--rehearse",
      "run only what needs no AWS: derive and plan the ephemeral stack offline and model every other phase",
    )
    .option(
      "--accept-unportable",
      "restore even when the backup holds references that break in the target region (`phoenix backup check` lists them)",
    )
    .option("--state-dir <dir>", STATE_DIR);
  legacyJson(outputOption(run))
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix drill run --from prod --region us-east-1 --rehearse          # offline: plan + modeled RTO/RPO",
        "  $ phoenix drill run --from prod --region us-east-1 --report drill-report",
        "",
        "Phases: preflight, cluster, gitops, restore, verify, report, teardown. Teardown runs on success, on failure and on Ctrl-C/SIGTERM unless --keep.",
        "RTO and RPO targets come from phoenix:recovery.rtoMinutes and rpoMinutes in the source's stack file; a drill over either fails.",
        "Exit status: 0 passed; 1 failed, over a target, or interrupted; 2 usage error or a refused request (a leftover drill, a bad stack file).",
      ].join("\n"),
    )
    .action(act(async (opts: DrillOptions & { from: string }) => runDrill(opts, deps, "drill run")));
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
  // The old spellings, on `drill` itself: hidden from help, announced when used.
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
      return runDrill({ ...opts, from: opts.from as string }, deps, "drill run");
    }),
  );
}

interface VerifyOptions {
  backup: string;
  kubeconfig: string;
  context?: string;
  stack: string;
  bucket?: string;
  bucketRegion?: string;
  report?: string;
  json?: boolean;
  output?: string;
}

/** `restore verify`: a restore checked against the backup it came from. */
async function verifyRestore(opts: VerifyOptions, deps: Deps, command: string): Promise<number> {
  if ((opts.bucket === undefined) !== (opts.bucketRegion === undefined))
    throw new UsageError("--bucket and --bucket-region go together");
  if (!fs.existsSync(opts.kubeconfig)) throw new UsageError(`--kubeconfig ${opts.kubeconfig}: no such file`);
  const json = formatOf(opts, deps.io, command) === "json";
  const { verifyStandalone } = await import("./standalone");
  const { env } = await envOf(deps);
  const v = await verifyStandalone(env, { ...opts, kubeconfigText: fs.readFileSync(opts.kubeconfig, "utf8") });
  deps.io.out(json ? JSON.stringify(v.verification, null, 2) + "\n" : v.text);
  return v.verification.passed ? EXIT.ok : EXIT.failed;
}

/** The options of `restore verify` (and of the old `verify-restore`, whose --stack defaulted to prod). */
function verifyOptions(cmd: Command, oldDefaultStack = false): Command {
  return legacyJson(
    outputOption(
      cmd
        .requiredOption("--backup <name>", "the Velero backup that was restored (required)")
        .requiredOption("--kubeconfig <file>", "kubeconfig of the restored cluster (required)")
        .option("--context <name>", "kubeconfig context (default: its current one)")
        .addOption(
          oldDefaultStack
            ? new Option(
                "-s, --stack <name>",
                "the platform stack whose imperative namespaces and verify commands apply",
              ).default("prod")
            : new Option(
                "-s, --stack <name>",
                "the platform stack whose imperative namespaces and verify commands apply (required)",
              ).makeOptionMandatory(),
        )
        .option(
          "--bucket <name>",
          "the bucket holding the backup (default: the stack's restore source replica, or its own storage)",
        )
        .option("--bucket-region <region>", "the bucket's region (with --bucket)")
        .option("--report <dir>", "also write verification.json and verification.md there"),
    ),
  );
}

/** `phoenix restore verify`, and the old `phoenix verify-restore`. */
function registerRestore(program: Command, act: Act, deps: Deps): void {
  const restore = program
    .command("restore")
    .description("Restores Velero made: verify one against its backup")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix restore verify --stack prod --backup velero-daily-20261127030000 --kubeconfig ~/.kube/dr",
      ].join("\n"),
    );
  verifyOptions(
    restore
      .command("verify")
      .description(
        "Verify a restore: the backup's objects (read from the bucket) against the live cluster, PVCs and their data, Velero's messages, each namespace's own verify command",
      ),
  )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix restore verify --stack prod --backup velero-daily-20261127030000 --kubeconfig ~/.kube/dr",
        "  $ phoenix restore verify --stack use1 --backup b1 --kubeconfig kc --bucket my-replica --bucket-region eu-central-1",
        "",
        "ConfigMap and Secret data are compared by checksum; values are never printed.",
        "Exit status: 0 every object present and every check passed; 1 something missing, changed or failed; 2 usage error.",
      ].join("\n"),
    )
    .action(act(async (opts: VerifyOptions) => verifyRestore(opts, deps, "restore verify")));
  verifyOptions(
    program.command("verify-restore", { hidden: true }).description("deprecated: phoenix restore verify"),
    true,
  )
    .addHelpText(
      "after",
      ["", "Examples:", "  $ phoenix restore verify --stack prod --backup b1 --kubeconfig kc   # its replacement"].join(
        "\n",
      ),
    )
    .action(
      act(async (opts: VerifyOptions) => {
        deprecated(deps.io, "verify-restore", "restore verify");
        return verifyRestore(opts, deps, "restore verify");
      }),
    );
}

/** Registers the recovery commands. */
export function registerRecovery(program: Command, act: Act, deps: Deps): void {
  registerDrill(program, act, deps);
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
    .action(
      act(
        async (opts: {
          stack: string;
          region?: string;
          as?: string;
          backup?: string;
          report?: string;
          yes?: boolean;
          json?: boolean;
          output?: string;
          acceptUnportable?: boolean;
        }) => {
          if (opts.as !== undefined && opts.region === undefined)
            throw new UsageError("--as names the replica stack of --region: give --region too");
          const where = opts.region ? `as ${opts.as ?? `${opts.stack}-${opts.region}`} in ${opts.region}` : "in place";
          if (!opts.yes) {
            if (!canAsk(deps.io))
              throw new UsageError(`recover ${opts.stack} ${where}: no terminal to confirm on: pass --yes`);
            if (
              !(await confirmByTyping(
                deps.io,
                `Recover ${opts.stack} ${where}: this deploys real infrastructure and restores into it. Type the stack name (${opts.stack}) to go on:`,
                opts.stack,
              ))
            ) {
              deps.io.err("Not confirmed: nothing was changed.\n");
              return EXIT.failed;
            }
          }
          const { env, interrupts } = await envOf(deps);
          const { recover } = await import("./recover");
          const report = await withSignals(
            interrupts,
            deps,
            "phoenix recover again (it goes on from what exists)",
            () =>
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
        },
      ),
    );

  registerRestore(program, act, deps);
}
