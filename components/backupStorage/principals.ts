/** The storage's principals: the partition, account, administrators and Velero roles, looked up at run time. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStorageArgs } from "./args";
import type { Principals } from "./build";
import { accountRootArn, deployerProblem, veleroRolePattern } from "./policies";

/**
 * The partition, account and principals, looked up at run time: nothing about the
 * account is written into the program. The deploying role is the issuer of the
 * caller's session (an assumed-role ARN names no path; the session context does).
 */
export function principals(parent: pulumi.ComponentResource, args: BackupStorageArgs): Principals {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts);
  const caller = aws.getCallerIdentityOutput({}, opts);
  const deployer = aws.iam.getSessionContextOutput({ arn: caller.arn }, opts).issuerArn;
  const admins = pulumi.all([partition.partition, caller.accountId, deployer]).apply(([p, account, d]) => {
    const list = [...new Set([accountRootArn(p, account), ...args.admins])];
    // The policies written below refuse every change by anyone not listed: a deployer
    // outside the list would lock itself out of its own stack. Refused before anything
    // is written. (Offline, the deployer is a placeholder, not an ARN.)
    const problem = deployerProblem(d, list, args.adminsSetting);
    // A preview writes nothing, and a pull request's runs as the read-only preview
    // role, never an admin: it is told, and the update that would write is refused.
    if (problem && !pulumi.runtime.isDryRun()) throw new Error(problem);
    if (problem)
      void pulumi.log.warn(
        `${problem} (an update by this role is refused; a preview writes nothing, so it goes on)`,
        parent,
      );
    return list;
  });
  const velero = args.veleroRoles
    ? pulumi.output([...args.veleroRoles])
    : pulumi.all([partition.partition, caller.accountId]).apply(([p, account]) => [veleroRolePattern(p, account)]);
  return {
    partition: partition.partition,
    accountId: caller.accountId,
    dnsSuffix: partition.dnsSuffix,
    admins,
    velero,
    restoreReaders: [...(args.restoreReaders ?? [])],
  };
}
