/**
 * The real cluster adapter (`@kubernetes/client-node`) against a local Kubernetes API
 * server: Argo CD's Applications, Velero's Backups, Restores and PodVolumeRestores, live
 * objects by plural and group (paged), and exec over the channel protocol.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { exitCode, openRecoveryCluster, poll } from "../../../cli/recovery/kube";
import { fakeKube, type FakeKube, type Store } from "./servers";

const VELERO = "/apis/velero.io/v1/namespaces/velero";

function app(name: string, sync: string, health: string): Record<string, unknown> {
  return { metadata: { name, namespace: "argocd" }, status: { sync: { status: sync }, health: { status: health } } };
}

describe("the Kubernetes recovery adapter, against a local API server", () => {
  let kube: FakeKube;
  const store: Store = new Map();
  before(async () => {
    store.set("/apis/argoproj.io/v1alpha1/applications", [
      app("root", "Synced", "Healthy"),
      app("payments", "OutOfSync", "Progressing"),
    ]);
    store.set(`${VELERO}/backups`, []);
    store.set(`${VELERO}/restores`, []);
    store.set(`${VELERO}/podvolumerestores`, [
      {
        metadata: { name: "pvr-1", labels: { "velero.io/restore-name": "r1" } },
        spec: { pod: { namespace: "payments-ledger", name: "ledger-db-0" }, volume: "data" },
        status: { phase: "Completed" },
      },
      {
        metadata: { name: "pvr-other", labels: { "velero.io/restore-name": "other" } },
        spec: { pod: { namespace: "x", name: "y" }, volume: "v" },
        status: { phase: "Failed" },
      },
    ]);
    store.set(
      "/api/v1/namespaces/payments-ledger/configmaps",
      [1, 2, 3, 4, 5].map((i) => ({
        kind: "ConfigMap",
        metadata: { name: `cm-${i}`, namespace: "payments-ledger" },
        data: { i: String(i) },
      })),
    );
    store.set("/apis/apps/v1/namespaces/payments-ledger/statefulsets", [
      { metadata: { name: "ledger-db" }, spec: { replicas: 1 } },
    ]);
    store.set("/api/v1/namespaces/payments-ledger/pods", [
      {
        metadata: { name: "ledger-db-1", labels: { "app.kubernetes.io/name": "ledger-db" } },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }] },
      },
      {
        metadata: { name: "ledger-db-0", labels: { "app.kubernetes.io/name": "ledger-db" } },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
      },
      {
        metadata: { name: "other", labels: { app: "x" } },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
      },
    ]);
    kube = await fakeKube(store);
  });
  after(async () => kube.close());

  it("waits until every Application is Synced and Healthy, and times out naming those that are not", async () => {
    const c = await openRecoveryCluster(kube.kubeconfig, { pollSeconds: 0.05 });
    const statuses: string[] = [];
    await assert.rejects(
      c.waitApplications({ timeoutSeconds: 0.2, progress: (s) => statuses.push(s) }),
      /timed out after 0.2s waiting for Argo CD Applications .*argocd\/payments \(OutOfSync, Progressing\)/,
    );
    assert.match(statuses[0], /1\/2 ready/);
    store.set("/apis/argoproj.io/v1alpha1/applications", [
      app("root", "Synced", "Healthy"),
      app("payments", "Synced", "Healthy"),
    ]);
    assert.deepEqual(await c.waitApplications({ timeoutSeconds: 1 }), { total: 2 });
  });

  it("waits for the backup to sync, creates the Restore, and waits for it and its pod volume restores", async () => {
    const c = await openRecoveryCluster(kube.kubeconfig, { pollSeconds: 0.05 });
    let polls = 0;
    kube.onGet = (p) => {
      // Velero's location sync brings the backup in after a few polls; the restore then runs and completes.
      if (p === `${VELERO}/backups/b1` && ++polls === 3)
        store.get(`${VELERO}/backups`)?.push({ metadata: { name: "b1" } });
      const restore = store.get(`${VELERO}/restores`)?.[0] as { status?: unknown } | undefined;
      if (p === `${VELERO}/restores/r1` && restore)
        restore.status = restore.status ? { phase: "Completed", warnings: 2, errors: 0 } : { phase: "InProgress" };
    };
    // Its one pod volume backup is synced after the Backup (backup_sync_controller.go:194-230@v1.18.1).
    const synced = setTimeout(
      () =>
        store.set(`${VELERO}/podvolumebackups`, [
          { metadata: { name: "b1-x", labels: { "velero.io/backup-name": "b1" } } },
        ]),
      300,
    );
    await c.waitBackup("velero", "b1", 1, { timeoutSeconds: 2 });
    clearTimeout(synced);
    assert.equal(polls, 3);
    const pvbLists = kube.requests.filter((r) =>
      r.startsWith(`GET ${VELERO}/podvolumebackups?labelSelector=velero.io%2Fbackup-name%3Db1`),
    );
    assert.ok(pvbLists.length >= 2, `waited for the pod volume backup: ${pvbLists.length} lists`);
    await c.createRestore({
      apiVersion: "velero.io/v1",
      kind: "Restore",
      metadata: { name: "r1", namespace: "velero" },
      spec: { backupName: "b1" },
    });
    const outcome = await c.waitRestore("velero", "r1", { timeoutSeconds: 2 });
    assert.deepEqual(outcome, {
      phase: "Completed",
      warnings: 2,
      errors: 0,
      volumeRestores: [{ podNamespace: "payments-ledger", podName: "ledger-db-0", volume: "data", phase: "Completed" }],
    });
    assert.ok(
      kube.requests.includes(`GET ${VELERO}/podvolumerestores?labelSelector=velero.io%2Frestore-name%3Dr1&limit=500`),
      kube.requests.join("\n"),
    );
    assert.deepEqual(await c.restoresOf("velero", "b1"), ["r1"]);
    await assert.rejects(
      c.waitBackup("velero", "never", 0, { timeoutSeconds: 0.1 }),
      /timed out .* backup never not synced yet/,
    );
    await assert.rejects(
      c.waitBackup("velero", "b1", 2, { timeoutSeconds: 0.1 }),
      /timed out .* 1\/2 pod volume backups of b1 synced/,
    );
  });

  it("lists live objects by plural and group, every page, giving each item its kind and version", async () => {
    const c = await openRecoveryCluster(kube.kubeconfig);
    const live = await c.listObjects(
      ["payments-ledger"],
      [
        { apiVersion: "v1", plural: "configmaps", kind: "ConfigMap" },
        { apiVersion: "apps/v1", plural: "statefulsets", kind: "StatefulSet" },
        { apiVersion: "example.com/v1", plural: "widgets", kind: "Widget" },
      ],
    );
    // List items carry no kind of their own (the real API server omits it): the type's are theirs.
    assert.deepEqual(
      live.map((o) => `${o.apiVersion} ${o.kind} ${o.name}`),
      [
        "v1 ConfigMap cm-1",
        "v1 ConfigMap cm-2",
        "v1 ConfigMap cm-3",
        "v1 ConfigMap cm-4",
        "v1 ConfigMap cm-5",
        "apps/v1 StatefulSet ledger-db",
      ],
    );
    assert.deepEqual([live[5].object.apiVersion, live[5].object.kind], ["apps/v1", "StatefulSet"]);
    assert.equal(
      kube.requests.filter((r) => r.startsWith("GET /api/v1/namespaces/payments-ledger/configmaps")).length,
      3,
      "five items in pages of two",
    );
  });

  it("runs a verify command in a running, ready pod matching the selector (not one still starting), and reads its exit code", async () => {
    const c = await openRecoveryCluster(kube.kubeconfig);
    const ok = await c.exec(
      "payments-ledger",
      { "app.kubernetes.io/name": "ledger-db" },
      "postgres",
      ["pg_isready", "-U", "postgres"],
      5,
    );
    assert.deepEqual(ok, { pod: "ledger-db-0", exitCode: 0, output: "ran: pg_isready -U postgres" });
    kube.exitCodes.set("payments-ledger/ledger-db-0/postgres", 2);
    assert.equal(
      (await c.exec("payments-ledger", { "app.kubernetes.io/name": "ledger-db" }, "postgres", ["false"], 5)).exitCode,
      2,
    );
    await assert.rejects(
      c.exec("payments-ledger", { app: "none" }, "c", ["true"], 5),
      /no running, ready pod in payments-ledger matching app=none/,
    );
  });

  it("reads an exec's final Status as Kubernetes writes it", () => {
    assert.equal(exitCode({ status: "Success" }), 0);
    assert.equal(
      exitCode({
        status: "Failure",
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: "7" }] },
      }),
      7,
    );
    assert.equal(exitCode({ status: "Failure", reason: "InternalError" }), 1);
  });

  it("a wait stops when the signal fires", async () => {
    const controller = new AbortController();
    const waiting = poll(
      "nothing",
      { timeoutSeconds: 60, signal: controller.signal },
      () => Promise.resolve({ status: "not yet" }),
      30,
    );
    setTimeout(() => controller.abort(new Error("interrupted by SIGINT")), 20);
    await assert.rejects(waiting, /interrupted by SIGINT/);
  });

  it("a wrong token is the API server's 401, named", async () => {
    const c = await openRecoveryCluster(kube.kubeconfig.replace(/token: .*/, "token: wrong"));
    await assert.rejects(
      c.listObjects(["payments-ledger"], [{ apiVersion: "v1", plural: "configmaps", kind: "ConfigMap" }]),
      /HTTP 401/,
    );
  });
});
