/**
 * `phoenix backup check`: parse, call ./check.ts, print. The first verb of the `backup`
 * noun (noun then verb, as velero and kubectl do).
 */
import type { Command } from "commander";
import { EXIT, UsageError } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";
import type { StoreLocation } from "../recovery/adapters";
import type { PortabilityTarget } from "./portability";

interface CheckOptions {
  backup: string;
  region: string;
  stack?: string;
  bucket?: string;
  prefix?: string;
  bucketRegion?: string;
  sourceRegion?: string;
  storageClasses?: string;
  defaultStorageClass?: string;
  output: string;
}

/** Where the backup is, where it came from, and what the target has: from the stack, the options overriding. */
async function resolve(
  deps: Deps,
  opts: CheckOptions,
): Promise<{ location: StoreLocation; namespaces?: readonly string[]; target: PortabilityTarget }> {
  const classes =
    opts.storageClasses !== undefined
      ? {
          storageClasses: opts.storageClasses
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
          ...(opts.defaultStorageClass ? { defaultStorageClass: opts.defaultStorageClass } : {}),
        }
      : {};
  if (opts.stack === undefined) {
    if (opts.bucket === undefined)
      throw new UsageError("give --stack S (its backups' DR replica) or --bucket NAME (any Velero bucket)");
    if (opts.sourceRegion === undefined)
      throw new UsageError(
        "--bucket: give --source-region, the region the backup was taken in (a stack's is known: --stack)",
      );
    return {
      location: {
        bucket: opts.bucket,
        region: opts.bucketRegion ?? opts.region,
        ...(opts.prefix ? { prefix: opts.prefix } : {}),
      },
      target: { sourceRegion: opts.sourceRegion, targetRegion: opts.region, ...classes },
    };
  }
  const [{ readSource, str }, { Planner }, { plannedStorageClasses }] = await Promise.all([
    import("../recovery/source"),
    import("../plan/planner"),
    import("./check"),
  ]);
  const source = await readSource(deps.root(), opts.stack);
  const planned = plannedStorageClasses((await new Planner(deps.root()).planPlatform({ stack: opts.stack })).resources);
  let location: StoreLocation;
  if (opts.bucket !== undefined)
    location = {
      bucket: opts.bucket,
      region: opts.bucketRegion ?? opts.region,
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
    };
  else {
    const outputs = await deps.engine().outputs(source.storage);
    location = {
      bucket: str(outputs.replicaBucket, "replicaBucket", source.storage.stack),
      region: str(outputs.replicaRegion, "replicaRegion", source.storage.stack),
    };
  }
  return {
    location,
    namespaces: source.imperative,
    target: { sourceRegion: opts.sourceRegion ?? source.cfg.region, targetRegion: opts.region, ...planned, ...classes },
  };
}

/** Registers `phoenix backup check`. */
export function registerBackup(program: Command, act: Act, deps: Deps): void {
  const backup = program
    .command("backup")
    .description("Velero backups as a restore would read them")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix backup check --stack prod --backup velero-hourly-20261201100000 --region eu-central-1",
      ].join("\n"),
    );
  backup
    .command("check")
    .description(
      "Find what in a backup is bound to the source region or cluster (ARNs, KMS keys, ECR images, zones, storage classes, load balancer and IRSA annotations) and what a restore into --region does with each: rewrite, remove, or stop",
    )
    .requiredOption("--backup <name>", "the Velero backup (required)")
    .requiredOption("--region <region>", "the region the restore lands in (required)")
    .option(
      "-s, --stack <name>",
      "the platform stack: its region is the source, its imperative namespaces the scope, its backups' DR replica the bucket, its plan the storage classes",
    )
    .option("--bucket <name>", "read the backup from this bucket instead (any Velero bucket)")
    .option("--prefix <prefix>", "the backup storage location's prefix in --bucket")
    .option("--bucket-region <region>", "the bucket's region (default: --region, where a DR replica is)")
    .option(
      "--source-region <region>",
      "the region the backup was taken in (default: the stack's; required with --bucket alone)",
    )
    .option("--storage-classes <list>", "comma-separated storage classes the target has (default: the stack's plan)")
    .option("--default-storage-class <name>", "with --storage-classes: the one a missing class is rewritten to")
    .option("-o, --output <format>", "table or json", "table")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix backup check --stack prod --backup velero-hourly-20261201100000 --region eu-central-1",
        "  $ AWS_ENDPOINT_URL_S3=http://127.0.0.1:9000 phoenix backup check --bucket velero --backup b1 --region us-east-1 --source-region eu-west-1 -o json",
        "",
        "The bucket is read through the AWS SDK's usual credentials and endpoint (AWS_ENDPOINT_URL_S3 for any S3-compatible store).",
        "The drill and `recover` run this check in preflight, restore with the generated resource modifiers, and refuse a restore that leaves a STOP unless --accept-unportable.",
        "Exit status: 0 portable (every reference rewritten or removed); 1 a reference nothing resolves; 2 usage error.",
      ].join("\n"),
    )
    .action(
      act(async (opts: CheckOptions) => {
        if (opts.output !== "table" && opts.output !== "json")
          throw new UsageError(`-o ${opts.output}: give table or json`);
        if (opts.defaultStorageClass !== undefined && opts.storageClasses === undefined)
          throw new UsageError("--default-storage-class goes with --storage-classes");
        const { location, namespaces, target } = await resolve(deps, opts);
        const [{ recoveryEnv }, { checkBackup, renderCheck }] = await Promise.all([
          import("../recovery/env"),
          import("./check"),
        ]);
        const { env } = await recoveryEnv(deps.root(), deps.engine, deps.io, deps.recovery);
        const check = await checkBackup(env.store(location), opts.backup, namespaces, target);
        const { reportable } = await import("./portability");
        deps.io.out(
          opts.output === "json"
            ? JSON.stringify(reportable(check), null, 2) + "\n"
            : renderCheck(check).join("\n") + "\n",
        );
        return check.unresolved.length === 0 ? EXIT.ok : EXIT.failed;
      }),
    );
}
