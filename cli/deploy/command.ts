/**
 * `phoenix preview --stack S` and `phoenix up --stack S`: the one command per region.
 * Both plan offline first (a bad stack file stops here, exit 2), then run the region's
 * backup storage stack, then its platform stack, through the engine adapter.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { formatOf, legacyJsonFlag, outputFlag } from "../shared/grammar";
import { parseStackName } from "../stacks/names";
import { checkNoLegacyBucket, engineFailure, formatChanges, regionSteps, type RegionResult } from "./region";
import { UsageError } from "../shared/errors";
import { withProgress } from "../shared/progress";
import type { Act, Deps } from "../shared/deps";

interface DeployOptions {
  stack: string;
  json?: boolean;
  output?: string;
}

async function deploy(op: "preview" | "up", opts: DeployOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  const [{ Planner }, { projects }, { listStacks }] = await Promise.all([
    import("../plan/planner"),
    import("../stacks/projects"),
    import("../stacks/stackFile"),
  ]);
  const dirs = projects(root);
  const planner = new Planner(root);
  // The platform's plan names the storage stack it reads; it is deployed first when it
  // is this repository's. A restore source (another region's storage) is never touched.
  const plan = await planner.planPlatform({ stack: opts.stack });
  const storageName = (plan.outputs.backupStorage as { storage?: unknown } | undefined)?.storage;
  const storageStack = typeof storageName === "string" ? parseStackName(storageName)?.stack : undefined;
  const ownStorage =
    storageStack !== undefined && listStacks(dirs.storage.dir).includes(storageStack) ? storageStack : undefined;
  // A stack `replicate --write-only` made still holds its source's ciphertexts: the
  // engine could not decrypt them. `replicate --resume` re-encrypts them first.
  const { NOT_REENCRYPTED } = await import("../replicate/derive");
  if (fs.readFileSync(path.join(dirs.platform.dir, `Pulumi.${opts.stack}.yaml`), "utf8").includes(NOT_REENCRYPTED)) {
    throw new UsageError(
      `Pulumi.${opts.stack}.yaml: holds secrets ${NOT_REENCRYPTED}: run \`phoenix replicate --from <source> --stack ${opts.stack} --resume --yes\` (it copies them re-encrypted, then deploys)`,
    );
  }
  const result: RegionResult = {};
  const engine = deps.engine();
  const platform = { project: "platform" as const, workDir: dirs.platform.dir, stack: opts.stack };
  // Before anything runs: a platform stack that still holds its bucket must move it first.
  await checkNoLegacyBucket(engine, platform, `Pulumi.${opts.stack}.yaml`);
  // `up` creates missing stacks; a preview never creates anything.
  const create = op === "up";
  const failed = await engineFailure(
    () =>
      withProgress(
        regionSteps(
          engine,
          op,
          {
            ...(ownStorage
              ? {
                  storage: {
                    stack: { project: "storage" as const, workDir: dirs.storage.dir, stack: ownStorage },
                    create,
                  },
                }
              : {}),
            platform: { stack: platform, create },
          },
          result,
        ),
        deps.io,
      ),
    deps.io,
  );
  if (failed) return 1;
  if (formatOf(opts, deps.io, op) === "json") {
    deps.io.out(JSON.stringify({ stack: opts.stack, operation: op, ...result }, null, 2) + "\n");
    return 0;
  }
  const lines = [`${op} of region stack ${opts.stack} (${plan.region}):`];
  lines.push(
    `  backup storage: ${ownStorage ? (result.storage ? formatChanges(result.storage) : "-") : `not in this repository (${String(storageName)}): not touched`}`,
  );
  lines.push(`  platform: ${result.platform ? formatChanges(result.platform) : (result.platformSkipped ?? "-")}`);
  deps.io.out(lines.join("\n") + "\n");
  return 0;
}

/** Registers `phoenix preview` and `phoenix up`. */
export function registerDeploy(program: Command, act: Act, deps: Deps): void {
  for (const op of ["preview", "up"] as const) {
    program
      .command(op)
      .description(
        `${op === "up" ? "Deploy" : "Preview"} one region: its backup storage stack first, then its platform stack (Automation API; needs the pulumi CLI and AWS credentials)`,
      )
      .requiredOption("-s, --stack <name>", "the region's stack (Pulumi.<name>.yaml)")
      .addOption(outputFlag(["table", "json"], "the change summary"))
      .addOption(legacyJsonFlag())
      .addHelpText(
        "after",
        [
          "",
          "Examples:",
          `  $ phoenix ${op} --stack prod`,
          `  $ PULUMI_BACKEND_URL=s3://my-state-bucket phoenix ${op} --stack use1 -o json`,
          "",
          `Plans offline first (${path.join("stacks", "backup-storage")} and the platform); a bad stack file stops there.`,
          "Exit status: 0 done; 1 the engine failed; 2 usage error or a bad stack file.",
        ].join("\n"),
      )
      .action(act((opts: DeployOptions) => deploy(op, opts, deps)));
  }
}
