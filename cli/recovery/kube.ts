/**
 * The cluster side of recovery, over the command's one Kubernetes client
 * (cli/shared/kube.ts: `@kubernetes/client-node`'s KubeConfig for the server and
 * credentials, an EKS kubeconfig's exec plugin included): plain REST paths for reads and
 * writes (a backup names each resource by plural and group, so no discovery round trip
 * is needed), and the library's `Exec` for the namespaces' own verify commands. Each
 * operation of `RecoveryCluster` is a small function over the client.
 */
import { Writable } from "node:stream";
import type * as K8s from "@kubernetes/client-node";
import { text, valueAt } from "../shared/data";
import { apiPath as path, isStatus, KubeError, openKubeClient, type KubeClient } from "../shared/kube";
import type { ExecResult, RecoveryCluster, RestoreOutcome, Wait } from "./adapters";
import type { VolumeRestore } from "./compare";
import { parseRewrites, REWRITES_ANNOTATION } from "../backup/modifiers";
import type { Rewrite } from "../backup/portability";
import { restorePhase, VELERO_API } from "./velero";
import { deleteRestored, listObjects, listOr404 } from "./kubeObjects";
import { listVolumeRestores } from "./volumeRestores";

export { KubeError };

/** Seconds between polls of a wait. */
const POLL_SECONDS = 5;

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
export async function poll<T>(
  what: string,
  wait: Wait,
  check: () => Promise<{ done: T } | { status: string }>,
  pollSeconds = POLL_SECONDS,
): Promise<T> {
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  for (;;) {
    const r = await check();
    if ("done" in r) return r.done;
    wait.progress?.(r.status);
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${wait.timeoutSeconds}s waiting for ${what}: ${r.status}`);
    await pause(Math.min(pollSeconds, Math.max(0, (deadline - Date.now()) / 1000)), wait.signal);
  }
}

const VELERO = `${VELERO_API.group}/${VELERO_API.version}`;

/** The cluster as the operations use it: the client, and the pace of every wait. */
interface RecoveryKube {
  readonly client: KubeClient;
  readonly pollSeconds: number;
}

/** Waits until every Argo CD Application is Synced and Healthy. */
function waitApplications({ client, pollSeconds }: RecoveryKube, wait: Wait): Promise<{ total: number }> {
  return poll<{ total: number }>(
    "Argo CD Applications to be Synced and Healthy",
    wait,
    async () => {
      const apps = await listOr404(client, "/apis/argoproj.io/v1alpha1/applications");
      const notReady = apps
        .map((a) => ({
          name: `${text(valueAt(a, "metadata", "namespace")) ?? ""}/${text(valueAt(a, "metadata", "name")) ?? ""}`,
          sync: text(valueAt(a, "status", "sync", "status")) ?? "Unknown",
          health: text(valueAt(a, "status", "health", "status")) ?? "Unknown",
        }))
        .filter((a) => a.sync !== "Synced" || a.health !== "Healthy");
      if (apps.length > 0 && notReady.length === 0) return { done: { total: apps.length } };
      return {
        status:
          apps.length === 0
            ? "no Application yet"
            : `${apps.length - notReady.length}/${apps.length} ready; waiting for ${notReady
                .slice(0, 5)
                .map((a) => `${a.name} (${a.sync}, ${a.health})`)
                .join(", ")}`,
      };
    },
    pollSeconds,
  );
}

/** Waits until Velero has synced the backup, then its pod volume backups (RecoveryCluster.waitBackup). */
async function waitBackup(
  { client, pollSeconds }: RecoveryKube,
  ns: string,
  backup: string,
  podVolumeBackups: number,
  wait: Wait,
): Promise<void> {
  await poll<undefined>(
    `Velero to sync backup ${backup} from its location`,
    wait,
    async () => {
      try {
        await client.request("GET", path(VELERO, "backups", ns, backup));
        return { done: undefined };
      } catch (err) {
        if (isStatus(err, 404))
          return { status: `backup ${backup} not synced yet (Velero's backupSyncPeriod, 1 minute by default)` };
        throw err;
      }
    },
    pollSeconds,
  );
  await poll<undefined>(
    `Velero to sync the ${podVolumeBackups} pod volume backups of ${backup}`,
    wait,
    async () => {
      const synced = (
        await listOr404(client, path(VELERO, "podvolumebackups", ns), {
          labelSelector: `velero.io/backup-name=${backup}`,
        })
      ).length;
      return synced >= podVolumeBackups
        ? { done: undefined }
        : {
            status: `${synced}/${podVolumeBackups} pod volume backups of ${backup} synced: a restore before all are would bring volumes back empty`,
          };
    },
    pollSeconds,
  );
}

