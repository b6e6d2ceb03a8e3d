/** Restore verification: normalising what a restore legitimately changes, and finding what it did not bring back. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checksum,
  compareBackup,
  differences,
  expectedBack,
  normalize,
  type LiveObject,
} from "../../../cli/recovery/compare";
import type { BackupObject } from "../../../cli/recovery/backupTarball";
import { ledgerObjects } from "./fixtures";

/** What a good restore into a new cluster gives back for an object: new uid, version, IP and volume, Velero's labels. */
function restored(o: BackupObject): LiveObject {
  const meta = o.object.metadata as Record<string, unknown>;
  const object: Record<string, unknown> = {
    ...o.object,
    metadata: {
      ...meta,
      uid: "new-uid",
      resourceVersion: "98765",
      creationTimestamp: "2026-11-27T09:00:00Z",
      labels: { ...(meta.labels as object), "velero.io/backup-name": "b1", "velero.io/restore-name": "r1" },
      managedFields: [{ manager: "velero-server" }],
    },
    status: { phase: "Bound" },
  };
  if (o.kind === "Service")
    object.spec = { ...(o.object.spec as object), clusterIP: "172.20.3.4", clusterIPs: ["172.20.3.4"] };
  if (o.kind === "PersistentVolumeClaim") object.spec = { ...(o.object.spec as object), volumeName: "pvc-new" };
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name, object };
}

const NS = ["payments-ledger"];
const PVR = [{ podNamespace: "payments-ledger", podName: "ledger-db-0", volume: "data", phase: "Completed" }];

describe("what a restore is expected to bring back", () => {
  it("leaves out events, objects its controllers recreate, and what the control plane makes in every namespace", () => {
    const kept = ledgerObjects()
      .filter(expectedBack)
      .map((o) => `${o.kind}/${o.name}`);
    assert.deepEqual(kept, [
      "StatefulSet/ledger-db",
      "PersistentVolumeClaim/data-ledger-db-0",
      "ConfigMap/ledger-config",
      "Secret/ledger-password",
      "Service/ledger-db",
    ]);
  });
});

