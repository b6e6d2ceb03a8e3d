/**
 * `phoenix restore verify` with the real adapters end to end: the backup read from a
 * local S3 server in Velero's layout, the restored cluster from a local API server, the
 * verify command run over exec.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { expectedBack } from "../../../cli/recovery/compare";
import { openRecoveryCluster } from "../../../cli/recovery/kube";
import { openBackupStore } from "../../../cli/recovery/s3";
import { phoenix, repositoryCopy } from "../phoenix";
import { ledgerObjects } from "./fixtures";
import {
  fakeKube,
  localS3,
  putBackup,
  putRestoreRecord,
  restoredCollections,
  type FakeKube,
  type LocalS3,
} from "./servers";

const BACKUP = "velero-daily-20261127030000";
const VELERO = "/apis/velero.io/v1/namespaces/velero";

/** A bucket holding the backup of `objects`, and an API server where restore r1 of it completed with `warnings`, its volume restored and the ledger's pod Ready. */
async function restoredServers(
  objects: ReturnType<typeof ledgerObjects>,
  warnings: number,
): Promise<{ s3: LocalS3; kube: FakeKube }> {
  const s3 = await localS3(["replica"]);
  await putBackup(s3, "replica", BACKUP, objects);
  const store = restoredCollections(objects, expectedBack);
  store.set(`${VELERO}/restores`, [
    {
      metadata: { name: "r1", creationTimestamp: "2026-11-27T09:00:00Z" },
      spec: { backupName: BACKUP },
      status: { phase: "Completed", warnings, errors: 0 },
    },
  ]);
  store.set(`${VELERO}/podvolumerestores`, [
    {
      metadata: { name: "p1", labels: { "velero.io/restore-name": "r1" } },
      spec: { pod: { namespace: "payments-ledger", name: "ledger-db-0" }, volume: "data" },
      status: { phase: "Completed" },
    },
  ]);
  store.set("/api/v1/namespaces/payments-ledger/pods", [
    {
      metadata: { name: "ledger-db-0", labels: { "app.kubernetes.io/name": "ledger-db" } },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
    },
  ]);
  return { s3, kube: await fakeKube(store, 500) };
}

describe("phoenix restore verify, real adapters against local servers", () => {
  let s3: LocalS3;
  let kube: FakeKube;
  const objects = [...ledgerObjects(), ...ledgerObjects("ml-models").filter((o) => o.kind === "ConfigMap")];
  before(async () => {
    ({ s3, kube } = await restoredServers(objects, 0));
  });
  after(async () => {
    await kube.close();
    await s3.close();
  });

  const run = async (root: string) => {
    const kubeconfig = path.join(root, "kubeconfig");
    fs.writeFileSync(kubeconfig, kube.kubeconfig);
    return phoenix(
      [
        "restore",
        "verify",
        "--stack",
        "prod",
        "--backup",
        BACKUP,
        "--kubeconfig",
        kubeconfig,
        "--context",
        "local",
        "--bucket",
        "replica",
        "--bucket-region",
        "eu-central-1",
        "--report",
        path.join(root, "v"),
      ],
      root,
      undefined,
      {
        store: (loc) => openBackupStore(loc, s3.client),
        cluster: (kc, context) => openRecoveryCluster(kc, context === undefined ? {} : { context }),
      },
    );
  };

  it("passes a good restore: every object present, the volume restored, the ledger's verify command run in its pod", async () => {
    const root = repositoryCopy();
    const r = await run(root);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\| payments-ledger \| 5 \| 0 \| 0 \| 1\/1 restored \| 1\/1 \| passed \(exit 0\) \|/);
    assert.match(r.stdout, /\| ml-models \| 1 \| 0 \| 0 \| none \| 0\/0 \| none declared \|/);
    assert.ok(
      kube.requests.some(
        (q) =>
          q.startsWith("EXEC /api/v1/namespaces/payments-ledger/pods/ledger-db-0/exec") &&
          q.includes("container=postgres"),
      ),
    );
    assert.ok(fs.existsSync(path.join(root, "v", "verification.json")));
  });

  it("fails, exit 1, when the verify command fails or an object changed, and never prints a secret", async () => {
    const root = repositoryCopy();
    kube.exitCodes.set("payments-ledger/ledger-db-0/postgres", 1);
    const secrets = kube.store.get("/api/v1/namespaces/payments-ledger/secrets") ?? [];
    secrets[0] = { ...secrets[0], data: { password: Buffer.from("rotated-by-someone").toString("base64") } };
    const r = await run(root);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /changed: Secret payments-ledger\/ledger-password \(data \(checksum differs\)\)/);
    assert.match(r.stdout, /payments-ledger: `.*pg_isready.*`/);
    assert.ok(
      !r.stdout.includes("hunter2") &&
        !r.stdout.includes(Buffer.from("hunter2-ledger").toString("base64")) &&
        !r.stdout.includes("rotated-by-someone"),
    );
  });
});

