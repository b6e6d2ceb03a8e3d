/** `phoenix:plugins`: each plugin's settings, validated by the schema its registry entry carries. */
import type { z } from "zod";
import { pluginSettingsShape } from "../../../components/plugins/registry";
import { strictObject } from "../../config";

export const pluginsSchema = strictObject(pluginSettingsShape())
  .refine(
    (p) =>
      (p.loadBalancerController.gatewayApi && p.loadBalancerController.enabled) ||
      !p.externalDns.sources.some((s) => s.startsWith("gateway-")),
    {
      // external-dns fails to start when a source's CRDs are missing.
      error:
        "gateway-* sources need the Gateway API CRDs, which come with loadBalancerController (enabled and gatewayApi: true)",
      path: ["externalDns", "sources"],
    },
  )
  .prefault({});

/** Plugin settings with defaults applied (for tests and tools that build the plugins layer alone). */
export function parsePluginSettings(raw: unknown): z.output<typeof pluginsSchema> {
  return pluginsSchema.parse(raw);
}

/**
 * Velero keys that moved to the backup storage project (stacks/backup-storage) when the
 * backups got a lifecycle of their own: each names where it lives now, so an older stack
 * file fails with the fix instead of "unknown key".
 */
export const MOVED_VELERO_KEYS: Readonly<Record<string, string>> = {
  replication:
    "set replication.region in the backup storage stack file, stacks/backup-storage/Pulumi.<stack>.yaml (phoenix-backup-storage:replication)",
  noncurrentVersionDays:
    "set it in the backup storage stack file, stacks/backup-storage/Pulumi.<stack>.yaml (phoenix-backup-storage:noncurrentVersionDays)",
  restoreFrom:
    "name the primary's backup storage stack instead: phoenix:backups.restoreFrom.stack: <organization>/phoenix-backup-storage/<primary stack>",
};
