/** Pulumi entry point (package.json "main"): one stack per region. */
import { ConfigError } from "../config";
import { runReportingInputErrors } from "../entry";
import { InventoryError } from "./inventory";
import { program } from "./program";

const outputs = runReportingInputErrors(program, [ConfigError, InventoryError]);
export const region = outputs.region;
export const clusterName = outputs.clusterName;
export const kubeconfig = outputs.kubeconfig;
export const vpcId = outputs.vpcId;
export const backupBucket = outputs.backupBucket;
export const imperativeNamespaces = outputs.imperativeNamespaces;
export const namespaces = outputs.namespaces;
export const backupStorage = outputs.backupStorage;
export const restoreModifiers = outputs.restoreModifiers;
export const restoreChecks = outputs.restoreChecks;
