/** Pulumi entry point of the backup storage project: one stack per primary region. */
import { ConfigError } from "../config";
import { runReportingInputErrors } from "../entry";
import { program } from "./program";

const outputs = runReportingInputErrors(program, [ConfigError]);
export const bucket = outputs.bucket;
export const region = outputs.region;
export const kmsKeyArn = outputs.kmsKeyArn;
export const repositoryPasswordSecretArn = outputs.repositoryPasswordSecretArn;
export const objectLockMode = outputs.objectLockMode;
export const objectLockDays = outputs.objectLockDays;
export const replicaBucket = outputs.replicaBucket;
export const replicaRegion = outputs.replicaRegion;
export const replicaKeyArn = outputs.replicaKeyArn;
export const replicaRepositoryPasswordSecretArn = outputs.replicaRepositoryPasswordSecretArn;
