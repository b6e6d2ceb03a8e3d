/**
 * The platform's view of its backups: the backup storage stacks it names, read through
 * `pulumi.StackReference`. The bucket, its key and its replica belong to the storage
 * project and outlive every cluster; the platform only points Velero at them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupLocation } from "../../components/plugins/velero";
import {
  LOCK_OUTPUTS,
  PRIMARY_OUTPUTS,
  qualifyStackName,
  REPLICA_OUTPUTS,
  storageStackName,
} from "../backup-storage/outputs";
import { ConfigError } from "../config";
import { lockRetentionProblems } from "./backupLock";
import type { PhoenixConfig } from "./config";

/** The storage stacks a platform stack reads: its own, and another region's when it restores from one. */
export function storageStacks(cfg: PhoenixConfig, organization: string): { storage: string; restoreFrom?: string } {
  return {
    storage: qualifyStackName(cfg.backups.storage.stack ?? storageStackName(organization, cfg.stack), organization),
    ...(cfg.backups.restoreFrom ? { restoreFrom: qualifyStackName(cfg.backups.restoreFrom.stack, organization) } : {}),
  };
}

/** A string output of a storage stack; a missing one fails the run with the stack and output named. */
function stringOutput(ref: pulumi.StackReference, stack: string, name: string): pulumi.Output<string> {
  return ref.requireOutput(name).apply((v: unknown) => {
    if (typeof v !== "string")
      throw new Error(`backup storage stack ${stack} has no string output "${name}": run \`phoenix up\` for it first`);
    return v;
  });
}

/** What a platform stack reads of its backup storage. */
export interface StorageReads {
  readonly storage: BackupLocation;
  readonly restoreFrom?: BackupLocation;
  /**
   * The kopia repository password (secret), from Secrets Manager at deploy time: the
   * restore source's replica secret when the stack restores from another region (its
   * repositories were written with that password), else its own storage's.
   */
  readonly repositoryPassword: pulumi.Output<string>;
  readonly stacks: { storage: string; restoreFrom?: string };
}

/** Reads the backup locations a platform stack uses. */
export function readBackupStorage(cfg: PhoenixConfig, opts?: pulumi.CustomResourceOptions): StorageReads {
  const stacks = storageStacks(cfg, pulumi.getOrganization());
  const read = (logical: string, stack: string, names: typeof PRIMARY_OUTPUTS | typeof REPLICA_OUTPUTS) => {
    const ref = new pulumi.StackReference(logical, { name: stack }, opts);
    const region = stringOutput(ref, stack, names.region);
    const secretArn = stringOutput(ref, stack, names.repositoryPasswordSecretArn);
    // The secret lives in the bucket's region (the replica's for a restore source). Read
    // only when the engine applies: a preview (a pull request's, under a read-only role
    // the secret's policy refuses) needs no password, and the cluster's copy never
    // changes once made (components/plugins/velero/index.ts ignores changes to it).
    const password = pulumi.runtime.isDryRun()
      ? pulumi.output<string>(pulumi.unknown as unknown as string)
      : aws.secretsmanager.getSecretVersionOutput({ secretId: secretArn, region }, { parent: opts?.parent })
          .secretString;
    return {
      ref,
      location: {
        bucket: stringOutput(ref, stack, names.bucket),
        region,
        kmsKeyArn: stringOutput(ref, stack, names.kmsKeyArn),
      },
      password: pulumi.secret(password),
    };
  };
  const own = read("backup-storage", stacks.storage, PRIMARY_OUTPUTS);
  // Refused at deploy time too (the offline plan refuses it first): a schedule whose
  // backups outlive the storage's lock. The bucket name carries the check, so nothing
  // that writes there is declared when it fails.
  const bucket = pulumi
    .all([own.location.bucket, own.ref.getOutput(LOCK_OUTPUTS.days)])
    .apply(([name, days]: [string, unknown]) => {
      const problems = lockRetentionProblems(cfg, stacks.storage, typeof days === "number" ? days : undefined);
      if (problems.length > 0) throw new ConfigError(cfg.stackFile, problems);
      return name;
    });
  // The replica, not the primary bucket: it lives outside the lost region.
  const source = stacks.restoreFrom ? read("restore-source", stacks.restoreFrom, REPLICA_OUTPUTS) : undefined;
  return {
    storage: { ...own.location, bucket },
    ...(source ? { restoreFrom: source.location } : {}),
    repositoryPassword: (source ?? own).password,
    stacks,
  };
}