/** Creates a Velero Restore. */
async function createRestore(client: KubeClient, manifest: Record<string, unknown>): Promise<void> {
  const ns = text(valueAt(manifest, "metadata", "namespace")) ?? "";
  await client.request("POST", path(VELERO, "restores", ns), manifest);
}

/** Creates a ConfigMap, or replaces the one of that name. */
async function applyConfigMap(client: KubeClient, manifest: Record<string, unknown>): Promise<void> {
  const ns = text(valueAt(manifest, "metadata", "namespace")) ?? "";
  const name = text(valueAt(manifest, "metadata", "name")) ?? "";
  try {
    await client.request("POST", path("v1", "configmaps", ns), manifest);
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
    await client.request("PUT", path("v1", "configmaps", ns, name), manifest);
  }
}

/** The rewrites recorded on a Restore's resource modifiers ConfigMap; none when it has none, or they are gone. */
async function restoreRewrites(client: KubeClient, ns: string, restore: string): Promise<readonly Rewrite[]> {
  const r = await client.request("GET", path(VELERO, "restores", ns, restore));
  const name = text(valueAt(r, "spec", "resourceModifier", "name"));
  if (!name) return [];
  try {
    const cm = await client.request("GET", path("v1", "configmaps", ns, name));
    return parseRewrites(text(valueAt(cm, "metadata", "annotations", REWRITES_ANNOTATION)));
  } catch (err) {
    if (isStatus(err, 404)) return [];
    throw err;
  }
}

/** Waits until the Restore and its pod volume restores are over, within one deadline for both. */
async function waitRestore(
  { client, pollSeconds }: RecoveryKube,
  ns: string,
  restore: string,
  given: Wait,
): Promise<RestoreOutcome> {
  // One deadline for the restore and its pod volumes together.
  const deadline = Date.now() + given.timeoutSeconds * 1000;
  const wait = {
    ...given,
    get timeoutSeconds(): number {
      return Math.max(0, (deadline - Date.now()) / 1000);
    },
  };
  const done = await poll<unknown>(
    `restore ${restore}`,
    wait,
    async () => {
      const r = await client.request("GET", path(VELERO, "restores", ns, restore));
      const phase = text(valueAt(r, "status", "phase")) ?? "New";
      return restorePhase(phase) === "running" ? { status: `restore ${phase}` } : { done: r };
    },
    pollSeconds,
  );
  // Pod volume data comes back after the Restore's own items: wait for kopia too. (A
  // data-mover Restore completes only after its DataDownloads, which are listed alike.)
  const volumeRestores = await poll<VolumeRestore[]>(
    `volume restores of ${restore}`,
    wait,
    async () => {
      const pvrs = await listVolumeRestores(client, ns, restore);
      const running = pvrs.filter((p) => restorePhase(p.phase) === "running");
      return running.length === 0
        ? { done: pvrs }
        : { status: `${pvrs.length - running.length}/${pvrs.length} volumes restored` };
    },
    pollSeconds,
  );
  return restoreOutcome(done, volumeRestores);
}

/** A finished Restore's outcome, as its status gives it. */
function restoreOutcome(done: unknown, volumeRestores: readonly VolumeRestore[]): RestoreOutcome {
  return {
    phase: text(valueAt(done, "status", "phase")) ?? "Unknown",
    warnings: Number(valueAt(done, "status", "warnings") ?? 0),
    errors: Number(valueAt(done, "status", "errors") ?? 0),
    ...(text(valueAt(done, "status", "failureReason"))
      ? { failureReason: text(valueAt(done, "status", "failureReason")) }
      : {}),
    ...(Array.isArray(valueAt(done, "status", "validationErrors"))
      ? { validationErrors: (valueAt(done, "status", "validationErrors") as unknown[]).map(String) }
      : {}),
    volumeRestores,
  };
}

