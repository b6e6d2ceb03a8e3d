/** Velero's stack settings (`phoenix:plugins.velero`). */
import { z } from "zod";
import { strictSettings } from "../settings";

/**
 * How Velero copies the imperative namespaces' volumes:
 * - `file-system`: kopia reads each pod's mounted files through the node agent;
 * - `data-mover`: a CSI snapshot of each claim, whose data the node agent's data mover
 *   copies with kopia into the backup bucket, then deletes (`snapshotMoveData`);
 * - `ebs-snapshots`: EBS snapshots left in the cluster's region.
 * The first two land in the bucket, so a replica region can restore them; EBS
 * snapshots cannot be restored in another region (velero #103, #7007).
 */
export const VOLUME_BACKUP_METHODS = ["file-system", "data-mover", "ebs-snapshots"] as const;
export type VolumeBackupMethod = (typeof VOLUME_BACKUP_METHODS)[number];

const shape = {
  volumeBackup: z.enum(VOLUME_BACKUP_METHODS).optional().meta({
    description:
      "How volumes are backed up: `file-system` (kopia reads each pod's files through the node agent), `data-mover` (a CSI snapshot of each claim, copied into the backup bucket by Velero's data mover and then deleted; restores far faster, 148 MiB/s in the one published sample against 6-30 MB/s for file-system restores, velero #5920; needs CSI volumes: Phoenix adds the snapshot-controller add-on and a VolumeSnapshotClass), or `ebs-snapshots` (kept in the cluster's region: no other region can restore them, velero #103, #7007). Both of the first two are restorable by a replica region.",
    default: "`file-system`",
  }),
  fsBackup: z.boolean().optional().meta({
    description:
      "Deprecated spelling of `volumeBackup`: `true` is `file-system`, `false` is `ebs-snapshots`. Set `volumeBackup` instead; both together are an error.",
  }),
};

/**
 * Stack settings of Velero (`phoenix:plugins.velero`). Where the backups live is not a
 * plugin setting: the bucket, its replica and their keys belong to the backup storage
 * project (stacks/backup-storage), and the composition hands them in as `VeleroInputs`.
 */
export const veleroSettingsSchema = strictSettings(shape)
  .superRefine((s, ctx) => {
    if (s.volumeBackup !== undefined && s.fsBackup !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["fsBackup"],
        message: `both volumeBackup and the deprecated fsBackup are set: remove fsBackup (volumeBackup: ${s.volumeBackup} decides)`,
      });
  })
  .transform((s): { volumeBackup: VolumeBackupMethod } => ({
    volumeBackup: s.volumeBackup ?? (s.fsBackup === false ? "ebs-snapshots" : "file-system"),
  }))
  .prefault({});

/** Validated Velero settings. */
export type VeleroSettings = z.output<typeof veleroSettingsSchema>;

/** Whether the node agent runs: it moves the data of file-system backups and of the data mover. */
export function usesNodeAgent(method: VolumeBackupMethod): boolean {
  return method !== "ebs-snapshots";
}
