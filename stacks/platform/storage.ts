/**
 * The platform's view of its backups: the backup storage stacks it names, read through
 * `pulumi.StackReference`. The bucket, its key and its replica belong to the storage
 * project and outlive every cluster; the platform only points Velero at them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BackupLocation } from "../../components/plugins/velero";
import { PRIMARY_OUTPUTS, qualifyStackName, REPLICA_OUTPUTS, storageStackName } from "../backup-storage/outputs";
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
    if (typeof v !== "string") throw new Error(`backup storage stack ${stack} has no string output "${name}": run \`phoenix up\` for it first`);
    return v;
  });
}

/** Reads the backup locations a platform stack uses. */
export function readBackupStorage(cfg: PhoenixConfig, opts?: pulumi.CustomResourceOptions): { storage: BackupLocation; restoreFrom?: BackupLocation; stacks: { storage: string; restoreFrom?: string } } {
  const stacks = storageStacks(cfg, pulumi.getOrganization());
  const location = (logical: string, stack: string, names: typeof PRIMARY_OUTPUTS | typeof REPLICA_OUTPUTS): BackupLocation => {
    const ref = new pulumi.StackReference(logical, { name: stack }, opts);
    return { bucket: stringOutput(ref, stack, names.bucket), region: stringOutput(ref, stack, names.region), kmsKeyArn: stringOutput(ref, stack, names.kmsKeyArn) };
  };
  return {
    storage: location("backup-storage", stacks.storage, PRIMARY_OUTPUTS),
    // The replica, not the primary bucket: it lives outside the lost region.
    ...(stacks.restoreFrom ? { restoreFrom: location("restore-source", stacks.restoreFrom, REPLICA_OUTPUTS) } : {}),
    stacks,
  };
}
