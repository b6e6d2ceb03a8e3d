/**
 * `phoenix status [--stack S | --all] [-o table|json]`: the recovery posture at a glance,
 * read-only: parse, call ./status.ts, print.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { EXIT, UsageError } from "../shared/errors";
import { formatOf, outputOption } from "../shared/grammar";
import type { Act, Deps } from "../shared/deps";
import type { StandbyDrift } from "./model";

interface StatusOptions {
  stack?: string;
  all?: boolean;
  output?: string;
  primaryBucket?: string;
  replicaBucket?: string;
  reports?: string;
  stateDir?: string;
}

/** A standby's drift, as `phoenix drift --from --to` compares it (loaded only for a standby). */
async function driftOf(root: string, from: string, to: string): Promise<StandbyDrift> {
  const { driftReports } = await import("../drift/load");
  const [report] = await driftReports(root, [{ from, to }], []);
  const differences = report?.differences ?? [];
  return {
    unexplained: differences.filter((d) => d.drift).map((d) => d.key),
    accepted: differences.filter((d) => d.accepted !== undefined).length,
    explained: differences.filter((d) => d.rule !== undefined).length,
  };
}

async function status(opts: StatusOptions, deps: Deps): Promise<number> {
  if ((opts.stack === undefined) === (opts.all !== true))
    throw new UsageError("give --stack S (one stack) or --all (every platform stack), not both");
  if ((opts.primaryBucket !== undefined || opts.replicaBucket !== undefined) && opts.stack === undefined)
    throw new UsageError("--primary-bucket and --replica-bucket name one stack's buckets: give --stack too");
  const format = formatOf(opts, deps.io, "status");
  const [{ recoveryEnv }, { readStatus }, { renderStatus }] = await Promise.all([
    import("../recovery/env"),
    import("./status"),
    import("./render"),
  ]);
  const stateDir = opts.stateDir === undefined ? undefined : path.resolve(opts.stateDir);
  const { env } = await recoveryEnv(deps.root(), deps.engine, deps.io, deps.recovery, stateDir);
  const doc = await readStatus(
    env,
    {
      ...(opts.stack !== undefined ? { stack: opts.stack } : {}),
      buckets: {
        ...(opts.primaryBucket !== undefined ? { primaryBucket: opts.primaryBucket } : {}),
        ...(opts.replicaBucket !== undefined ? { replicaBucket: opts.replicaBucket } : {}),
      },
      ...(opts.reports !== undefined ? { reportsDir: opts.reports } : {}),
    },
    (from, to) => driftOf(deps.root(), from, to),
  );
  deps.io.out(format === "json" ? JSON.stringify(doc, null, 2) + "\n" : renderStatus(doc));
  return doc.problems > 0 ? EXIT.failed : EXIT.ok;
}

/** Registers `phoenix status`. */
export function registerStatus(program: Command, act: Act, deps: Deps): void {
  const cmd = program
    .command("status")
    .description(
      "Recovery posture, read-only: per schedule the newest Completed backup on the primary and on the DR replica, replication lag and what is in flight, both buckets' Object Lock, the last drill, and RPO now against its target",
    )
    .option("-s, --stack <name>", "one platform stack")
    .option("--all", "every platform stack (standbys with their drift from their primary)")
    .option("--primary-bucket <name>", "read this bucket instead of the storage stack's `bucket` output (with --stack)")
    .option(
      "--replica-bucket <name>",
      "read this bucket instead of the storage stack's `replicaBucket` output (with --stack)",
    )
    .option("--state-dir <dir>", "where the drill records are, for the drills running now (default .phoenix/drills)")
    .option(
      "--reports <dir>",
      "where the drill reports are (default .phoenix/reports; CI downloads the drill workflow's)",
    );
  outputOption(cmd).addHelpText(
    "after",
    [
      "",
      "Examples:",
      "  $ phoenix status --stack prod",
      "  $ phoenix status --all -o json",
      "  $ AWS_ENDPOINT_URL_S3=http://127.0.0.1:9000 phoenix status --stack prod --primary-bucket velero --replica-bucket velero-dr",
      "",
      "The buckets are read through the AWS SDK's usual credentials and endpoint (AWS_ENDPOINT_URL_S3 for any S3-compatible store);",
      "their names come from the storage stack's outputs (the Pulumi backend) unless given. Nothing is written.",
      "Exit status: 0 every target met; 1 a target missed (RPO now over phoenix:recovery.rpoMinutes, a schedule with no",
      "whole backup on the replica, an Object Lock not as declared, a bucket that cannot be read, no passing drill within",
      "recovery.maxDrillAgeDays, a standby's unexplained drift); 2 usage error.",
    ].join("\n"),
  );
  cmd.action(act((opts: StatusOptions) => status(opts, deps)));
}
