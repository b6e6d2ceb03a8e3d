/** Pulumi entry point of the backup storage project: one stack per primary region. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config";
import { program } from "./program";

function run(): ReturnType<typeof program> {
  try {
    return program();
  } catch (err) {
    // A RunError prints its message without a stack trace: the message is the report.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const outputs = run();
export const bucket = outputs.bucket;
export const region = outputs.region;
export const kmsKeyArn = outputs.kmsKeyArn;
export const replicaBucket = outputs.replicaBucket;
export const replicaRegion = outputs.replicaRegion;
export const replicaKeyArn = outputs.replicaKeyArn;
