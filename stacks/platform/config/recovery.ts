/** `phoenix:recovery`: what a recovery must achieve (RTO, RPO) and how long its waits may take. */
import { z } from "zod";
import { strictObject } from "../../config";

const minutes = (what: string) =>
  z
    .number({ error: `must be a whole number of minutes (${what})` })
    .int()
    .positive();

export const recoverySchema = strictObject({
  rtoMinutes: minutes("recovery time objective").default(60).meta({
    description:
      "Recovery time objective, in minutes: from the start of a drill or recovery to a verified restore. A drill over it fails.",
  }),
  rpoMinutes: minutes("recovery point objective").default(1440).meta({
    description:
      "Recovery point objective, in minutes: the restored backup's age plus the replication lag when it can be read. A drill over it fails.",
  }),
  expectedDataGiB: z
    .number({ error: "must be a number of GiB (volume data to restore)" })
    .nonnegative()
    .default(10)
    .meta({
      description:
        "Volume data the imperative namespaces hold, in GiB: the rehearsal restores it at the published rate of `phoenix:plugins.velero.volumeBackup` (file-system: kopia's low 6 MB/s, 30 MB/s shown beside it, velero #5920; data mover: its one published 148 MiB/s) and counts its backup time in the worst-case RPO.",
    }),
  expectedItems: z
    .number({ error: "must be a whole number (objects to restore)" })
    .int()
    .nonnegative()
    .default(500)
    .meta({
      description:
        "Objects the imperative namespaces hold, for the same model as `expectedDataGiB`: what the modeled RTO restores.",
    }),
  expectedLoadBalancers: z
    .number({ error: "must be a whole number (load balancers the apps create)" })
    .int()
    .nonnegative()
    .default(1)
    .meta({
      description:
        "Load balancers the apps' Ingresses and Services make (through the load balancer controller, outside the plan), for the cost model of a standby and of a drill.",
    }),
  maxDrillAgeDays: z
    .number({ error: "must be a whole number of days (the oldest a passing drill may be)" })
    .int()
    .positive()
    .default(35)
    .meta({
      description:
        "`phoenix status` fails when this stack's last passing drill is older than this many days, or there is none: a recovery nobody proved lately is a guess. 35 is a monthly drill with a few days' slack.",
    }),
  gitopsTimeoutMinutes: minutes("gitops wait").default(20).meta({
    description: "How long a recovery waits, in minutes, for every Argo CD Application to be Synced and Healthy.",
  }),
  restoreTimeoutMinutes: minutes("restore wait")
    .default(60)
    .meta({ description: "How long a recovery waits, in minutes, for Velero's restore and its pod volume restores." }),
}).prefault({});

export type RecoverySettings = z.output<typeof recoverySchema>;
