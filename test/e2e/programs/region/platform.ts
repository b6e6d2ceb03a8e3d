/**
 * A platform-like program for the region scenario: it reads its backup storage stack as
 * the platform does (stacks/platform/storage.ts: `phoenix-backup-storage/<stack>` in the
 * backend's organization, through a StackReference) and its cluster's name from the
 * Phoenix config, and keeps a record of them. `PHOENIX_E2E_FAIL` in its environment
 * makes it throw, for the engine's own message through the command.
 */
import * as pulumi from "@pulumi/pulumi";
import { PRIMARY_OUTPUTS, storageStackName } from "../../../../stacks/backup-storage/outputs";

if (process.env.PHOENIX_E2E_FAIL) throw new Error(`e2e platform program: ${process.env.PHOENIX_E2E_FAIL}`);

const records: pulumi.dynamic.ResourceProvider = {
  create: (inputs: Record<string, unknown>) => Promise.resolve({ id: String(inputs.cluster), outs: inputs }),
};

class ClusterRecord extends pulumi.dynamic.Resource {
  constructor(name: string, args: { cluster: string; bucket: pulumi.Input<unknown> }) {
    super(records, name, args);
  }
}

const storage = new pulumi.StackReference("backup-storage", {
  name: storageStackName(pulumi.getOrganization(), pulumi.getStack()),
});
const cluster = new pulumi.Config("phoenix").requireObject<{ name: string }>("cluster").name;
const record = new ClusterRecord("cluster", {
  cluster,
  bucket: storage.requireOutput(PRIMARY_OUTPUTS.bucket),
});

export const clusterName = record.id;
export const backupBucket = storage.requireOutput(PRIMARY_OUTPUTS.bucket);
