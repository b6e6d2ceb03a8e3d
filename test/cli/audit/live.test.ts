/**
 * `phoenix audit` end to end, with the real `@kubernetes/client-node` against a local
 * HTTP server that answers the Kubernetes list calls with recorded List objects
 * (test/fixtures/audit). `healthy.json` is the base cluster; each other fixture replaces
 * some of its responses, and a `null` response is the API server's 404 (a CRD that is
 * not installed).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { AuditDocument } from "../../../cli/audit/report";
import { ROOT } from "../../helpers";

const FIXTURES = path.join(ROOT, "test", "fixtures", "audit");
const TOKEN = "audit-test-token";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-audit-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** Every list call the audit makes, as the API server sees the path. */
const LIST_PATHS = [
  "/api/v1/configmaps",
  "/api/v1/namespaces",
  "/api/v1/persistentvolumeclaims",
  "/api/v1/secrets",
  "/apis/apps/v1/daemonsets",
  "/apis/apps/v1/deployments",
  "/apis/apps/v1/statefulsets",
  "/apis/argoproj.io/v1alpha1/applications",
  "/apis/batch/v1/cronjobs",
  "/apis/velero.io/v1/schedules",
];

type Routes = Record<string, unknown>;

function fixture(name: string): Routes {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Routes;
}

/** The base cluster with a scenario's responses laid over it. */
function scenario(name?: string): Routes {
  return { ...fixture("healthy"), ...(name ? fixture(name) : {}) };
}

function status(code: number, reason: string, message: string): unknown {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, details: {}, code };
}

