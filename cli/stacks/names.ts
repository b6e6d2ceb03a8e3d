/**
 * The stacks' shared contract as the command reads it: stack and project names, the
 * storage outputs a platform stack reads, config errors, and the types of what a plan
 * holds. With ./config.ts and ./programs.ts, the only door from `cli/` into `stacks/`
 * (test/hygiene.test.ts holds it), so a change of that contract shows in one folder.
 * Light at load: nothing here starts zod schemas or Pulumi.
 */
export {
  BACKUP_STORAGE_PROJECT,
  LOCK_OUTPUTS,
  REPLICA_OUTPUTS,
  parseStackName,
  storageStackName,
} from "../../stacks/backup-storage/outputs";
export {
  ConfigError,
  goDurationSeconds,
  OFFLINE_SECRET_PREFIX,
  stackFileName,
  type ConfigProblem,
} from "../../stacks/config";
export type { NamespaceRow, RestoreCheck } from "../../stacks/platform/composition";
export type { PhoenixConfig } from "../../stacks/platform/config";
export { STANDBY_INSTANCE_TYPE, standbySystemNodes } from "../../stacks/platform/config/standbyDefaults";
export { CLUSTER_NAMESPACES, type Inventory, type NamespaceClass } from "../../stacks/platform/inventory";