describe("normalising", () => {
  it("drops server-set metadata, status, Velero's and Argo CD's marks, and cluster-assigned addresses", () => {
    const backup = ledgerObjects().find((o) => o.kind === "Service") as BackupObject;
    const withArgo = {
      ...backup.object,
      metadata: {
        ...(backup.object.metadata as object),
        annotations: { "argocd.argoproj.io/tracking-id": "app:/Service:x" },
        labels: { app: "ledger-db", "argocd.argoproj.io/instance": "app" },
      },
    };
    assert.deepEqual(normalize("Service", withArgo), normalize("Service", restored(backup).object));
  });

  it("turns ConfigMap and Secret data into one checksum, whatever the key order", () => {
    const a = normalize("Secret", { kind: "Secret", data: { a: "MQ==", b: "Mg==" } });
    const b = normalize("Secret", { kind: "Secret", data: { b: "Mg==", a: "MQ==" } });
    assert.equal(a.data, b.data);
    assert.match(String(a.data), /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(checksum({ a: 1 }), checksum({ a: 2 }));
  });

  it("names the paths that differ, at most a few", () => {
    assert.deepEqual(differences({ spec: { replicas: 1, x: { y: 1 } } }, { spec: { replicas: 2, x: { y: 1 } } }), [
      "spec.replicas",
    ]);
    assert.equal(differences({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, {}, 3).length, 3);
  });
});

describe("comparing a backup with the live cluster", () => {
  it("counts a good restore as all present, its volume restored", () => {
    const backup = ledgerObjects();
    const live = backup.filter(expectedBack).map(restored);
    const c = compareBackup(backup, live, NS, PVR);
    assert.deepEqual(c.totals, { present: 5, missing: 0, changed: 0, ignored: 3 });
    assert.deepEqual(c.namespaces[0].pvcs, [
      { namespace: "payments-ledger", name: "data-ledger-db-0", phase: "Bound", volumeRestore: "completed", ok: true },
    ]);
    assert.equal(c.passed, true);
  });

  it("finds a missing object, a changed one, and a secret whose data differs without showing it", () => {
    const backup = ledgerObjects();
    const live = backup
      .filter(expectedBack)
      .filter((o) => o.name !== "ledger-config")
      .map(restored)
      .map((o) =>
        o.kind === "StatefulSet"
          ? { ...o, object: { ...o.object, spec: { replicas: 0, serviceName: "ledger-db" } } }
          : o,
      )
      .map((o) =>
        o.kind === "Secret"
          ? { ...o, object: { ...o.object, data: { password: Buffer.from("something-else").toString("base64") } } }
          : o,
      );
    const c = compareBackup(backup, live, NS, PVR);
    assert.equal(c.passed, false);
    assert.deepEqual(
      c.namespaces[0].findings.map((f) => `${f.verdict} ${f.kind}/${f.name} ${f.differences.join(",")}`),
      [
        "changed StatefulSet/ledger-db spec.replicas",
        "missing ConfigMap/ledger-config ",
        "changed Secret/ledger-password data (checksum differs)",
      ],
    );
    const text = JSON.stringify(c);
    assert.ok(
      !text.includes(Buffer.from("hunter2-ledger").toString("base64")) && !text.includes("something-else"),
      "secret values never appear",
    );
  });

  it("fails a PVC that is not Bound, or whose pod volume restore failed or never ran", () => {
    const backup = ledgerObjects();
    const live = backup.filter(expectedBack).map(restored);
    const pending = live.map((o) =>
      o.kind === "PersistentVolumeClaim" ? { ...o, object: { ...o.object, status: { phase: "Pending" } } } : o,
    );
    assert.equal(compareBackup(backup, pending, NS, PVR).namespaces[0].pvcs[0].ok, false);
    assert.equal(
      compareBackup(backup, live, NS, [{ ...PVR[0], phase: "Failed" }]).namespaces[0].pvcs[0].volumeRestore,
      "failed",
    );
    assert.equal(
      compareBackup(backup, live, NS, [{ ...PVR[0], phase: "InProgress" }]).namespaces[0].pvcs[0].volumeRestore,
      "running",
    );
    const none = compareBackup(backup, live, NS, []);
    assert.equal(none.namespaces[0].pvcs[0].volumeRestore, "none");
    assert.equal(none.passed, false, "a claim whose data was never restored fails, though every object is present");
  });

  it("a backup of volume snapshots needs no pod volume restore: a Bound claim is its proof", () => {
    const backup = ledgerObjects();
    const live = backup.filter(expectedBack).map(restored);
    const c = compareBackup(backup, live, NS, [], "snapshot");
    assert.deepEqual(
      c.namespaces[0].pvcs.map((p) => [p.volumeRestore, p.ok]),
      [["snapshot", true]],
    );
    assert.equal(c.passed, true);
  });

  it("compares only the namespaces asked for", () => {
    const backup = [...ledgerObjects(), ...ledgerObjects("ml-models")];
    const live = ledgerObjects().filter(expectedBack).map(restored);
    const c = compareBackup(backup, live, NS, PVR);
    assert.equal(c.namespaces.length, 1);
    assert.equal(c.passed, true);
  });
});

/**
 * What real Velero v1.18.1 did in test/e2e/scenarios/backupRestore.e2e.ts, each rule
 * resting on its source: resetMetadata (pkg/restore/restore.go:2102), isCompleted
 * (restore.go:2154), the Job action (pkg/restore/actions/job_action.go:55-60), and the
 * volumes a pod opts out (pkg/util/podvolume/pod_volume.go:177).
 */
describe("what real Velero changes on a restore", () => {
  const job = (completionTime?: string): Record<string, unknown> => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "migrate",
      namespace: "payments-ledger",
      labels: { "batch.kubernetes.io/controller-uid": "old", "batch.kubernetes.io/job-name": "migrate" },
    },
    spec: {
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "old" } },
      template: {
        metadata: {
          labels: {
            "batch.kubernetes.io/controller-uid": "old",
            "controller-uid": "old",
            "batch.kubernetes.io/job-name": "migrate",
          },
        },
        spec: { containers: [] },
      },
    },
    status: completionTime ? { completionTime } : { active: 1 },
  });

  it("a finished Job and a Pod that Succeeded or Failed are not expected back; a running Job is", () => {
    const o = (kind: string, object: Record<string, unknown>) => ({ kind, name: "x", object });
    assert.equal(expectedBack(o("Job", job("2026-12-02T06:00:00Z"))), false);
    assert.equal(expectedBack(o("Job", job())), true);
    assert.equal(expectedBack(o("Pod", { status: { phase: "Succeeded" } })), false);
    assert.equal(expectedBack(o("Pod", { status: { phase: "Failed" } })), false);
    assert.equal(expectedBack(o("Pod", { status: { phase: "Running" } })), true);
  });

  it("a Job's controller-uid labels differ after a restore and are not a change; its other labels are compared", () => {
    const live = job();
    const liveSpec = live.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    liveSpec.selector.matchLabels["batch.kubernetes.io/controller-uid"] = "new";
    liveSpec.template.metadata.labels = {
      "batch.kubernetes.io/controller-uid": "new",
      "batch.kubernetes.io/job-name": "migrate",
    };
    // The Job's own metadata labels keep the old uid: Velero's action strips only the selector's and the template's.
    assert.deepEqual(differences(normalize("Job", job()), normalize("Job", live)), []);
    liveSpec.template.metadata.labels["batch.kubernetes.io/job-name"] = "other";
    assert.ok(
      differences(normalize("Job", job()), normalize("Job", live)).includes(
        "spec.template.metadata.labels.batch.kubernetes.io/job-name",
      ),
    );
  });

  it("generateName and ownerReferences are reset by the restore, not a change, and the objects that lost an owner are named", () => {
    const backup = {
      metadata: {
        name: "model-upload-x7k2p",
        namespace: "payments-ledger",
        generateName: "model-upload-",
        ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "model-index", uid: "u1" }],
      },
      data: { file: "a" },
    };
    const live = { metadata: { name: "model-upload-x7k2p", namespace: "payments-ledger" }, data: { file: "a" } };
    assert.deepEqual(differences(normalize("ConfigMap", backup), normalize("ConfigMap", live)), []);
    const o = {
      apiVersion: "v1",
      kind: "ConfigMap",
      resource: "configmaps",
      namespace: "payments-ledger",
      name: "model-upload-x7k2p",
    };
    const c = compareBackup([{ ...o, object: backup }], [{ ...o, object: live }], NS, []);
    assert.equal(c.passed, true);
    assert.deepEqual(c.ownerReferencesReset, ["ConfigMap payments-ledger/model-upload-x7k2p"]);
  });

  it("a claim whose pod opted its volume out comes back Bound and empty, and passes as excluded; without the opt-out it fails", () => {
    const pod = (annotations: Record<string, string>): BackupObject => ({
      apiVersion: "v1",
      kind: "Pod",
      resource: "pods",
      namespace: "payments-ledger",
      name: "ledger-db-0",
      object: {
        metadata: { name: "ledger-db-0", annotations, ownerReferences: [{ kind: "StatefulSet", controller: true }] },
        spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-ledger-db-0" } }] },
      },
    });
    const pvc = ledgerObjects().find((o) => o.kind === "PersistentVolumeClaim") as BackupObject;
    const live = [restored(pvc)];
    const excluded = compareBackup(
      [pvc, pod({ "backup.velero.io/backup-volumes-excludes": "cache,data" })],
      live,
      NS,
      [],
    );
    assert.deepEqual(excluded.namespaces[0].pvcs, [
      { namespace: "payments-ledger", name: "data-ledger-db-0", phase: "Bound", volumeRestore: "excluded", ok: true },
    ]);
    const notCopied = compareBackup([pvc, pod({})], live, NS, []);
    assert.deepEqual(notCopied.namespaces[0].pvcs[0].volumeRestore, "none");
    assert.equal(notCopied.passed, false);
    // Velero matches names untrimmed: " data" is not "data", so the volume was not opted out.
    assert.equal(
      compareBackup([pvc, pod({ "backup.velero.io/backup-volumes-excludes": "cache, data" })], live, NS, [])
        .namespaces[0].pvcs[0].volumeRestore,
      "none",
    );
    // The data mover takes every claim's snapshot: the file-system opt-out means nothing there.
    const moved = compareBackup(
      [pvc, pod({ "backup.velero.io/backup-volumes-excludes": "data" })],
      live,
      NS,
      [],
      "data-mover",
    );
    assert.equal(moved.namespaces[0].pvcs[0].volumeRestore, "none");
  });

  it("a data-mover backup's claims come back through the DataDownloads that name them", () => {
    const backup = ledgerObjects();
    const live = backup.filter(expectedBack).map(restored);
    const download = (phase: string) => [
      { podNamespace: "payments-ledger", podName: "", volume: "", claim: "payments-ledger/data-ledger-db-0", phase },
    ];
    const check = (phase: string) =>
      compareBackup(backup, live, NS, download(phase), "data-mover").namespaces[0].pvcs.map((p) => [
        p.volumeRestore,
        p.ok,
      ]);
    assert.deepEqual(check("Completed"), [["completed", true]]);
    assert.deepEqual(check("Failed"), [["failed", false]]);
    assert.deepEqual(check("Canceled"), [["canceled", false]]);
    assert.deepEqual(check("Prepared"), [["running", false]]);
    // A DataDownload for another claim restores nothing of this one.
    const other = [{ ...download("Completed")[0], claim: "payments-ledger/other" }];
    assert.equal(compareBackup(backup, live, NS, other, "data-mover").namespaces[0].pvcs[0].volumeRestore, "none");
  });
});

describe("each fault fails alone", () => {
  const pvc = (): BackupObject => ledgerObjects().find((o) => o.kind === "PersistentVolumeClaim") as BackupObject;
  const pod = (): BackupObject => ledgerObjects().find((o) => o.kind === "Pod") as BackupObject;
  const verdict = (restores: { phase: string }[]) =>
    compareBackup(
      [pvc(), pod()],
      [restored(pvc())],
      NS,
      restores.map((r) => ({
        podNamespace: "payments-ledger",
        podName: "ledger-db-0",
        volume: "data",
        phase: r.phase,
      })),
    ).namespaces[0].pvcs[0];

  it("a claim with one Completed and one unfinished pod volume restore is not restored yet", () => {
    assert.deepEqual(
      [
        verdict([{ phase: "Completed" }, { phase: "InProgress" }]).volumeRestore,
        verdict([{ phase: "Completed" }, { phase: "InProgress" }]).ok,
      ],
      ["running", false],
    );
  });

  it("a Canceled pod volume restore is shown canceled, not running, and fails", () => {
    assert.deepEqual(
      [verdict([{ phase: "Canceled" }]).volumeRestore, verdict([{ phase: "Canceled" }]).ok],
      ["canceled", false],
    );
  });
});
