/**
 * The backup storage program as a function: read the stack's config, validate it,
 * declare the storage, return its outputs (the contract in ./outputs.ts). `index.ts`
 * runs it under the real engine; the offline plan runs the same function under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupStorage } from "../../components/backupStorage";
import { parseStorageConfig } from "./config";
import type { BackupStorageOutputs } from "./outputs";

/** The storage stack's outputs, as Pulumi outputs. */
export type StorageProgramOutputs = {
  readonly [K in keyof BackupStorageOutputs]: pulumi.Input<BackupStorageOutputs[K]>;
};

/** Runs the program for the current stack and returns its stack outputs. */
export function program(): StorageProgramOutputs {
  const cfg = parseStorageConfig(pulumi.runtime.allConfig(), {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
  });
  const storage = new BackupStorage("backups", {
    region: cfg.region,
    replicaRegion: cfg.replication?.region,
    noncurrentVersionDays: cfg.noncurrentVersionDays,
    objectLock: cfg.objectLock.enabled ? { mode: cfg.objectLock.mode, days: cfg.objectLock.days } : undefined,
    admins: cfg.access.admins,
    adminsSetting: `${cfg.project}:access.admins in ${cfg.stackFile}`,
    veleroRoles: cfg.access.veleroRoles,
    restoreReaders: cfg.access.restoreReaders,
    accessLogDays: cfg.accessLogs.expireDays,
    tags: { ...cfg.tags, "phoenix:stack": cfg.stack },
    movedFromPrefix: cfg.movedFromPrefix,
  });
  return {
    bucket: storage.bucket,
    region: storage.region,
    kmsKeyArn: storage.kmsKeyArn,
    repositoryPasswordSecretArn: storage.repositoryPasswordSecretArn,
    ...(storage.objectLock ? { objectLockMode: storage.objectLock.mode, objectLockDays: storage.objectLock.days } : {}),
    ...(storage.replica
      ? {
          replicaBucket: storage.replica.bucket,
          replicaRegion: storage.replica.region,
          replicaKeyArn: storage.replica.kmsKeyArn,
          replicaRepositoryPasswordSecretArn: storage.replica.repositoryPasswordSecretArn,
        }
      : {}),
  };
}
