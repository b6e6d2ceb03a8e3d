/** `phoenix restore verify`, and the old `phoenix verify-restore`: a restore checked against the backup it came from. */
import * as fs from "node:fs";
import { Option, type Command } from "commander";
import { EXIT, UsageError } from "../shared/errors";
import { deprecated, formatOf, legacyJson, outputOption } from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import { envOf } from "./commandSupport";

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
export function registerRestore(program: Command, act: Act, deps: Deps): void {
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
