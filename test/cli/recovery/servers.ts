/**
 * Local stand-ins for the real adapters' far ends: an S3-compatible server (s3rver)
 * holding a bucket laid out as Velero lays it out, and a Kubernetes API server that
 * answers the REST calls recovery makes, exec included (over the v4 channel protocol
 * the real API server speaks), from an in-memory store of objects.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { WebSocketServer } from "ws";
import type { BackupObject } from "../../../cli/recovery/backupTarball";
import { backupKeys, restoreKeys } from "../../../cli/recovery/velero";
import { backupJson, tarball } from "./fixtures";

/** Credentials s3rver accepts. */
const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface LocalS3 {
  readonly endpoint: string;
  /** SDK client settings that point at the local server. */
  readonly client: { endpoint: string; forcePathStyle: true; credentials: typeof S3_CREDENTIALS };
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver with the given buckets. */
export async function localS3(buckets: readonly string[]): Promise<LocalS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-s3-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = { endpoint, forcePathStyle: true as const, credentials: S3_CREDENTIALS };
  const s3 = new S3Client({ region: "eu-central-1", ...client });
  return {
    endpoint,
    client,
    put: async (bucket, key, body) =>
      void (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))),
    close: async () => {
      s3.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes one backup into a bucket exactly where Velero writes it. */
export async function putBackup(
  s3: LocalS3,
  bucket: string,
  name: string,
  objects: readonly BackupObject[],
  opts: Parameters<typeof backupJson>[1] = {},
): Promise<void> {
  const keys = backupKeys("", name);
  const list: Record<string, string[]> = {};
  for (const o of objects) {
    // `<group>/<version>/<Kind>`, the core group written as `v1/<Kind>`: apiVersion is exactly that.
    (list[`${o.apiVersion}/${o.kind}`] ??= []).push(o.namespace ? `${o.namespace}/${o.name}` : o.name);
  }
  await s3.put(bucket, keys.metadata, JSON.stringify(backupJson(name, opts)));
  await s3.put(bucket, keys.contents, await tarball(objects));
  await s3.put(bucket, keys.resourceList, gzipSync(JSON.stringify(list)));
  // Velero v1.18.1 writes both even when empty ("null" for no pod volume backups), as the e2e run shows.
  await s3.put(bucket, keys.podVolumeBackups, gzipSync("null"));
  await s3.put(bucket, keys.volumeInfo, gzipSync("[]"));
  await s3.put(bucket, `backups/${name}/${name}-logs.gz`, gzipSync("level=info msg=done"));
}

/** Writes a restore's results and resource list where Velero writes them. */
export async function putRestoreRecord(
  s3: LocalS3,
  bucket: string,
  restore: string,
  results: unknown,
  list: unknown,
): Promise<void> {
  const keys = restoreKeys("", restore);
  await s3.put(bucket, keys.results, gzipSync(JSON.stringify(results)));
  await s3.put(bucket, keys.resourceList, gzipSync(JSON.stringify(list)));
}

/** An object the fake API server holds, by REST collection path. */
export type Store = Map<string, Record<string, unknown>[]>;

export interface FakeKube {
  readonly url: string;
  readonly kubeconfig: string;
  /** `METHOD path?query` of every request. */
  readonly requests: string[];
  readonly store: Store;
  /** Exit codes of exec calls, by `<ns>/<pod>/<container>`; absent means 0. */
  readonly exitCodes: Map<string, number>;
  /** Called on every GET of a named object before it answers (a test moves state along). */
  onGet?: (p: string) => void;
  close(): Promise<void>;
}

const TOKEN = "recovery-test-token";

function status(code: number, message: string): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", status: "Failure", message, code };
}

/**
 * A Kubernetes API server over `store` (collection path -> items): list (with labelSelector
 * and paging), get by name, create, and exec. Unknown collections answer 404, as a CRD
 * that is not installed does.
 */
