/** `phoenix:recovery`: what a recovery must achieve (RTO, RPO) and how long its waits may take. */
import { z } from "zod";
import { strictObject } from "../../config";

const minutes = (what: string) => z.number({ error: `must be a whole number of minutes (${what})` }).int().positive();

export const recoverySchema = strictObject({
  /** Recovery time objective: from the start of a recovery to a verified restore. A drill over it fails. */
  rtoMinutes: minutes("recovery time objective").default(60),
  /** Recovery point objective: the age of the restored backup's data, replication lag included. A drill over it fails. */
  rpoMinutes: minutes("recovery point objective").default(1440),
  /** How long the gitops phase waits for every Argo CD Application to be Synced and Healthy. */
  gitopsTimeoutMinutes: minutes("gitops wait").default(20),
  /** How long the restore phase waits for Velero's restore and its pod volume restores. */
  restoreTimeoutMinutes: minutes("restore wait").default(60),
}).prefault({});

export type RecoverySettings = z.output<typeof recoverySchema>;