/** The Restores of a backup, newest first. */
async function restoresOf(client: KubeClient, ns: string, backup: string): Promise<readonly string[]> {
  const restores = (await listOr404(client, path(VELERO, "restores", ns))).filter(
    (r) => valueAt(r, "spec", "backupName") === backup,
  );
  return restores
    .sort((a, b) =>
      (text(valueAt(b, "metadata", "creationTimestamp")) ?? "").localeCompare(
        text(valueAt(a, "metadata", "creationTimestamp")) ?? "",
      ),
    )
    .map((r) => text(valueAt(r, "metadata", "name")) ?? "");
}

/** The first running, ready pod matching the selector. */
async function readyPod(client: KubeClient, ns: string, pods: Readonly<Record<string, string>>): Promise<string> {
  const selector = Object.entries(pods)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  // A Ready pod: a running one may still be replaying its data (a database in recovery).
  const ready = (o: unknown): boolean =>
    Array.isArray(valueAt(o, "status", "conditions")) &&
    (valueAt(o, "status", "conditions") as unknown[]).some(
      (c) => text(valueAt(c, "type")) === "Ready" && text(valueAt(c, "status")) === "True",
    );
  const running = (await client.list(path("v1", "pods", ns), selector ? { labelSelector: selector } : {})).filter(
    (p) => valueAt(p, "status", "phase") === "Running" && ready(p),
  );
  if (running.length === 0)
    throw new Error(
      `no running, ready pod in ${ns}${selector ? ` matching ${selector}` : ""} to run the verify command in`,
    );
  return text(valueAt(running[0], "metadata", "name")) ?? "";
}

/** Runs a verify command in a running, ready pod and reads its exit code and the end of its output. */
async function execIn(
  client: KubeClient,
  ns: string,
  pods: Readonly<Record<string, string>>,
  container: string,
  command: readonly string[],
  timeoutSeconds: number,
): Promise<ExecResult> {
  const pod = await readyPod(client, ns, pods);
  let output = "";
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      output = (output + chunk.toString("utf8")).slice(-2000);
      cb();
    },
  });
  const exec = new client.k8s.Exec(client.config);
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
}

/** Opens the cluster a kubeconfig (its text) points at; `pollSeconds` paces every wait. */
export async function openRecoveryCluster(
  kubeconfig: string,
  opts: { readonly context?: string; readonly pollSeconds?: number } = {},
): Promise<RecoveryCluster> {
  const client = await openKubeClient(
    { text: kubeconfig },
    opts.context === undefined ? {} : { context: opts.context },
  );
  const kube: RecoveryKube = { client, pollSeconds: opts.pollSeconds ?? POLL_SECONDS };
  return {
    waitApplications: (wait) => waitApplications(kube, wait),
    waitBackup: (ns, backup, podVolumeBackups, wait) => waitBackup(kube, ns, backup, podVolumeBackups, wait),
    createRestore: (manifest) => createRestore(client, manifest),
    applyConfigMap: (manifest) => applyConfigMap(client, manifest),
    restoreRewrites: (ns, restore) => restoreRewrites(client, ns, restore),
    waitRestore: (ns, restore, wait) => waitRestore(kube, ns, restore, wait),
    restoresOf: (ns, backup) => restoresOf(client, ns, backup),
    listObjects: (namespaces, resources) => listObjects(client, namespaces, resources),
    deleteRestored: (namespaces, resources, restore) => deleteRestored(client, namespaces, resources, restore),
    exec: (ns, pods, container, command, timeoutSeconds) =>
      execIn(client, ns, pods, container, command, timeoutSeconds),
  };
}

/** The exit code in an exec's final Status: 0 on Success, the NonZeroExitCode cause otherwise. */
export function exitCode(status: {
  status?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}): number {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) && code > 0 ? code : 1;
}