export async function fakeKube(store: Store = new Map(), pageSize = 2): Promise<FakeKube> {
  const requests: string[] = [];
  const exitCodes = new Map<string, number>();
  const api: FakeKube = { url: "", kubeconfig: "", requests, store, exitCodes, close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, status(401, "Unauthorized"));
    const items = store.get(url.pathname);
    if (req.method === "GET" && items) {
      const selector = url.searchParams.get("labelSelector");
      const matching = selector
        ? items.filter((o) =>
            selector
              .split(",")
              .every(
                (kv) =>
                  ((o.metadata as { labels?: Record<string, string> }).labels ?? {})[kv.split("=")[0]] ===
                  kv.split("=")[1],
              ),
          )
        : items;
      const from = Number(url.searchParams.get("continue") ?? "0");
      const next = from + pageSize < matching.length ? String(from + pageSize) : "";
      return send(200, {
        kind: "List",
        apiVersion: "v1",
        metadata: { resourceVersion: "1", continue: next },
        items: matching.slice(from, from + pageSize),
      });
    }
    const parent = url.pathname.slice(0, url.pathname.lastIndexOf("/"));
    const name = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf("/") + 1));
    if (req.method === "GET" && store.has(parent)) {
      api.onGet?.(url.pathname);
      const found = (store.get(parent) ?? []).find((o) => (o.metadata as { name?: string }).name === name);
      return found ? send(200, found) : send(404, status(404, `"${name}" not found`));
    }
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        if (!store.has(url.pathname)) return send(404, status(404, "the server could not find the requested resource"));
        store.get(url.pathname)?.push(body);
        send(201, body);
      });
      return;
    }
    send(404, status(404, "the server could not find the requested resource"));
  });
  // exec: the real API server upgrades to a websocket and frames each stream with its channel byte.
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("v4.channel.k8s.io") ? "v4.channel.k8s.io" : false),
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    requests.push(`EXEC ${url.pathname}${url.search}`);
    if (!m || req.headers.authorization !== `Bearer ${TOKEN}`) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const container = url.searchParams.get("container") ?? "";
      const code = exitCodes.get(`${m[1]}/${m[2]}/${container}`) ?? 0;
      const command = url.searchParams.getAll("command").join(" ");
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`ran: ${command}\n`)]));
      const st =
        code === 0
          ? { status: "Success", metadata: {} }
          : {
              status: "Failure",
              reason: "NonZeroExitCode",
              message: `command terminated with non-zero exit code: ${code}`,
              details: { causes: [{ reason: "ExitCode", message: String(code) }] },
            };
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(st))]));
      ws.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: local\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
    "users:",
    `- name: tester\n  user:\n    token: ${TOKEN}`,
    "contexts:",
    "- name: local\n  context:\n    cluster: local\n    user: tester",
    "current-context: local",
    "",
  ].join("\n");
  return Object.assign(api, {
    url,
    kubeconfig,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The API server's collections after a good restore of `objects`: what a restore brings back, as list items (no kind). */
export function restoredCollections(objects: readonly BackupObject[], keep: (o: BackupObject) => boolean): Store {
  const store: Store = new Map();
  for (const o of objects.filter(keep)) {
    const plural = o.resource.split(".")[0];
    const base = o.apiVersion.includes("/") ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
    const collection = `${base}/namespaces/${o.namespace ?? ""}/${plural}`;
    const item = Object.fromEntries(Object.entries(o.object).filter(([k]) => k !== "kind" && k !== "apiVersion"));
    const meta = item.metadata as Record<string, unknown>;
    const restored = {
      ...item,
      metadata: {
        ...meta,
        uid: `new-${o.name}`,
        resourceVersion: "777",
        labels: { ...(meta.labels as object), "velero.io/restore-name": "r1" },
      },
      ...(o.kind === "PersistentVolumeClaim" ? { status: { phase: "Bound" } } : {}),
    };
    store.set(collection, [...(store.get(collection) ?? []), restored]);
  }
  return store;
}
