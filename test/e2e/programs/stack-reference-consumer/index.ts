/**
 * Reads another project's stack as the platform reads its backup storage
 * (stacks/platform/storage.ts): `source` is `<project>/<stack>`, qualified with the
 * backend's organization by Phoenix's own `qualifyStackName`.
 */
import * as pulumi from "@pulumi/pulumi";
import { qualifyStackName } from "../../../../stacks/backup-storage/outputs";

const source = qualifyStackName(new pulumi.Config().require("source"), pulumi.getOrganization());
const ref = new pulumi.StackReference("source", { name: source });

export const sourceName = source;
export const host = ref.requireOutput("host");
export const password = ref.requireOutput("secretPassword");
