/**
 * Backups as Velero lays them out, built for the recovery tests: a tarball in format
 * 1.1.0 (each object under its resource and again under the preferred version), the
 * backup metadata, and the bucket keys of pkg/persistence/object_store_layout.go.
 */
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import type { BackupObject } from "../../../cli/recovery/backupTarball";

/** A namespaced object of the backup. */
export function obj(
  apiVersion: string,
  kind: string,
  resource: string,
  namespace: string,
  name: string,
  extra: Record<string, unknown> = {},
): BackupObject {
  return {
    apiVersion,
    kind,
    resource,
    namespace,
    name,
    object: {
      apiVersion,
      kind,
      metadata: {
        name,
        namespace,
        uid: `uid-${name}`,
        resourceVersion: "1",
        creationTimestamp: "2026-11-01T00:00:00Z",
        labels: { app: name },
      },
      ...extra,
    },
  };
}

/** The objects of the ledger namespace: a database with its volume, config and password. */
export function ledgerObjects(namespace = "payments-ledger"): BackupObject[] {
  return [
    obj("apps/v1", "StatefulSet", "statefulsets.apps", namespace, "ledger-db", {
      spec: { replicas: 1, serviceName: "ledger-db" },
    }),
    obj("v1", "Pod", "pods", namespace, "ledger-db-0", {
      metadata: {
        name: "ledger-db-0",
        namespace,
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "StatefulSet", name: "ledger-db", uid: "x", controller: true },
        ],
      },
      spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-ledger-db-0" } }] },
    }),
    obj("v1", "PersistentVolumeClaim", "persistentvolumeclaims", namespace, "data-ledger-db-0", {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, volumeName: "pvc-old" },
      status: { phase: "Bound" },
    }),
    obj("v1", "ConfigMap", "configmaps", namespace, "ledger-config", {
      data: { "postgresql.conf": "max_connections = 50" },
    }),
    obj("v1", "Secret", "secrets", namespace, "ledger-password", {
      type: "Opaque",
      data: { password: Buffer.from("hunter2-ledger").toString("base64") },
    }),
    obj("v1", "Service", "services", namespace, "ledger-db", {
      spec: { clusterIP: "10.0.0.12", clusterIPs: ["10.0.0.12"], ports: [{ port: 5432 }] },
    }),
    obj("v1", "Event", "events", namespace, "ledger-db-0.17a", { reason: "Started" }),
    obj("v1", "ConfigMap", "configmaps", namespace, "kube-root-ca.crt", { data: { "ca.crt": "old cluster CA" } }),
  ];
}

/** `<b>.tar.gz` of the objects, with every object also under `<version>-preferredversion`. */
export async function tarball(objects: readonly BackupObject[], opts: { staleCopy?: boolean } = {}): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on("end", resolve));
  p.entry({ name: "metadata/version" }, "1.1.0\n");
  for (const o of objects) {
    const where = o.namespace ? `namespaces/${o.namespace}` : "cluster";
    const version = o.apiVersion.split("/").pop() as string;
    // The plain copy can be older than the preferred one; the preferred one must win.
    const plain = opts.staleCopy ? { ...o.object, stale: true } : o.object;
    p.entry({ name: `resources/${o.resource}/${where}/${o.name}.json` }, JSON.stringify(plain));
    p.entry(
      { name: `resources/${o.resource}/${version}-preferredversion/${where}/${o.name}.json` },
      JSON.stringify(o.object),
    );
  }
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

/** `velero-backup.json` of a backup. */
export function backupJson(
  name: string,
  opts: {
    phase?: string;
    completed?: string;
    namespaces?: string[];
    hooks?: { attempted: number; failed: number };
    fsBackup?: boolean;
  } = {},
): Record<string, unknown> {
  return {
    kind: "Backup",
    apiVersion: "velero.io/v1",
    metadata: { name, namespace: "velero", labels: { "velero.io/schedule-name": "velero-hourly" } },
    spec: {
      includedNamespaces: opts.namespaces ?? ["ml-models", "payments-ledger"],
      ttl: "72h0m0s",
      defaultVolumesToFsBackup: opts.fsBackup ?? true,
    },
    status: {
      phase: opts.phase ?? "Completed",
      formatVersion: "1.1.0",
      startTimestamp: opts.completed ?? "2026-11-27T07:00:00Z",
      completionTimestamp: opts.completed ?? "2026-11-27T07:00:30Z",
      progress: { itemsBackedUp: 8, totalItems: 8 },
      ...(opts.hooks ? { hookStatus: { hooksAttempted: opts.hooks.attempted, hooksFailed: opts.hooks.failed } } : {}),
    },
  };
}
