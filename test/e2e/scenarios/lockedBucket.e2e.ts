/**
 * The locked bucket, on real Velero and S3 semantics (MinIO): Velero backs up into the
 * primary as the storage plan locks it (Object Lock, GOVERNANCE default retention); a
 * backup's TTL expiry deletes it by adding delete markers while every locked version
 * stays; and Velero's credentials, holding Phoenix's Velero policy on MinIO, cannot
 * delete a version, shorten or bypass a retention, or change the bucket's protection.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DeleteObjectCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { REFERENCE_CHARTS } from "../../helpers";
import { startCluster, type Cluster } from "../harness/cluster";
import { minioPolicy } from "../harness/iam";
import { applyObjects, getJson, kubectlOk } from "../harness/kubectl";
import { planObjects } from "../harness/manifests";
import { startObjectStores, type ObjectStores } from "../harness/objectStore";
import { planOf, resourceOf, type PlanJson } from "../harness/plan";
import { waitFor } from "../harness/processes";
import { startVelero, VELERO_NS, type Velero } from "../harness/velero";
import { cannotRun, runDir } from "./setup";

const skip = cannotRun(true);
if (skip) console.log(`!!! SKIPPED: the locked bucket: ${skip} !!!`);

/** The policy's AccessDenied, or the lock's own refusal (MinIO: InvalidRequest, "Object is WORM protected"). */
const LOCKED_OR_DENIED = /^(AccessDenied|InvalidRequest: Object is WORM protected)/;

/** How the server refused a request: the error's name and message. */
async function refused(what: Promise<unknown>): Promise<string> {
  try {
    await what;
  } catch (err) {
    return `${(err as { name?: string }).name ?? "Error"}: ${(err as Error).message}`;
  }
  assert.fail("the request was allowed");
}

