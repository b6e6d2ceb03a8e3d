/**
 * Recreating a cluster keeps its backups: the platform stack's plan before and after a
 * destroy-and-recreate points Velero at the same storage, the storage stack's. The engine
 * is emulated as a real one behaves: every resource without an explicit physical name
 * gets a fresh random suffix each time it is created, so a bucket declared inside the
 * platform (as Phoenix once did) would come back under a new, empty name.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { evaluateOffline, resolve, type RecordedResource } from "../../../cli/plan/runtime";
import { loadStack } from "../../../cli/stacks/stackFile";
import { ROOT } from "../../helpers";

/** Mocks that auto-name buckets, keys and roles like the engine: `<name>-<7 random hex>` per creation. */
function autoNaming(inner: pulumi.runtime.Mocks): pulumi.runtime.Mocks {
  return {
    call: (args) => inner.call(args),
    newResource: async (args) => {
      const result = await inner.newResource(args);
      const physical = `${args.name}-${randomBytes(4).toString("hex").slice(0, 7)}`;
      const named: Record<string, unknown> = { ...(result.state as Record<string, unknown>) };
      if (args.type === "aws:s3/bucket:Bucket" && (args.inputs as Record<string, unknown>).bucket === undefined)
        named.bucket = physical;
      if (args.type === "aws:kms/key:Key") named.arn = `arn:aws:kms:eu-west-1:111122223333:key/${physical}`;
      return { id: result.id, state: named };
    },
  };
}

async function deployStorage(): Promise<Record<string, unknown>> {
  const loaded = loadStack(path.join(ROOT, "stacks", "backup-storage"), "prod");
  const { program } = await import("../../../stacks/backup-storage/program");
  const run = await evaluateOffline({ ...loaded, wrapMocks: autoNaming }, program);
  return (await resolve(run.outputs)) as Record<string, unknown>;
}

async function createPlatform(storage: Record<string, unknown>): Promise<RecordedResource[]> {
  const loaded = loadStack(ROOT, "prod");
  const { program } = await import("../../../stacks/platform/program");
  const run = await evaluateOffline(
    { ...loaded, wrapMocks: autoNaming, stackOutputs: { "organization/phoenix-backup-storage/prod": storage } },
    program,
  );
  return run.resources;
}

function veleroLocation(resources: readonly RecordedResource[]): unknown {
  const velero = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "velero");
  return (velero?.inputs.values as { configuration: { backupStorageLocation: unknown } }).configuration
    .backupStorageLocation;
}

describe("recreating a platform stack", () => {
  it("points Velero at the same backup storage before and after a destroy-and-recreate", async () => {
    const storage = await deployStorage();
    assert.match(String(storage.bucket), /^backups-[0-9a-f]{7}$/, "the storage bucket got an engine-made name");
    // The emulation is sharp: a bucket created on every `up` comes back under a new name.
    assert.notEqual((await deployStorage()).bucket, storage.bucket);
    const before = await createPlatform(storage);
    // `pulumi destroy` of the platform leaves the storage stack untouched; `pulumi up` creates everything anew.
    const after = await createPlatform(storage);
    assert.deepEqual(veleroLocation(before), veleroLocation(after));
    assert.deepEqual(veleroLocation(after), [
      { name: "default", provider: "aws", bucket: storage.bucket, default: true, config: { region: storage.region } },
    ]);
  });

  it("owns no bucket and no backup key: a platform destroy cannot take the backups", async () => {
    const resources = await createPlatform(await deployStorage());
    const owned = resources.filter((r) => /^aws:(s3|kms)\//.test(r.type));
    // The only keys are the cluster's own (its secrets, its control-plane logs), which die with the cluster by design.
    assert.deepEqual(owned.map((r) => `${r.type} ${r.name}`).sort(), [
      "aws:kms/alias:Alias phoenix-prod-secrets",
      "aws:kms/key:Key phoenix-prod-logs",
      "aws:kms/key:Key phoenix-prod-secrets",
    ]);
    assert.deepEqual(
      resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.inputs.name),
      ["organization/phoenix-backup-storage/prod"],
    );
  });
});
