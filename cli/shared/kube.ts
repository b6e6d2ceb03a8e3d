/**
 * How the command reaches a Kubernetes cluster, whichever command it is (audit,
 * recovery): a kubeconfig loaded from a file or from its text through
 * `@kubernetes/client-node`, whose KubeConfig gives the server and the credentials (an
 * EKS kubeconfig's exec plugin included); the context chosen with one clear error; and
 * plain JSON requests by API path (a caller names each resource by plural and group, so
 * no discovery round trip and no typed client are needed), with lists paged.
 *
 * `@kubernetes/client-node` 1.x is an ES module and this project is CommonJS: it is
 * loaded with a dynamic `import()` (which Node and tsx allow from CommonJS) and only its
 * types are imported statically, so loading this file costs nothing until a cluster is
 * opened.
 */
import * as http from "node:http";
import * as https from "node:https";
import type * as K8s from "@kubernetes/client-node";
import { isRecord, record } from "./data";

/** Page size of list calls. */
export const PAGE = 500;

/** The API server said no (`code`, its HTTP status), or could not be reached (no `code`). */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    /** The API server's own message (a Status' `message`), or why it could not be reached. */
    readonly detail = message,
  ) {
    super(message);
    this.name = "KubeError";
  }
}

/** The kubeconfig cannot be read, or names no usable context: nothing was requested. */
export class KubeConfigError extends KubeError {
  constructor(message: string) {
    super(message);
    this.name = "KubeConfigError";
  }
}

/** Whether an error is the API server answering `code` (404: not there or not served; 409: exists already). */
export function isStatus(err: unknown, code: number): boolean {
  return err instanceof KubeError && err.code === code;
}

/** A kubeconfig file, or a kubeconfig's text (YAML or JSON) from elsewhere (a stack output, a file read already). */
export type KubeconfigSource = { readonly file: string } | { readonly text: string };

/** A query of a request: label and field selectors, paging. */
export type Query = Readonly<Record<string, string>>;

/** A cluster opened: where it is, and the requests to it. */
export interface KubeClient {
  /** `kubeconfig <file>`, or `the kubeconfig` for text: how messages name it. */
  readonly name: string;
  readonly context: string;
  readonly server: string;
  /** The library and the loaded config, for what plain requests do not cover (exec over a websocket). */
  readonly k8s: typeof K8s;
  readonly config: K8s.KubeConfig;
  /** One JSON request; a non-2xx answer is a `KubeError` with its status. */
  request(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Every item of a list, page by page (`limit`, `continue`). */
  list(path: string, query?: Query): Promise<Record<string, unknown>[]>;
}

/** The REST path of a resource collection (cluster-wide without `namespace`) or of one object. */
export function apiPath(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ""}/${plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

/** How messages name a kubeconfig. */
export function kubeconfigName(source: KubeconfigSource): string {
  return "file" in source ? `kubeconfig ${source.file}` : "the kubeconfig";
}

/** Loads a kubeconfig; one that cannot be read or parsed is a `KubeConfigError` naming it. */
export function loadKubeconfig(k8s: typeof K8s, source: KubeconfigSource): K8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if ("file" in source) kc.loadFromFile(source.file);
    else kc.loadFromString(source.text);
  } catch (err) {
    throw new KubeConfigError(`cannot read ${kubeconfigName(source)}: ${(err as Error).message}`);
  }
  return kc;
}

/**
 * Makes `context` current (when given) and answers the current context and its server.
 * A context the kubeconfig lacks, or no usable current one, is a `KubeConfigError` that
 * names the kubeconfig, the contexts it has, and the fix (`--context`).
 */
export function selectContext(
  kc: K8s.KubeConfig,
  name: string,
  context?: string,
): { readonly context: string; readonly server: string } {
  const contexts = kc.getContexts().map((c) => c.name);
  if (context !== undefined) {
    if (!kc.getContextObject(context))
      throw new KubeConfigError(
        `context "${context}" is not in ${name}; it has: ${contexts.join(", ") || "no contexts"}`,
      );
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  if (!current || !kc.getContextObject(current) || !server) {
    throw new KubeConfigError(
      `${name} has no usable current context${current ? ` ("${current}" names no cluster)` : ""}; pass --context, one of: ${contexts.join(", ") || "none"}`,
    );
  }
  return { context: current, server };
}

/** A response body as JSON; text that is not JSON is kept (shortened) as its message. */
function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** The JSON request function over a loaded config: its credentials and TLS settings on every call. */
export function kubeRequest(kc: K8s.KubeConfig, server: string): KubeClient["request"] {
  return async (method, p, body) => {
    const url = new URL(p, server);
    const options: https.RequestOptions = {
      method,
      headers: { accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
    };
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (err) {
      // The kubeconfig's user could not be turned into credentials (an exec plugin such as
      // `aws eks get-token` failed, or a TLS setting was refused): not a network problem.
      throw new KubeError(
        `cannot get credentials for the API server ${server} from the kubeconfig: ${(err as Error).message}`,
        undefined,
        (err as Error).message,
      );
    }
    const lib = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const json = parseBody(Buffer.concat(chunks).toString("utf8"));
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(json);
          const message = typeof record(json).message === "string" ? String(record(json).message) : "";
          reject(new KubeError(`${method} ${p}: HTTP ${code}: ${message}`, code, message || `HTTP ${code}`));
        });
      });
      req.on("error", (err) =>
        reject(new KubeError(`cannot reach the API server ${server}: ${err.message}`, undefined, err.message)),
      );
      req.end(body ? JSON.stringify(body) : undefined);
    });
  };
}

/** Every item of a list at `p`, following `metadata.continue` from page to page. */
export async function listAll(
  request: KubeClient["request"],
  p: string,
  query: Query = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cont: string | undefined;
  do {
    const q = new URLSearchParams({ ...query, limit: String(PAGE), ...(cont ? { continue: cont } : {}) });
    const page = record(await request("GET", `${p}?${q.toString()}`));
    if (Array.isArray(page.items)) items.push(...page.items.filter(isRecord));
    const next = record(page.metadata).continue;
    cont = typeof next === "string" && next !== "" ? next : undefined;
  } while (cont);
  return items;
}

/**
 * Opens the cluster a kubeconfig points at, in `context` or its current one. Throws
 * `KubeConfigError` when the kubeconfig cannot be read or names no usable context;
 * nothing is requested until a request is made.
 */
export async function openKubeClient(
  source: KubeconfigSource,
  opts: { readonly context?: string } = {},
): Promise<KubeClient> {
  // ESM-only package from CommonJS: a dynamic import (see the file comment).
  const k8s: typeof K8s = await import("@kubernetes/client-node");
  const name = kubeconfigName(source);
  const config = loadKubeconfig(k8s, source);
  const { context, server } = selectContext(config, name, opts.context);
  const request = kubeRequest(config, server);
  return { name, context, server, k8s, config, request, list: (p, query) => listAll(request, p, query) };
}
