/** Velero's stack settings (`phoenix:plugins.velero`). */
import { z } from "zod";
import { strictSettings } from "../settings";

/**
 * Stack settings of Velero (`phoenix:plugins.velero`). Where the backups live is not a
 * plugin setting: the bucket, its replica and their keys belong to the backup storage
 * project (stacks/backup-storage), and the composition hands them in as `VeleroInputs`.
 */
export const veleroSettingsSchema = strictSettings({
  fsBackup: z.boolean().default(true).meta({
    description:
      "File-system (kopia, node agent) volume backups instead of EBS snapshots, restorable across regions. EBS snapshots cannot be restored in another region (velero #103, #7007), so this is on by default: a replica region must be able to restore.",
  }),
}).prefault({});

/** Validated Velero settings. */
export type VeleroSettings = z.output<typeof veleroSettingsSchema>;
