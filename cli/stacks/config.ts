/**
 * Validating a stack file's config, for either project: the typed config, or a
 * ConfigError naming the file, each key and its fix. Imported where a command needs it
 * (it loads the zod schemas of every section).
 */
export { parseStorageConfig } from "../../stacks/backup-storage/config";
export { parseStackConfig } from "../../stacks/platform/config";
