/**
 * The real bucket adapter (`@aws-sdk/client-s3`) against a local S3-compatible server
 * (s3rver) holding backups laid out exactly as Velero lays them out.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { openBackupStore } from "../../../cli/recovery/s3";
import { ledgerObjects } from "./fixtures";
import { localS3, putBackup, putRestoreRecord, type LocalS3 } from "./servers";

/** Velero v1.18.1's warning for an object that exists and differs (pkg/restore/restore.go:1622), as a real restore wrote it. */
const KUBE_ROOT_CA_WARNING =
  'could not restore, ConfigMap "kube-root-ca.crt" already exists. Warning: the in-cluster version is different than the backed-up version';

describe("the S3 backup store, against a local S3 server", () => {
  let s3: LocalS3;
  before(async () => {
    s3 = await localS3(["replica", "empty"]);
    await putBackup(s3, "replica", "velero-hourly-20261127060000", ledgerObjects(), {
      completed: "2026-11-27T06:00:30Z",
    });
    await putBackup(s3, "replica", "velero-hourly-20261127070000", ledgerObjects(), {
      completed: "2026-11-27T07:00:30Z",
      hooks: { attempted: 2, failed: 0 },
    });
    // As Velero v1.18.1 wrote them in test/e2e/scenarios/backupRestore.e2e.ts: an object that exists and differs is a warning and `(failed)`.
    await putRestoreRecord(
      s3,
      "replica",
      "r1",
      { warnings: { namespaces: { "payments-ledger": [KUBE_ROOT_CA_WARNING] } }, errors: {} },
      { "v1/ConfigMap": ["payments-ledger/ledger-config(created)", "payments-ledger/kube-root-ca.crt(failed)"] },
    );
  });
  after(async () => s3.close());

  it("lists a namespace's kopia repository and nothing of the next namespace's (pages: the SDK's paginator; s3rver errs on a second page)", async () => {
    const store = openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client);
    await s3.put("replica", "kopia/payments-ledger/kopia.repository", "format");
    for (let i = 0; i < 10; i++)
      await s3.put("replica", `kopia/payments-ledger/p${String(i).padStart(4, "0")}`, "x".repeat(1 + (i % 7)));
    await s3.put("replica", "kopia/payments-ledger-archive/kopia.repository", "format");
    const blobs = await store.kopiaBlobs("payments-ledger");
    assert.equal(blobs.length, 11);
    assert.ok(
      blobs.every((b) => b.key.startsWith("kopia/payments-ledger/") && !Number.isNaN(Date.parse(b.lastModified))),
    );
    assert.equal(blobs.find((b) => b.key.endsWith("p0006"))?.size, 7);
  });

  it("lists every backup from its velero-backup.json", async () => {
    const store = openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client);
    const backups = await store.listBackups();
    assert.deepEqual(backups.map((b) => [b.name, b.phase, b.completedAt]).sort(), [
      ["velero-hourly-20261127060000", "Completed", "2026-11-27T06:00:30Z"],
      ["velero-hourly-20261127070000", "Completed", "2026-11-27T07:00:30Z"],
    ]);
    assert.deepEqual(backups.find((b) => b.name.endsWith("070000"))?.hooks, { attempted: 2, failed: 0 });
    assert.equal(store.location, "s3://replica (eu-central-1)");
  });

  it("reads a backup's objects from its tarball, streamed", async () => {
    const store = openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client);
    const objects = await store.backupObjects("velero-hourly-20261127070000");
    assert.equal(objects.length, ledgerObjects().length);
    assert.deepEqual(
      objects.find((o) => o.kind === "Secret")?.object,
      ledgerObjects().find((o) => o.kind === "Secret")?.object,
    );
  });

  it("knows a backup whose tarball has not replicated yet is incomplete, and reads a backup's resource list", async () => {
    const store = openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client);
    await s3.put("replica", "backups/half/velero-backup.json", "{}");
    assert.equal(await store.isComplete("half"), false);
    // Tarball and resource list there, the pod volume backups list and volume info still on their way.
    await s3.put("replica", "backups/most/velero-backup.json", "{}");
    await s3.put("replica", "backups/most/most.tar.gz", "x");
    await s3.put("replica", "backups/most/most-resource-list.json.gz", "x");
    assert.equal(await store.isComplete("most"), false);
    await s3.put("replica", "backups/most/most-podvolumebackups.json.gz", "x");
    assert.equal(await store.isComplete("most"), false);
    await s3.put("replica", "backups/most/most-volumeinfo.json.gz", "x");
    assert.equal(await store.isComplete("most"), true);
    // Velero writes `null` for a backup without pod volume backups (as the e2e run's backups hold).
    assert.deepEqual(await store.podVolumeBackups("velero-hourly-20261127070000"), []);
    const pvb = (name: string) => ({
      metadata: { name },
      spec: { pod: { namespace: "payments-ledger", name: "ledger-db-0" }, volume: "data" },
      status: { phase: "Completed", snapshotID: `k-${name}` },
    });
    await s3.put("replica", "backups/two/two-podvolumebackups.json.gz", gzipSync(JSON.stringify([pvb("a"), pvb("b")])));
    assert.deepEqual(
      (await store.podVolumeBackups("two")).map((v) => `${v.namespace}/${v.pod} ${v.volume} ${v.snapshotID ?? ""}`),
      ["payments-ledger/ledger-db-0 data k-a", "payments-ledger/ledger-db-0 data k-b"],
    );
    assert.equal(await store.isComplete("velero-hourly-20261127070000"), true);
    const list = await store.resourceList("velero-hourly-20261127070000");
    assert.ok(
      list.some((i) => i.key === "apps/v1/StatefulSet" && i.namespace === "payments-ledger" && i.name === "ledger-db"),
    );
    assert.ok(list.some((i) => i.key === "v1/Secret" && i.name === "ledger-password"));
    await assert.rejects(store.resourceList("half"), /backup half has no resource list/);
  });

  it("reads a restore's results and resource list where Velero could write them, and nothing where it could not", async () => {
    const store = openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client);
    const r = await store.restoreRecord("r1");
    assert.deepEqual(r.messages, { warnings: [`payments-ledger: ${KUBE_ROOT_CA_WARNING}`], errors: [] });
    assert.deepEqual(
      r.items?.map((i) => `${i.name}:${i.result}`),
      ["ledger-config:created", "kube-root-ca.crt:failed"],
    );
    assert.deepEqual(await store.restoreRecord("never-written"), {});
  });

  it("an empty location has no backups; a missing backup or bucket fails naming the location", async () => {
    assert.deepEqual(await openBackupStore({ bucket: "empty", region: "eu-central-1" }, s3.client).listBackups(), []);
    await assert.rejects(
      openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client).backupObjects("nope"),
      /s3:\/\/replica \(eu-central-1\): cannot read backup nope \(backups\/nope\/nope.tar.gz\)/,
    );
    await assert.rejects(
      openBackupStore({ bucket: "no-such-bucket", region: "eu-central-1" }, s3.client).listBackups(),
      /s3:\/\/no-such-bucket \(eu-central-1\): cannot list backups/,
    );
  });
});
