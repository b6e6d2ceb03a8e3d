/**
 * `phoenix destroy --stack S`: deletes one region's platform stack, never its backup
 * storage stack. The engine runs `pulumi destroy --run-program`, so the program's
 * teardown hook runs first and releases the load balancers and network interfaces
 * Kubernetes made in AWS while the controllers still run; without it the VPC cannot be
 * deleted (pulumi-eks #194, #1226; eksctl #253).
 */
import * as path from "node:path";
import type { Command } from "commander";
import { formatOf, legacyJsonFlag, outputFlag } from "../shared/grammar";
import { parseStackName } from "../stacks/names";
import { checkNoLegacyBucket, engineFailure, formatChanges } from "./region";
import type { ChangeSummary } from "../engine/adapter";
import { canAsk, confirmByTyping } from "../shared/confirm";
import { EXIT, UsageError } from "../shared/errors";
import { withProgress } from "../shared/progress";
import type { Act, Deps } from "../shared/deps";

interface DestroyOptions {
  stack: string;
  yes?: boolean;
  json?: boolean;
  output?: string;
}

async function destroy(opts: DestroyOptions, deps: Deps): Promise<number> {
  const root = deps.root();
  const stackFile = `Pulumi.${opts.stack}.yaml`;
  // The offline plan first: a bad or unknown stack file stops here (exit 2), before the engine.
  const [{ Planner }, { projects }] = await Promise.all([import("../plan/planner"), import("../stacks/projects")]);
  const plan = await new Planner(root).planPlatform({ stack: opts.stack });
  // With deletion protection the destroy would delete everything else and then stop at
  // the control plane, leaving a cluster without nodes, plugins or network.
  const eks = plan.resources.find((r) => r.type === "eks:index:Cluster");
  if (eks?.inputs.deletionProtection === true) {
    throw new UsageError(
      `${stackFile}: phoenix:cluster.deletionProtection is true, so the destroy would stop at the EKS control plane after deleting everything else: ` +
        `set it to false, run \`phoenix up --stack ${opts.stack}\`, then destroy`,
    );
  }
  const storageName = (plan.outputs.backupStorage as { storage?: unknown } | undefined)?.storage;
  const storage = typeof storageName === "string" ? storageName : "its backup storage stack";
  const storageStack = typeof storageName === "string" ? parseStackName(storageName)?.stack : undefined;
  const keep = `backup storage stack ${storage} is never destroyed here: its bucket, keys and replica stay (protect and retainOnDelete)`;

  if (!opts.yes) {
    if (!canAsk(deps.io))
      throw new UsageError(`destroy of platform stack ${opts.stack} needs --yes when no terminal can confirm it`);
    deps.io.err(
      `This deletes platform stack ${opts.stack} (${plan.region}): its cluster, plugins, apps and network, and the load balancers Kubernetes made. The ${keep}.\n`,
    );
    if (!(await confirmByTyping(deps.io, `Type the stack name (${opts.stack}) to destroy it:`, opts.stack))) {
      deps.io.err("Not confirmed: nothing was destroyed.\n");
      return EXIT.failed;
    }
  }

  const engine = deps.engine();
  const platform = { project: "platform" as const, workDir: projects(root).platform.dir, stack: opts.stack };
  let summary: ChangeSummary | undefined;
  const failed = await engineFailure(
    () =>
      withProgress(
        [
          {
            title: `platform stack ${opts.stack}: select`,
            run: async () => {
              await engine.ensureStack(platform, { create: false });
              // A platform stack that still holds its backup bucket would delete it.
              await checkNoLegacyBucket(engine, platform, stackFile);
            },
          },
          {
            title: `destroy platform stack ${opts.stack} (pulumi destroy --run-program: the teardown hook runs first)`,
            run: async (update) => {
              summary = await engine.destroy(platform, update);
              update(formatChanges(summary));
            },
          },
        ],
        deps.io,
      ),
    deps.io,
  );
  if (failed) {
    deps.io.err(
      `The ${keep}. Fix the cause and run \`phoenix destroy --stack ${opts.stack}\` again: it goes on from where it stopped.\n`,
    );
    return EXIT.failed;
  }
  if (formatOf(opts, deps.io, "destroy") === "json") {
    deps.io.out(
      JSON.stringify(
        {
          stack: opts.stack,
          operation: "destroy",
          platform: summary ?? {},
          storage: { stack: storage, destroyed: false },
        },
        null,
        2,
      ) + "\n",
    );
    return EXIT.ok;
  }
  deps.io.out(
    [
      `destroy of platform stack ${opts.stack} (${plan.region}):`,
      `  platform: ${summary ? formatChanges(summary) : "-"}`,
      `  backup storage: ${storage}: not touched${storageStack ? ` (${path.join("stacks", "backup-storage", `Pulumi.${storageStack}.yaml`)})` : ""}; its bucket, keys and replica stay`,
      `The stack and ${stackFile} stay: \`phoenix up --stack ${opts.stack}\` builds the platform again and reconnects Velero to the same backups.`,
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}

/** Registers `phoenix destroy`. */
export function registerDestroy(program: Command, act: Act, deps: Deps): void {
  program
    .command("destroy")
    .description(
      "Destroy one region's platform stack (pulumi destroy --run-program, so load balancers Kubernetes made are released first); never its backup storage",
    )
    .requiredOption("-s, --stack <name>", "the region's stack (Pulumi.<name>.yaml)")
    .option("--yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .addOption(outputFlag(["table", "json"], "the change summary"))
    .addOption(legacyJsonFlag())
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix destroy --stack use1                # asks you to type the stack name",
        "  $ PULUMI_BACKEND_URL=s3://my-state-bucket phoenix destroy --stack use1 --yes -o json",
        "",
        "Before Pulumi deletes anything, the teardown hook deletes Argo CD Applications with their resources,",
        "LoadBalancer Services, Ingresses and Gateways, waits until the cluster's load balancers and their",
        "network interfaces are gone, then deletes the security groups left of them. The backup storage",
        "stack (stacks/backup-storage) is never touched.",
        "Needs phoenix:cluster.deletionProtection: false, deployed with `phoenix up`.",
        "Exit status: 0 destroyed; 1 the engine failed, or not confirmed; 2 usage error or a bad stack file.",
      ].join("\n"),
    )
    .action(act((opts: DestroyOptions) => destroy(opts, deps)));
}
