/**
 * The command's one Kubernetes client (cli/shared/kube.ts) with the real
 * `@kubernetes/client-node` KubeConfig: the context chosen or refused with one clear
 * error naming the kubeconfig, and the JSON request and paged list against a local
 * plain-HTTP server, a non-2xx answer becoming a `KubeError` that carries the status.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  apiPath,
  isStatus,
  KubeConfigError,
  KubeError,
  openKubeClient,
  type KubeClient,
} from "../../../cli/shared/kube";

const TOKEN = "shared-kube-test-token";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-shared-kube-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** A kubeconfig's text: one plain-HTTP cluster (client-node needs insecure-skip-tls-verify for http://) and a token user. */
function kubeconfigText(
  server: string,
  opts: { current?: string; contexts?: readonly string[]; token?: string } = {},
): string {
  const contexts = opts.contexts ?? ["local", "other"];
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: local\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    "users:",
    `- name: tester\n  user:\n    token: ${opts.token ?? TOKEN}`,
    contexts.length > 0 ? "contexts:" : "contexts: []",
    ...contexts.map(
      (c) => `- name: ${c}\n  context:\n    cluster: ${c === "dangling" ? "gone" : "local"}\n    user: tester`,
    ),
    ...(opts.current ? [`current-context: ${opts.current}`] : []),
    "",
  ].join("\n");
}

/** Where the error of a rejected promise came from, and what it said. */
async function rejection(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof KubeError, `a KubeError: ${String(err)}`);
    return err;
  }
  assert.fail("it resolved");
}

describe("choosing the context", () => {
  const server = "http://127.0.0.1:1";

  it("takes the current context, or the one --context names, with its server", async () => {
    const current = await openKubeClient({ text: kubeconfigText(server, { current: "other" }) });
    assert.deepEqual([current.name, current.context, current.server], ["the kubeconfig", "other", server]);
    const chosen = await openKubeClient({ text: kubeconfigText(server, { current: "other" }) }, { context: "local" });
    assert.equal(chosen.context, "local");
  });

  it("refuses a context the kubeconfig lacks, naming the file and the contexts it has", async () => {
    const file = path.join(TMP, "two.kubeconfig");
    fs.writeFileSync(file, kubeconfigText(server, { current: "local" }));
    const err = await rejection(openKubeClient({ file }, { context: "nope" }));
    assert.ok(err instanceof KubeConfigError);
    assert.equal(err.message, `context "nope" is not in kubeconfig ${file}; it has: local, other`);
    assert.equal(err.code, undefined);
    const none = await rejection(
      openKubeClient({ text: kubeconfigText(server, { contexts: [] }) }, { context: "nope" }),
    );
    assert.equal(none.message, 'context "nope" is not in the kubeconfig; it has: no contexts');
  });

  it("refuses a kubeconfig with no usable current context, naming the fix", async () => {
    const file = path.join(TMP, "unset.kubeconfig");
    fs.writeFileSync(file, kubeconfigText(server));
    const unset = await rejection(openKubeClient({ file }));
    assert.ok(unset instanceof KubeConfigError);
    assert.equal(
      unset.message,
      `kubeconfig ${file} has no usable current context; pass --context, one of: local, other`,
    );
    const dangling = await rejection(
      openKubeClient({ text: kubeconfigText(server, { current: "dangling", contexts: ["local", "dangling"] }) }),
    );
    assert.equal(
      dangling.message,
      'the kubeconfig has no usable current context ("dangling" names no cluster); pass --context, one of: local, dangling',
    );
    const missing = await rejection(openKubeClient({ text: kubeconfigText(server, { current: "elsewhere" }) }));
    assert.match(
      missing.message,
      /^the kubeconfig has no usable current context \("elsewhere" names no cluster\); pass --context, one of: local, other$/,
    );
  });

  it("refuses a kubeconfig file it cannot read, naming it", async () => {
    const file = path.join(TMP, "absent.kubeconfig");
    const err = await rejection(openKubeClient({ file }));
    assert.ok(err instanceof KubeConfigError);
    assert.match(
      err.message,
      new RegExp(`^cannot read kubeconfig ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*ENOENT`),
    );
  });

  it("spells API paths as the API server serves them", () => {
    assert.equal(apiPath("v1", "namespaces"), "/api/v1/namespaces");
    assert.equal(
      apiPath("velero.io/v1", "restores", "velero", "r 1"),
      "/apis/velero.io/v1/namespaces/velero/restores/r%201",
    );
  });
});

/** `METHOD path?query authorization content-type body` of each request. */
interface Seen {
  readonly line: string;
  readonly authorization?: string;
  readonly contentType?: string;
  readonly body: string;
}

