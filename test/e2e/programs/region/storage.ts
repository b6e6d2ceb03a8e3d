/**
 * A storage-like program for the region scenario: what the backup storage project exports
 * (its bucket, region and DR replica, by the output names the platform reads), from its
 * own stack config, and a record the engine keeps with `protect` and `retainOnDelete`, as
 * the real buckets are kept. A dynamic resource: no provider plugin, no AWS.
 */
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_STORAGE_PROJECT } from "../../../../stacks/backup-storage/outputs";

const records: pulumi.dynamic.ResourceProvider = {
  create: (inputs: Record<string, unknown>) => Promise.resolve({ id: String(inputs.name), outs: inputs }),
};

class Kept extends pulumi.dynamic.Resource {
  constructor(name: string, args: { name: string }, opts: pulumi.CustomResourceOptions) {
    super(records, name, args, opts);
  }
}

const region = new pulumi.Config("aws").require("region");
const replica = new pulumi.Config(BACKUP_STORAGE_PROJECT).requireObject<{ region: string }>("replication").region;
const backups = new Kept(
  "backups",
  { name: `phoenix-${pulumi.getStack()}-backups` },
  { protect: true, retainOnDelete: true },
);

// The names of PRIMARY_OUTPUTS and REPLICA_OUTPUTS (stacks/backup-storage/outputs.ts), which the platform reads.
export const bucket = backups.id;
export { region };
export const replicaBucket = `phoenix-${pulumi.getStack()}-backups-replica`;
export const replicaRegion = replica;
