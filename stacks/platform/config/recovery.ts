/** `phoenix:recovery`: what a recovery must achieve (RTO, RPO) and how long its waits may take. */
import { z } from "zod";
import { strictObject } from "../../config";

const minutes = (what: string) => z.number({ error: `must be a whole number of minutes (${what})` }).int().positive();

export const recoverySchema = strictObject({
  /** Recovery time objective: from the start of a recovery to a verified restore. A drill over it fails. */
  rtoMinutes: minutes("recovery time objective").default(60),
  /** Recovery point objective: the age of the restored backup's data, replication lag included. A drill over it fails. */
  rpoMinutes: minutes("recovery point objective").default(1440),
  /** Volume data the imperative namespaces hold, in GiB: what the modeled RTO restores and the modeled RPO backs up. */
  expectedDataGiB: z.number({ error: "must be a number of GiB (volume data to restore)" }).nonnegative().default(10),
  /** Objects the imperative namespaces hold: what the modeled RTO restores. */
  expectedItems: z.number({ error: "must be a whole number (objects to restore)" }).int().nonnegative().default(500),
  /** How long the gitops phase waits for every Argo CD Application to be Synced and Healthy. */
  gitopsTimeoutMinutes: minutes("gitops wait").default(20),
  /** How long the restore phase waits for Velero's restore and its pod volume restores. */
  restoreTimeoutMinutes: minutes("restore wait").default(60),
}).prefault({});

export type RecoverySettings = z.output<typeof recoverySchema>;
