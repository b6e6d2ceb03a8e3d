/**
 * The cluster side of recovery through `@kubernetes/client-node`: its KubeConfig for
 * the server and credentials (an EKS kubeconfig's exec plugin included), plain REST paths
 * for reads and writes (a backup names each resource by plural and group, so no discovery
 * round trip is needed), and its `Exec` for the namespaces' own verify commands.
 * Loaded with a dynamic `import()`: the library is an ES module and this project is
 * CommonJS (as the audit does).
 */
import * as http from "node:http";
import * as https from "node:https";
import { Writable } from "node:stream";
import type * as K8s from "@kubernetes/client-node";
import { isRecord, record } from "../shared/data";
import type { ExecResult, RecoveryCluster, ResourceType, RestoreOutcome, Wait } from "./adapters";
import type { LiveObject, VolumeRestore } from "./compare";
import { parseRewrites, REWRITES_ANNOTATION } from "../backup/modifiers";
import { restorePhase, VELERO_API } from "./velero";

/** Page size of list calls. */
const PAGE = 500;
/** Seconds between polls of a wait. */
const POLL_SECONDS = 5;

/** The API server said no, or could not be reached. */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = "KubeError";
  }
}

/** Sleeps, or stops early when the signal fires. */
export function pause(seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, seconds * 1000);
    const stop = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

/**
 * Polls `check` until it answers a value, the wait times out (an error naming `what`
 * and the last status), or the signal fires.
 */
export async function poll<T>(what: string, wait: Wait, check: () => Promise<{ done: T } | { status: string }>, pollSeconds = POLL_SECONDS): Promise<T> {
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  for (;;) {
    const r = await check();
    if ("done" in r) return r.done;
    wait.progress?.(r.status);
    if (Date.now() >= deadline) throw new Error(`timed out after ${wait.timeoutSeconds}s waiting for ${what}: ${r.status}`);
    await pause(Math.min(pollSeconds, Math.max(0, (deadline - Date.now()) / 1000)), wait.signal);
  }
}