interface FakeApi {
  readonly url: string;
  /** `GET /path?query` of every request, in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A Kubernetes API server that knows only list calls, answered from recorded responses.
 * With `pageSize`, it pages every list as the API server does: `metadata.continue` on
 * each page but the last, the next page when the client sends it back.
 */
async function fakeApiServer(routes: Routes, pageSize?: number): Promise<FakeApi> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, status(401, "Unauthorized", "Unauthorized"));
    const body = routes[url.pathname];
    if (req.method !== "GET" || body === undefined || body === null)
      return send(404, status(404, "NotFound", "the server could not find the requested resource"));
    if (pageSize === undefined) return send(200, body);
    const list = body as { items: unknown[]; metadata?: Record<string, unknown> };
    const from = Number(url.searchParams.get("continue") ?? "0");
    const next = from + pageSize < list.items.length ? String(from + pageSize) : undefined;
    send(200, {
      ...list,
      items: list.items.slice(from, from + pageSize),
      metadata: { ...list.metadata, ...(next ? { continue: next } : {}) },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A kubeconfig with one plain-HTTP cluster and a token user (what client-node needs for http://). */
let kubeconfigs = 0;
function kubeconfig(name: string, server: string): string {
  // Numbered: runs of one scenario may overlap and must not share a file.
  const file = path.join(TMP, `${name}-${++kubeconfigs}.kubeconfig`);
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "  - name: phoenix-test",
      "    cluster:",
      `      server: ${server}`,
      "      insecure-skip-tls-verify: true",
      "users:",
      "  - name: auditor",
      "    user:",
      `      token: ${TOKEN}`,
      "contexts:",
      "  - name: phoenix-test",
      "    context: {cluster: phoenix-test, user: auditor}",
      "  - name: other",
      "    context: {cluster: phoenix-test, user: auditor}",
      "current-context: other",
      "",
    ].join("\n"),
  );
  return file;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `phoenix audit` from its sources in a child process, as `npm run audit` runs its build. */
function runAudit(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "cli", "run.ts"), "audit", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a server for a scenario, runs the CLI against it, stops the server. */
async function auditScenario(
  name: string | undefined,
  extraArgs: string[] = [],
  pageSize?: number,
): Promise<Run & { requests: string[] }> {
  const api = await fakeApiServer(scenario(name), pageSize);
  try {
    const run = await runAudit([
      "--kubeconfig",
      kubeconfig(name ?? "healthy", api.url),
      "--context",
      "phoenix-test",
      ...extraArgs,
    ]);
    return { ...run, requests: api.requests };
  } finally {
    await api.close();
  }
}

const paths = (requests: readonly string[]): string[] =>
  [...new Set(requests.map((r) => r.split(" ")[1].split("?")[0]))].sort();

// Each child loads tsx and the client library (about 2,500 ES modules): run as many at
// once as there are CPUs, no more, or they only thrash.
describe("phoenix audit against a recorded API server", { concurrency: Math.max(2, os.availableParallelism()) }, () => {
  it("follows continue tokens: a cluster served three items a page gives the same report", async () => {
    const [whole, paged] = await Promise.all([auditScenario(undefined), auditScenario(undefined, [], 3)]);
    assert.equal(paged.code, 0, paged.stderr + paged.stdout);
    assert.ok(
      paged.requests.some((r) => r.includes("continue=3")) && paged.requests.some((r) => r.includes("continue=6")),
      paged.requests.join("\n"),
    );
    // The first line names the server's port, which differs between the two runs.
    const body = (out: string) => out.split("\n").slice(1).join("\n");
    assert.equal(body(paged.stdout), body(whole.stdout));
  });

  it("passes a healthy Phoenix cluster (exit 0), using cluster-wide list calls only, and writes the JSON", async () => {
    const json = path.join(TMP, "out", "healthy.json");
    const run = await auditScenario(undefined, ["--out", json]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(
      run.stdout,
      /^payments-ledger\s+imperative\s+velero-daily, velero-hourly\s+1 PersistentVolumeClaim, 1 Secret, 1 StatefulSet\s+ok/m,
    );
    // Its Secret comes from a SealedSecret (ownerReferences): state, but a controller makes it again.
    assert.match(run.stdout, /^storefront\s+gitops\s+-\s+1 Secret\s+ok\s+.*Application argocd\/storefront/m);
    assert.match(run.stdout, /^argocd\s+platform\s+-/m);
    assert.match(
      run.stdout,
      /Audited 10 namespaces of context "phoenix-test" \(6 platform, 2 gitops, 2 imperative, 0 unknown\); 0 warnings\. OK/,
    );
    // The real client made every call, once each, as GETs with the kubeconfig's token.
    assert.deepEqual(paths(run.requests), LIST_PATHS);
    assert.equal(run.requests.length, LIST_PATHS.length);
    assert.ok(
      run.requests.every((r) => r.startsWith("GET ") && r.includes("limit=500")),
      run.requests.join("\n"),
    );
    assert.ok(
      run.requests.some(
        (r) =>
          r.startsWith("GET /api/v1/secrets?") &&
          r.includes("fieldSelector=type%21%3Dkubernetes.io%2Fservice-account-token"),
      ),
    );
    const doc = JSON.parse(fs.readFileSync(json, "utf8")) as AuditDocument;
    assert.equal(doc.summary.result, "ok");
    assert.deepEqual(doc.summary.byClass, { platform: 6, gitops: 2, imperative: 2, unknown: 0 });
    assert.equal(doc.target.context, "phoenix-test");
    assert.deepEqual(doc.namespaces.find((n) => n.name === "ml-models")?.holdsState, {
      PersistentVolumeClaim: ["artefacts"],
      Secret: ["upload-token"],
      Deployment: ["model-server"],
    });
  });

  it("fails (exit 1) on an unknown namespace with a volume and no backup, naming it", async () => {
    const run = await auditScenario("unbacked-pvc");
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /^scratch\s+unknown\s+-\s+1 PersistentVolumeClaim\s+lost\s+none$/m);
    assert.match(
      run.stdout,
      /\[lost\] unknown namespace "scratch" holds 1 PersistentVolumeClaim that no backup and no Git repository covers: it would be lost in a disaster/,
    );
    assert.match(run.stdout, /FAIL: 1 failing finding\./);
  });

  it("fails (exit 1) when a schedule's glob reaches a GitOps namespace", async () => {
    const run = await auditScenario("backup-covers-gitops");
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(
      run.stdout,
      /\[backup-covers-gitops\] GitOps namespace "storefront" is in the scope of schedule\(s\) velero-weekly/,
    );
    assert.match(run.stdout, /^payments-ledger\s+imperative\s+velero-daily, velero-hourly, velero-weekly\s/m);
    assert.doesNotMatch(run.stdout, /namespace "catalog" is in the scope/);
  });

  it("treats Argo CD's CRDs answering 404 as 'not installed' and says so", async () => {
    const run = await auditScenario("no-argocd");
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Argo CD is not installed \(applications\.argoproj\.io is not served\)/);
    assert.match(
      run.stdout,
      /^storefront\s+gitops\s+-\s+1 Secret\s+ok\s+label phoenix\.platform\/namespace-class=gitops$/m,
    );
    assert.ok(run.requests.some((r) => r.startsWith("GET /apis/argoproj.io/v1alpha1/applications")));
  });

  it("exits 2 naming the kubeconfig and the context when the context does not exist, before any request", async () => {
    const api = await fakeApiServer(scenario());
    try {
      const file = kubeconfig("bad-context", api.url);
      const run = await runAudit(["--kubeconfig", file, "--context", "nope"]);
      assert.equal(run.code, 2, run.stderr + run.stdout);
      assert.equal(
        run.stderr.trim(),
        `audit: context "nope" is not in kubeconfig ${file}; it has: phoenix-test, other`,
      );
      assert.deepEqual(api.requests, []);
    } finally {
      await api.close();
    }
  });

  it("exits 2 naming the server when the cluster cannot be reached", async () => {
    const api = await fakeApiServer({});
    await api.close();
    const file = kubeconfig("unreachable", api.url);
    const run = await runAudit(["--kubeconfig", file, "--context", "phoenix-test"]);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(
      run.stderr,
      new RegExp(
        `cannot reach the API server of context "phoenix-test" of kubeconfig ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(server ${api.url}\\)`,
      ),
    );
  });

  it("exits 2 with the usage error when --kubeconfig is missing", async () => {
    const run = await runAudit(["--context", "phoenix-test"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /required option '--kubeconfig <file>' not specified/);
    assert.equal(run.stdout, "");
  });

  it("exits 2 on a bad --stack before reading the cluster, naming the stack file", async () => {
    const api = await fakeApiServer(scenario());
    try {
      const run = await runAudit([
        "--kubeconfig",
        kubeconfig("bad-stack", api.url),
        "--context",
        "phoenix-test",
        "--stack",
        "nowhere",
      ]);
      assert.equal(run.code, 2, run.stderr + run.stdout);
      assert.match(run.stderr, /Pulumi\.nowhere\.yaml: no such stack file/);
      assert.deepEqual(api.requests, [], "no request reached the cluster");
    } finally {
      await api.close();
    }
  });
});
