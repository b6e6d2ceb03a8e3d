/**
 * `phoenix access --stack S`: parse, call ./matrix.ts over the stack's offline plans,
 * print. Who can do what to the backups, before anything is deployed.
 */
import type { Command } from "commander";
import { EXIT, UsageError } from "../shared/errors";
import type { Act, Deps } from "../shared/deps";
import type { Judged } from "./matrix";

interface AccessOptions {
  stack: string;
  output: string;
  account: string;
  admin?: string;
}

function table(rows: readonly Judged[]): string {
  const mark = (r: Judged): string =>
    r.decision === r.expect ? "" : r.todo ? "  (not judged yet)" : "  << NOT AS EXPECTED";
  const lines = rows.map(
    (r) => `${r.who.padEnd(17)} ${r.decision.padEnd(6)} ${r.action.padEnd(38)} ${r.on.padEnd(24)} ${r.why}${mark(r)}`,
  );
  return [`${"WHO".padEnd(17)} ${"RESULT".padEnd(6)} ${"ACTION".padEnd(38)} ${"ON".padEnd(24)} WHY`, ...lines].join(
    "\n",
  );
}

/** Registers `phoenix access`. */
export function registerAccess(program: Command, act: Act, deps: Deps): void {
  program
    .command("access")
    .description(
      "Who may do what to a stack's backups, judged by an independent IAM evaluator (@cloud-copilot/iam-simulate) against the policies the offline plans hold",
    )
    .requiredOption(
      "-s, --stack <name>",
      "the platform stack (required); its backup storage and a drill of it are judged too",
    )
    .option("-o, --output <format>", "table or json", "table")
    .option("--account <id>", "the example account id the placeholders of the plan become", "111122223333")
    .option("--admin <arn>", "the admin to judge (default: the storage stack's first access.admins)")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ phoenix access --stack prod",
        "  $ phoenix access --stack prod -o json | jq '.[] | select(.decision != .expect)'",
        "",
        "Principals: Velero (and a thief of its credentials), a drill's restoring Velero, S3 replication, a restore reader",
        "(phoenix-backup-storage:access.restoreReaders), the read-only preview role, an admin, and an account administrator",
        "who is not an admin. Requests carry aws:PrincipalArn, aws:SecureTransport and, through S3, kms:ViaService and the",
        "encryption context. Rows the evaluator cannot judge yet are marked; AWS itself is the final word.",
        "Exit status: 0 every row as expected; 1 a row is not; 2 usage error.",
      ].join("\n"),
    )
    .action(
      act(async (opts: AccessOptions) => {
        if (opts.output !== "table" && opts.output !== "json")
          throw new UsageError(`-o ${opts.output}: give table or json`);
        if (!/^\d{12}$/.test(opts.account))
          throw new UsageError(`--account ${opts.account}: an AWS account id is 12 digits`);
        const [{ accessPlans }, { worldOf }, { judge, principals }, { ROWS }] = await Promise.all([
          import("./plans"),
          import("./world"),
          import("./matrix"),
          import("./rows"),
        ]);
        const plans = await accessPlans(deps.root(), opts.stack);
        const deployer =
          opts.admin ?? plans.admins.find((a) => !a.endsWith(":root")) ?? `arn:aws:iam::${opts.account}:root`;
        const ex = { account: opts.account, deployer };
        const world = worldOf(plans.storage, [plans.platform], ex);
        const admin = plans.admins.filter((a) => !a.endsWith(":root") && a !== deployer)[0] ?? deployer;
        const who = principals(
          world,
          deployer,
          plans.restoring ? worldOf(plans.storage, [plans.restoring], ex) : undefined,
          plans.restoreReaders[0],
          admin,
        );
        const rows = ROWS.filter((r) => who.some((p) => p.id === r.who));
        const judged: Judged[] = [];
        for (const row of rows) judged.push(await judge(world, who, row));
        deps.io.out((opts.output === "json" ? JSON.stringify(judged, null, 2) : table(judged)) + "\n");
        const wrong = judged.filter((r) => r.decision !== r.expect && !r.todo);
        if (wrong.length > 0)
          deps.io.err(
            `${wrong.length} row(s) not as expected${plans.restoreReaders.length === 0 ? "; no restore reader is set: phoenix-backup-storage:access.restoreReaders" : ""}\n`,
          );
        return wrong.length === 0 ? EXIT.ok : EXIT.failed;
      }),
    );
}