function path(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ""}/${plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

const VELERO = `${VELERO_API.group}/${VELERO_API.version}`;

/** Opens the cluster a kubeconfig (its text) points at; `pollSeconds` paces every wait. */
export async function openRecoveryCluster(kubeconfig: string, opts: { readonly context?: string; readonly pollSeconds?: number } = {}): Promise<RecoveryCluster> {
  const k8s: typeof K8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) throw new KubeError(`context "${opts.context}" is not in the kubeconfig; it has: ${kc.getContexts().map((c) => c.name).join(", ") || "none"}`);
    kc.setCurrentContext(opts.context);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new KubeError("the kubeconfig has no current cluster: pass --context");
  const pollSeconds = opts.pollSeconds ?? POLL_SECONDS;

  async function request(method: string, p: string, body?: unknown): Promise<unknown> {
    const url = new URL(p, server);
    const options: https.RequestOptions = { method, headers: { accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) } };
    await kc.applyToHTTPSOptions(options);
    const lib = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : {};
          } catch {
            json = { message: text.slice(0, 200) };
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve(json);
          else reject(new KubeError(`${method} ${p}: HTTP ${code}: ${typeof record(json).message === "string" ? String(record(json).message) : ""}`, code));
        });
      });
      req.on("error", (err) => reject(new KubeError(`cannot reach the API server ${server}: ${err.message}`)));
      req.end(body ? JSON.stringify(body) : undefined);
    });
  }

  async function list(p: string, query: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cont: string | undefined;
    do {
      const q = new URLSearchParams({ ...query, limit: String(PAGE), ...(cont ? { continue: cont } : {}) });
      const page = record(await request("GET", `${p}?${q.toString()}`));
      if (Array.isArray(page.items)) items.push(...page.items.filter(isRecord));
      cont = typeof record(page.metadata).continue === "string" && record(page.metadata).continue !== "" ? String(record(page.metadata).continue) : undefined;
    } while (cont);
    return items;
  }

  async function listOr404(p: string, query: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    try {
      return await list(p, query);
    } catch (err) {
      if (err instanceof KubeError && err.code === 404) return [];
      throw err;
    }
  }

  const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => record(v)[k], o);
  const text = (o: unknown, ...keys: string[]): string | undefined => {
    const v = at(o, ...keys);
    return typeof v === "string" ? v : undefined;
  };

  return {
    async waitApplications(wait) {
      return poll<{ total: number }>("Argo CD Applications to be Synced and Healthy", wait, async () => {
        const apps = await listOr404("/apis/argoproj.io/v1alpha1/applications");
        const notReady = apps
          .map((a) => ({ name: `${text(a, "metadata", "namespace") ?? ""}/${text(a, "metadata", "name") ?? ""}`, sync: (text(a, "status", "sync", "status") ?? "Unknown"), health: (text(a, "status", "health", "status") ?? "Unknown") }))
          .filter((a) => a.sync !== "Synced" || a.health !== "Healthy");
        if (apps.length > 0 && notReady.length === 0) return { done: { total: apps.length } };
        return { status: apps.length === 0 ? "no Application yet" : `${apps.length - notReady.length}/${apps.length} ready; waiting for ${notReady.slice(0, 5).map((a) => `${a.name} (${a.sync}, ${a.health})`).join(", ")}` };
      }, pollSeconds);
    },

    async waitBackup(ns, backup, podVolumeBackups, wait) {
      await poll<undefined>(`Velero to sync backup ${backup} from its location`, wait, async () => {
        try {
          await request("GET", path(VELERO, "backups", ns, backup));
          return { done: undefined };
        } catch (err) {
          if (err instanceof KubeError && err.code === 404) return { status: `backup ${backup} not synced yet (Velero's backupSyncPeriod, 1 minute by default)` };
          throw err;
        }
      }, pollSeconds);
      await poll<undefined>(`Velero to sync the ${podVolumeBackups} pod volume backups of ${backup}`, wait, async () => {
        const synced = (await listOr404(path(VELERO, "podvolumebackups", ns), { labelSelector: `velero.io/backup-name=${backup}` })).length;
        return synced >= podVolumeBackups ? { done: undefined } : { status: `${synced}/${podVolumeBackups} pod volume backups of ${backup} synced: a restore before all are would bring volumes back empty` };
      }, pollSeconds);
    },

    async createRestore(manifest) {
      const ns = text(manifest, "metadata", "namespace") ?? "";
      await request("POST", path(VELERO, "restores", ns), manifest);
    },

    async applyConfigMap(manifest) {
      const ns = text(manifest, "metadata", "namespace") ?? "";
      const name = text(manifest, "metadata", "name") ?? "";
      try {
        await request("POST", path("v1", "configmaps", ns), manifest);
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409)) throw err;
        await request("PUT", path("v1", "configmaps", ns, name), manifest);
      }
    },

    async restoreRewrites(ns, restore) {
      const r = await request("GET", path(VELERO, "restores", ns, restore));
      const name = text(r, "spec", "resourceModifier", "name");
      if (!name) return [];
      try {
        const cm = await request("GET", path("v1", "configmaps", ns, name));
        return parseRewrites(text(cm, "metadata", "annotations", REWRITES_ANNOTATION));
      } catch (err) {
        if (err instanceof KubeError && err.code === 404) return [];
        throw err;
      }
    },

    async waitRestore(ns, restore, given): Promise<RestoreOutcome> {
      // One deadline for the restore and its pod volumes together.
      const deadline = Date.now() + given.timeoutSeconds * 1000;
      const wait = { ...given, get timeoutSeconds(): number {
        return Math.max(0, (deadline - Date.now()) / 1000);
      } };
      const done = await poll<unknown>(`restore ${restore}`, wait, async () => {
        const r = await request("GET", path(VELERO, "restores", ns, restore));
        const phase = (text(r, "status", "phase") ?? "New");
        return restorePhase(phase) === "running" ? { status: `restore ${phase}` } : { done: r };
      }, pollSeconds);
      // Pod volume data comes back after the Restore's own items: wait for kopia too.
      const volumeRestores = await poll<VolumeRestore[]>(`pod volume restores of ${restore}`, wait, async () => {
        const pvrs = (await listOr404(path(VELERO, "podvolumerestores", ns), { labelSelector: `velero.io/restore-name=${restore}` })).map(
          (p): VolumeRestore => ({ podNamespace: (text(p, "spec", "pod", "namespace") ?? ""), podName: (text(p, "spec", "pod", "name") ?? ""), volume: (text(p, "spec", "volume") ?? ""), phase: (text(p, "status", "phase") ?? "New") }),
        );
        const running = pvrs.filter((p) => restorePhase(p.phase) === "running");
        return running.length === 0 ? { done: pvrs } : { status: `${pvrs.length - running.length}/${pvrs.length} pod volumes restored` };
      }, pollSeconds);
      return {
        phase: text(done, "status", "phase") ?? "Unknown",
        warnings: Number(at(done, "status", "warnings") ?? 0),
        errors: Number(at(done, "status", "errors") ?? 0),
        ...(text(done, "status", "failureReason") ? { failureReason: text(done, "status", "failureReason") } : {}),
        ...(Array.isArray(at(done, "status", "validationErrors")) ? { validationErrors: (at(done, "status", "validationErrors") as unknown[]).map(String) } : {}),
        volumeRestores,
      };
    },

    async restoresOf(ns, backup) {
      const restores = (await listOr404(path(VELERO, "restores", ns))).filter((r) => at(r, "spec", "backupName") === backup);
      return restores
        .sort((a, b) => (text(b, "metadata", "creationTimestamp") ?? "").localeCompare((text(a, "metadata", "creationTimestamp") ?? "")))
        .map((r) => text(r, "metadata", "name") ?? "");
    },

    async listObjects(namespaces, resources: readonly ResourceType[]) {
      const out: LiveObject[] = [];
      for (const ns of namespaces) {
        for (const r of resources) {
          for (const o of await listOr404(path(r.apiVersion, r.plural, ns))) {
            // List items carry no kind or apiVersion of their own: the list's are theirs.
            out.push({ apiVersion: r.apiVersion, kind: r.kind, namespace: ns, name: text(o, "metadata", "name") ?? "", object: { apiVersion: r.apiVersion, kind: r.kind, ...o } });
          }
        }
      }
      return out;
    },

    async exec(ns, pods, container, command, timeoutSeconds): Promise<ExecResult> {
      const selector = Object.entries(pods).map(([k, v]) => `${k}=${v}`).join(",");
      // A Ready pod: a running one may still be replaying its data (a database in recovery).
      const ready = (o: unknown): boolean => Array.isArray(at(o, "status", "conditions")) && (at(o, "status", "conditions") as unknown[]).some((c) => text(c, "type") === "Ready" && text(c, "status") === "True");
      const running = (await list(path("v1", "pods", ns), selector ? { labelSelector: selector } : {})).filter((p) => at(p, "status", "phase") === "Running" && ready(p));
      if (running.length === 0) throw new Error(`no running, ready pod in ${ns}${selector ? ` matching ${selector}` : ""} to run the verify command in`);
      const pod = text(running[0], "metadata", "name") ?? "";
      let output = "";
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          output = (output + chunk.toString("utf8")).slice(-2000);
          cb();
        },
      });
      const exec = new k8s.Exec(kc);
      const status = await new Promise<K8s.V1Status>((resolve, reject) => {
        let socket: { close(): void } | undefined;
        const timer = setTimeout(() => {
          // Closing the stream ends the exec session; the command may still run in the pod.
          socket?.close();
          reject(new Error(`verify command in ${ns}/${pod} did not finish within ${timeoutSeconds}s`));
        }, timeoutSeconds * 1000);
        exec
          .exec(ns, pod, container, [...command], sink, sink, null, false, (s) => {
            clearTimeout(timer);
            resolve(s);
          })
          .then((ws: { close(): void }) => {
            socket = ws;
          })
          .catch((err: Error) => {
            clearTimeout(timer);
            reject(err);
          });
      });
      return { pod, exitCode: exitCode(status), output: output.trim().split("\n").slice(-5).join("\n") };
    },
  };
}

/** The exit code in an exec's final Status: 0 on Success, the NonZeroExitCode cause otherwise. */
export function exitCode(status: { status?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } }): number {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) && code > 0 ? code : 1;
}