describe("requests against a local API server", () => {
  let server: http.Server;
  let url = "";
  const seen: Seen[] = [];
  const ITEMS = [1, 2, 3, 4, 5].map((i) => ({ metadata: { name: `cm-${i}` } }));

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const u = new URL(req.url ?? "/", "http://127.0.0.1");
        seen.push({
          line: `${req.method} ${u.pathname}${u.search}`,
          authorization: req.headers.authorization,
          contentType: req.headers["content-type"],
          body: Buffer.concat(chunks).toString("utf8"),
        });
        const send = (code: number, body: unknown): void => {
          res.writeHead(code, { "content-type": "application/json" });
          res.end(typeof body === "string" ? body : JSON.stringify(body));
        };
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
          return send(401, { kind: "Status", status: "Failure", message: "Unauthorized", code: 401 });
        if (u.pathname === "/api/v1/namespaces/demo/configmaps" && req.method === "GET") {
          // Pages of two, as the API server pages: a continue token on each page but the last.
          const from = Number(u.searchParams.get("continue") ?? "0");
          const next = from + 2 < ITEMS.length ? String(from + 2) : "";
          return send(200, { kind: "ConfigMapList", metadata: { continue: next }, items: ITEMS.slice(from, from + 2) });
        }
        if (u.pathname === "/api/v1/namespaces/demo/configmaps" && req.method === "POST")
          return send(409, {
            kind: "Status",
            status: "Failure",
            reason: "AlreadyExists",
            message: 'configmaps "x" already exists',
            code: 409,
          });
        if (u.pathname === "/api/v1/namespaces/demo/configmaps/x" && req.method === "PUT")
          return send(200, JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown);
        if (u.pathname === "/broken") return send(500, "upstream connect error");
        if (u.pathname === "/empty") return send(200, "");
        send(404, {
          kind: "Status",
          status: "Failure",
          reason: "NotFound",
          message: "the server could not find the requested resource",
          code: 404,
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const open = (token?: string): Promise<KubeClient> =>
    openKubeClient({ text: kubeconfigText(url, { current: "local", ...(token ? { token } : {}) }) });

  it("sends JSON with the kubeconfig's credentials and answers the parsed body", async () => {
    const c = await open();
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "demo" }, data: { a: "1" } };
    assert.deepEqual(await c.request("PUT", "/api/v1/namespaces/demo/configmaps/x", body), body);
    const put = seen[seen.length - 1];
    assert.deepEqual(
      [put.line, put.authorization, put.contentType, JSON.parse(put.body)],
      ["PUT /api/v1/namespaces/demo/configmaps/x", `Bearer ${TOKEN}`, "application/json", body],
    );
    assert.deepEqual(await c.request("GET", "/empty"), {}, "an empty body is an empty object");
  });

  it("makes a non-2xx answer a KubeError carrying the status and the API server's message", async () => {
    const c = await open();
    const conflict = await rejection(
      c.request("POST", "/api/v1/namespaces/demo/configmaps", { metadata: { name: "x" } }),
    );
    assert.equal(conflict.code, 409);
    assert.equal(conflict.message, 'POST /api/v1/namespaces/demo/configmaps: HTTP 409: configmaps "x" already exists');
    assert.equal(conflict.detail, 'configmaps "x" already exists');
    assert.ok(isStatus(conflict, 409) && !isStatus(conflict, 404));
    const missing = await rejection(c.request("GET", "/apis/example.com/v1/widgets"));
    assert.equal(missing.code, 404);
    assert.ok(isStatus(missing, 404));
    // A body that is not JSON (a proxy's page) is kept as the message.
    const broken = await rejection(c.request("GET", "/broken"));
    assert.deepEqual([broken.code, broken.message], [500, "GET /broken: HTTP 500: upstream connect error"]);
    const denied = await rejection((await open("wrong")).request("GET", "/api/v1/namespaces"));
    assert.deepEqual([denied.code, denied.detail], [401, "Unauthorized"]);
  });

  it("lists every page, sending limit and the continue token back with the query", async () => {
    const c = await open();
    const from = seen.length;
    const items = await c.list("/api/v1/namespaces/demo/configmaps", { labelSelector: "app=x" });
    assert.deepEqual(
      items.map((i) => (i.metadata as { name: string }).name),
      ["cm-1", "cm-2", "cm-3", "cm-4", "cm-5"],
    );
    assert.deepEqual(
      seen.slice(from).map((s) => s.line),
      [
        "GET /api/v1/namespaces/demo/configmaps?labelSelector=app%3Dx&limit=500",
        "GET /api/v1/namespaces/demo/configmaps?labelSelector=app%3Dx&limit=500&continue=2",
        "GET /api/v1/namespaces/demo/configmaps?labelSelector=app%3Dx&limit=500&continue=4",
      ],
    );
  });

  it("an API server that cannot be reached is a KubeError without a status, naming the server", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = await openKubeClient({ text: kubeconfigText(gone, { current: "local" }) });
    const err = await rejection(c.request("GET", "/api/v1/namespaces"));
    assert.equal(err.code, undefined);
    assert.match(err.message, new RegExp(`^cannot reach the API server ${gone}: .*ECONNREFUSED`));
    assert.match(err.detail, /ECONNREFUSED/);
  });
});
