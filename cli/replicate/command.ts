/** `phoenix replicate`: a new region's stack files from a source stack, checked offline, then optionally previewed or deployed. */
import { Option, type Command } from "commander";
import { STRATEGIES, type Strategy } from "./derive";
import { formatOf, legacyJsonFlag, outputFlag } from "../shared/grammar";
import { formatChanges } from "../deploy/region";
import { UsageError } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";

interface ReplicateOptions {
  from: string;
  region?: string;
  stack: string;
  cidr?: string;
  strategy?: Strategy;
  resume?: boolean;
  writeOnly?: boolean;
  preview?: boolean;
  yes?: boolean;
  json?: boolean;
  output?: string;
}

/** Registers `phoenix replicate`. */
export function registerReplicate(program: Command, act: Act, deps: Deps): void {
  program
    .command("replicate")
    .description(
      "Write a new region's stack files (platform and backup storage) derived from a source stack, check them offline, then optionally preview or deploy them",
    )
    .requiredOption("--from <stack>", "the source platform stack, such as prod")
    .option(
      "--region <region>",
      "the new stack's AWS region (same partition, not the source's); required unless --resume",
    )
    .requiredOption("-s, --stack <name>", "the new stack's name (new in both projects)")
    .option(
      "--cidr <block>",
      "the new VPC block (default: the first free block of the source's size overlapping no stack file)",
    )
    .addOption(
      new Option(
        "--strategy <strategy>",
        "backup-restore: a stack deployed when needed; pilot-light: a standby deployed and kept at its system nodes, promoted by `phoenix recover`",
      )
        .choices([...STRATEGIES])
        .default("backup-restore"),
    )
    .option("--write-only", "write and check the files, touch no cloud (the default)")
    .option("--preview", "then `pulumi preview` backup storage and platform through the Automation API")
    .option("--yes", "then `pulumi up` backup storage, then platform, through the Automation API")
    .option(
      "--resume",
      "go on from files an earlier replicate wrote (--write-only, or an engine failure): check them, then --preview or --yes",
    )
    .addOption(outputFlag(["table", "json"]))
    .addOption(legacyJsonFlag())
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix replicate --from prod --region us-east-1 --stack use1 --write-only",
        "  $ phoenix replicate --from prod --region us-east-1 --stack use1 --cidr 10.40.0.0/16 --yes",
        "  $ phoenix replicate --from prod --stack use1 --resume --yes     # after --write-only: secrets re-encrypted, then deployed",
        "  $ phoenix replicate --from prod --region us-east-1 --stack use1 --strategy pilot-light --yes",
        "",
        "Writes Pulumi.<stack>.yaml and stacks/backup-storage/Pulumi.<stack>.yaml; each derived key carries a comment saying where it came from.",
        "The new stack restores from the source's backups, read-only, through the source storage stack's DR replica.",
        "Exit status: 0 done; 1 the engine failed; 2 usage error or a refused request (nothing written).",
      ].join("\n"),
    )
    .action(
      act(async (opts: ReplicateOptions) => {
        if ([opts.writeOnly, opts.preview, opts.yes].filter(Boolean).length > 1)
          throw new UsageError("give at most one of --write-only, --preview and --yes");
        const mode = opts.yes ? "yes" : opts.preview ? "preview" : "write-only";
        if (!opts.resume && opts.region === undefined)
          throw new UsageError("--region <region> is required (unless --resume goes on from files already written)");
        if (opts.resume && (opts.region !== undefined || opts.cidr !== undefined))
          throw new UsageError("--resume uses the files already written: drop --region and --cidr");
        const { replicate } = await import(".");
        const result = await replicate(
          deps.root(),
          { from: opts.from, region: opts.region ?? "", stack: opts.stack, cidr: opts.cidr, strategy: opts.strategy },
          mode,
          deps.engine,
          deps.io,
          opts.resume === true,
        );
        const status = result.engineFailed ? 1 : 0;
        if (formatOf(opts, deps.io, "replicate") === "json") {
          deps.io.out(JSON.stringify(result, null, 2) + "\n");
          return status;
        }
        const lines = [
          `Replicated ${opts.from} to ${result.stack} in ${result.region} (VPC ${result.cidr}); restores read-only from ${result.restoreFrom}.`,
          ...result.files.map((f) => `  wrote ${f}`),
          `  checked offline: backup storage ${result.planned.storage} resources, platform ${result.planned.platform} resources`,
        ];
        if (result.secrets.length > 0) {
          lines.push(
            mode === "write-only"
              ? `  secret settings still in ${opts.from}'s encryption (never shown): ${result.secrets.join(", ")}; \`phoenix replicate --from ${opts.from} --stack ${result.stack} --resume --yes\` re-encrypts them for ${result.stack}`
              : `  secret settings re-encrypted for ${result.stack} (never shown): ${result.secrets.join(", ")}`,
          );
        }
        if (result.engine?.storage) lines.push(`  backup storage: ${formatChanges(result.engine.storage)}`);
        if (result.engine?.platform) lines.push(`  platform: ${formatChanges(result.engine.platform)}`);
        if (result.engine?.platformSkipped) lines.push(`  platform: ${result.engine.platformSkipped}`);
        if (mode === "write-only") {
          lines.push(
            result.secrets.length > 0
              ? `Next: review the files, commit them, then \`npx phoenix replicate --from ${opts.from} --stack ${result.stack} --resume --yes\` (it copies the secrets, then deploys).`
              : `Next: review the files, commit them, then \`npx phoenix up --stack ${result.stack}\`.`,
          );
        }
        deps.io.out(lines.join("\n") + "\n");
        return status;
      }),
    );
}