describe("a restore whose results list a failed item, as the only fault", () => {
  let s3: LocalS3;
  let kube: FakeKube;
  const objects = ledgerObjects();
  const existsDifferent =
    'could not restore, ConfigMap "kube-root-ca.crt" already exists. Warning: the in-cluster version is different than the backed-up version';
  before(async () => {
    ({ s3, kube } = await restoredServers(objects, 1));
  });
  after(async () => {
    await kube.close();
    await s3.close();
  });

  const run = async (items: string[]) => {
    await putRestoreRecord(
      s3,
      "replica",
      "r1",
      { warnings: { namespaces: { "payments-ledger": [existsDifferent] } }, errors: {} },
      { "v1/ConfigMap": items },
    );
    const root = repositoryCopy();
    const kubeconfig = path.join(root, "kubeconfig");
    fs.writeFileSync(kubeconfig, kube.kubeconfig);
    return phoenix(
      [
        "restore",
        "verify",
        "--stack",
        "prod",
        "--backup",
        BACKUP,
        "--kubeconfig",
        kubeconfig,
        "--bucket",
        "replica",
        "--bucket-region",
        "eu-central-1",
      ],
      root,
      undefined,
      {
        store: (loc) => openBackupStore(loc, s3.client),
        cluster: (kc, context) => openRecoveryCluster(kc, context === undefined ? {} : { context }),
      },
    );
  };

  it("passes when the only (failed) item is one Velero found already there and different, as real Velero lists kube-root-ca.crt", async () => {
    const r = await run(["payments-ledger/ledger-config(created)", "payments-ledger/kube-root-ca.crt(failed)"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /left as it was \(already existed, different; compared above\): v1\/ConfigMap payments-ledger\/kube-root-ca.crt/,
    );
  });

  it("fails, naming it, when the backup's resource list names an object its tarball lacks (a damaged backup), the only fault", async () => {
    const list: Record<string, string[]> = {};
    for (const o of objects) (list[`${o.apiVersion}/${o.kind}`] ??= []).push(`${o.namespace}/${o.name}`);
    (list["v1/Secret"] ??= []).push("payments-ledger/ghost-credentials");
    await s3.put("replica", `backups/${BACKUP}/${BACKUP}-resource-list.json.gz`, gzipSync(JSON.stringify(list)));
    try {
      const r = await run(["payments-ledger/ledger-config(created)"]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /not in its tarball \(a damaged backup\):\n- v1\/Secret payments-ledger\/ghost-credentials/,
      );
    } finally {
      delete list["v1/Secret"];
      for (const o of objects.filter((x) => x.kind === "Secret"))
        (list["v1/Secret"] ??= []).push(`${o.namespace}/${o.name}`);
      await s3.put("replica", `backups/${BACKUP}/${BACKUP}-resource-list.json.gz`, gzipSync(JSON.stringify(list)));
    }
  });

  it("fails, naming it, when an item failed for another reason", async () => {
    const r = await run(["payments-ledger/ledger-config(failed)", "payments-ledger/kube-root-ca.crt(failed)"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /- failed: v1\/ConfigMap payments-ledger\/ledger-config/);
  });
});

describe("objects a restore found already there and different", () => {
  it("are read from Velero's own warning (pkg/restore/restore.go:1622@v1.18.1), keyed by kind, namespace and name", async () => {
    const { existedAndDiffered } = await import("../../../cli/recovery/verify");
    const warnings = [
      'payments-ledger: could not restore, ConfigMap "kube-root-ca.crt" already exists. Warning: the in-cluster version is different than the backed-up version',
      'ml-models: could not restore, NetworkPolicy "phoenix-default-deny" already exists. Warning: the in-cluster version is different than the backed-up version',
      // Without existingResourcePolicy (a restore someone else created): restore.go:1638.
      "ml-models: could not restore, ConfigMap:model-index already exists. Warning: the in-cluster version is different than the backed-up version",
      "cluster: failed to list stub VolumeGroupSnapshotContents",
    ];
    assert.deepEqual([...existedAndDiffered(warnings)].sort(), [
      "ConfigMap/ml-models/model-index",
      "ConfigMap/payments-ledger/kube-root-ca.crt",
      "NetworkPolicy/ml-models/phoenix-default-deny",
    ]);
  });
});