describe("the locked bucket on real Velero and S3 semantics", { skip }, () => {
  let dir = "";
  let plan: PlanJson;
  let stores: ObjectStores;
  let cluster: Cluster;
  let velero: Velero;
  let asVelero: S3Client;
  const backup = `ttl-${Date.now().toString(36)}`;
  const versionsOf = async (s3: S3Client): Promise<{ key: string; version: string; marker: boolean }[]> => {
    const out = await s3.send(
      new ListObjectVersionsCommand({ Bucket: stores.primary.bucket, Prefix: `backups/${backup}/` }),
    );
    return [
      ...(out.Versions ?? []).map((v) => ({ key: v.Key ?? "", version: v.VersionId ?? "", marker: false })),
      ...(out.DeleteMarkers ?? []).map((v) => ({ key: v.Key ?? "", version: v.VersionId ?? "", marker: true })),
    ];
  };

  before(async () => {
    dir = runDir("locked");
    plan = planOf("prod");
    stores = await startObjectStores(path.join(dir, "s3"), planOf("prod", { storage: true }));
    const { policy, dropped } = minioPolicy(
      String(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy", "velero").inputs.policy),
      {
        "<computed: aws:s3/bucket:Bucket backups.bucket>": stores.primary.bucket,
      },
    );
    console.log(`Phoenix's Velero policy on MinIO; not tried here (no MinIO counterpart): ${dropped.join(", ")}`);
    const who = stores.addUser(stores.primary, "velero", policy);
    asVelero = stores.client(stores.primary, who);
    cluster = await startCluster("locked", path.join(dir, "cluster"));
    applyObjects(
      cluster.kubeconfigPath,
      planObjects(plan).filter(
        (o) => o.kind === "Namespace" && ["ml-models", "payments-ledger"].includes(o.metadata.name),
      ),
    );
    kubectlOk(cluster.kubeconfigPath, [
      "create",
      "configmap",
      "ledger-config",
      "-n",
      "payments-ledger",
      "--from-literal=k=v",
    ]);
    // Garbage collection every few seconds instead of Velero's hourly default, so an expired backup goes now.
    velero = await startVelero(cluster, plan, {
      chartsRoot: REFERENCE_CHARTS,
      store: stores.primary,
      who,
      repositoryPassword: "e2e-locked",
      extraArgs: ["--garbage-collection-frequency=5s"],
    });
  });

  after(async () => {
    await velero?.stop();
    await cluster?.stop();
    await stores?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("Velero backs up into the locked bucket: every object it writes carries the default retention", async () => {
    const schedule = getJson<{ items: { spec: { template: Record<string, unknown> } }[] }>(cluster.kubeconfigPath, [
      "schedules.velero.io",
      "-n",
      VELERO_NS,
    ]).items[0];
    // The schedule's own Backup template, with a TTL of seconds so that it expires in this test.
    const manifest = {
      apiVersion: "velero.io/v1",
      kind: "Backup",
      metadata: { name: backup, namespace: VELERO_NS },
      spec: { ...schedule.spec.template, ttl: "10s" },
    };
    kubectlOk(cluster.kubeconfigPath, ["create", "-f", "-"], JSON.stringify(manifest));
    await waitFor(
      "the backup to complete",
      () =>
        getJson<{ status?: { phase?: string } }>(cluster.kubeconfigPath, ["backups.velero.io", backup, "-n", VELERO_NS])
          .status?.phase === "Completed",
      velero.proc,
      120_000,
    );
    const versions = await versionsOf(stores.client(stores.primary));
    assert.ok(
      versions.some((v) => v.key.endsWith(`${backup}.tar.gz`)),
      versions.map((v) => v.key).join(", "),
    );
    const tarball = versions.find((v) => v.key.endsWith(`${backup}.tar.gz`)) as { key: string; version: string };
    const retention = await stores
      .client(stores.primary)
      .send(
        new GetObjectRetentionCommand({ Bucket: stores.primary.bucket, Key: tarball.key, VersionId: tarball.version }),
      );
    assert.equal(retention.Retention?.Mode, "GOVERNANCE");
  });

  it("a TTL expiry deletes the backup with delete markers; every locked version stays", async () => {
    await waitFor(
      "Velero's garbage collection to delete the expired backup",
      () =>
        !getJson<{ items: { metadata: { name: string } }[] }>(cluster.kubeconfigPath, [
          "backups.velero.io",
          "-n",
          VELERO_NS,
        ]).items.some((b) => b.metadata.name === backup),
      velero.proc,
      120_000,
    );
    const versions = await versionsOf(stores.client(stores.primary));
    const keys = [...new Set(versions.filter((v) => !v.marker).map((v) => v.key))];
    assert.ok(keys.length >= 3, keys.join(", "));
    for (const key of keys)
      assert.ok(
        versions.some((v) => v.key === key && v.marker),
        `no delete marker on ${key}`,
      );
  });

  it("Velero's credentials cannot delete a version, shorten or bypass a retention, or change the bucket's protection", async () => {
    const [locked] = (await versionsOf(stores.client(stores.primary))).filter((v) => !v.marker);
    const bucket = stores.primary.bucket;
    const soon = new Date(Date.now() + 60_000);
    // A plain delete of a version: MinIO answers with the lock's refusal before the policy's; either stops it.
    assert.match(
      await refused(
        asVelero.send(new DeleteObjectCommand({ Bucket: bucket, Key: locked.key, VersionId: locked.version })),
      ),
      LOCKED_OR_DENIED,
    );
    // With the bypass header the lock would give way to a principal allowed s3:BypassGovernanceRetention: the policy's deny is what stops it.
    assert.match(
      await refused(
        asVelero.send(
          new DeleteObjectCommand({
            Bucket: bucket,
            Key: locked.key,
            VersionId: locked.version,
            BypassGovernanceRetention: true,
          }),
        ),
      ),
      /^AccessDenied/,
    );
    assert.match(
      await refused(
        asVelero.send(
          new PutObjectRetentionCommand({
            Bucket: bucket,
            Key: locked.key,
            VersionId: locked.version,
            Retention: { Mode: "GOVERNANCE", RetainUntilDate: soon },
            BypassGovernanceRetention: true,
          }),
        ),
      ),
      /^AccessDenied/,
    );
    assert.match(
      await refused(
        asVelero.send(
          new PutObjectLockConfigurationCommand({
            Bucket: bucket,
            ObjectLockConfiguration: {
              ObjectLockEnabled: "Enabled",
              Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } },
            },
          }),
        ),
      ),
      /^AccessDenied/,
    );
    assert.match(
      await refused(
        asVelero.send(
          new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }),
        ),
      ),
      /^AccessDenied/,
    );
    // A delete marker carries no retention, so only the policy's explicit deny of s3:DeleteObjectVersion keeps Velero from removing one (which would bring a deleted backup back, or hide a deletion).
    const marker = (await versionsOf(stores.client(stores.primary))).find((v) => v.marker) as {
      key: string;
      version: string;
    };
    assert.match(
      await refused(
        asVelero.send(new DeleteObjectCommand({ Bucket: bucket, Key: marker.key, VersionId: marker.version })),
      ),
      /^AccessDenied/,
    );
    // Even the servers' root, without the bypass, cannot delete a locked version: the lock itself refuses.
    assert.match(
      await refused(
        stores
          .client(stores.primary)
          .send(new DeleteObjectCommand({ Bucket: bucket, Key: locked.key, VersionId: locked.version })),
      ),
      /WORM protected/,
    );
  });
});
