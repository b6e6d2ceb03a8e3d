/** Pulumi entry point (package.json "main"): one stack per region. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config";
import { InventoryError } from "./inventory";
import { program } from "./program";

function run(): ReturnType<typeof program> {
  try {
    return program();
  } catch (err) {
    // A RunError prints its message without a stack trace: the message is the report.
    if (err instanceof ConfigError || err instanceof InventoryError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const outputs = run();
export const region = outputs.region;
export const clusterName = outputs.clusterName;
export const kubeconfig = outputs.kubeconfig;
export const backupBucket = outputs.backupBucket;
export const imperativeNamespaces = outputs.imperativeNamespaces;
export const namespaces = outputs.namespaces;
export const backupStorage = outputs.backupStorage;
export const restoreModifiers = outputs.restoreModifiers;
