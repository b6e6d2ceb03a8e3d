/**
 * Velero for one cluster, as Phoenix deploys it: the chart rendered by the real `helm
 * template` with the plan's values (only the bucket's endpoint changed, to MinIO), its
 * CRDs, RBAC, storage locations and Schedules applied, Phoenix's own objects in Velero's
 * namespace applied from the plan (the repository password, the restore modifiers),
 * and the server, with the arguments the rendered Deployment gives it, run as a process
 * with its AWS plugin against the cluster's API server. The node agent is not run: since
 * Velero 1.17 it moves data in a pod it creates (pkg/exposer/pod_volume.go@v1.18.1),
 * which a kwok node never runs (docs/architecture/e2e.md).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { binary } from "../upstream/paths";
import type { Cluster } from "./cluster";
import { applyObjects, getJson, kubectl } from "./kubectl";
import { planObjects, renderRelease } from "./manifests";
import type { S3Credentials, Store } from "./objectStore";
import { releaseOf, type PlanJson } from "./plan";
import { freePort, start, waitFor, type Managed } from "./processes";

/** Velero's namespace, as the plan installs it. */
export const VELERO_NS = "velero";

/** A running Velero. */
export interface Velero {
  readonly proc: Managed;
  /** Runs the velero CLI against this cluster. */
  cli(args: readonly string[]): { status: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** The port every Velero server binds for controller-runtime's metrics (its default, not configurable). */
const METRICS_PORT = 8080;

/** Whether nothing listens on `port` (any address). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Phoenix's Velero values with the bucket's S3 endpoint pointed at `store` (MinIO speaks path-style). */
function valuesFor(values: Record<string, unknown>, store: Store): Record<string, unknown> {
  const v = JSON.parse(JSON.stringify(values)) as {
    configuration: { backupStorageLocation: { bucket: string; config?: Record<string, string> }[] };
  };
  for (const bsl of v.configuration.backupStorageLocation) {
    bsl.bucket = store.bucket;
    bsl.config = { ...bsl.config, s3Url: store.endpoint, s3ForcePathStyle: "true" };
  }
  return v;
}

/** Waits until every CRD is Established. */
async function crdsEstablished(kubeconfig: string, names: readonly string[]): Promise<void> {
  await waitFor(
    "Velero's CRDs to be established",
    () =>
      kubectl(kubeconfig, ["wait", "--for=condition=Established", "--timeout=5s", ...names.map((n) => `crd/${n}`)])
        .status === 0,
    undefined,
  );
}

/**
 * Starts Velero on `cluster` for the stack planned in `plan`, its location in `store`,
 * as `who`. `extraArgs` are the harness's own server flags (shorter sync and GC periods),
 * appended after the rendered ones.
 */
export async function startVelero(
  cluster: Cluster,
  plan: PlanJson,
  opts: {
    chartsRoot: string;
    store: Store;
    who: S3Credentials;
    repositoryPassword: string;
    extraArgs?: readonly string[];
  },
): Promise<Velero> {
  if (!(await portFree(METRICS_PORT))) {
    throw new Error(
      `port ${METRICS_PORT} is taken: Velero's controller-runtime metrics listener is fixed there (ctrl.Options without Metrics, pkg/cmd/server/server.go:269@v1.18.1), so only one Velero runs on a machine at a time; stop the other (another e2e run?) and run again`,
    );
  }
  const release = releaseOf(plan, "velero");
  const rendered = renderRelease(opts.chartsRoot, release, valuesFor(release.values, opts.store));
  const crds = rendered.filter((o) => o.kind === "CustomResourceDefinition");
  // Phoenix's own objects of Velero's namespace, and the namespace itself with its Pod Security labels.
  const own = planObjects(plan, {
    "velero-repo-credentials": { "repository-password": opts.repositoryPassword },
  }).filter((o) => (o.kind === "Namespace" && o.metadata.name === VELERO_NS) || o.metadata.namespace === VELERO_NS);
  // The server runs as a process beside its Deployment, which is applied all the same: a
  // restore reads it for the image of the helper it adds to pods (a restore without it
  // fails, "deployments.apps velero not found"). The node agent's DaemonSet is left out:
  // its pods would look Running on a kwok node with nothing behind them. Hook Jobs are
  // Helm's upgrade machinery.
  const rest = rendered.filter((o) => !["CustomResourceDefinition", "DaemonSet", "Job", "Pod"].includes(o.kind));
  applyObjects(cluster.kubeconfigPath, crds);
  await crdsEstablished(
    cluster.kubeconfigPath,
    crds.map((c) => c.metadata.name),
  );
  applyObjects(
    cluster.kubeconfigPath,
    own.filter((o) => o.kind === "Namespace"),
  );
  applyObjects(cluster.kubeconfigPath, [...own.filter((o) => o.kind !== "Namespace"), ...rest]);

  const deployment = rendered.find((o) => o.kind === "Deployment" && o.metadata.name === "velero") as
    { spec: { template: { spec: { containers: { name: string; args: string[] }[] } } } } | undefined;
  const container = deployment?.spec.template.spec.containers.find((c) => c.name === "velero");
  if (!container) throw new Error("the rendered velero chart has no velero Deployment container");
  const dir = path.join(cluster.dir, "velero");
  fs.mkdirSync(dir, { recursive: true });
  // Velero finds plugins as executables in --plugin-dir.
  const pluginDir = path.join(dir, "plugins");
  fs.mkdirSync(pluginDir, { recursive: true });
  fs.copyFileSync(binary("velero", "velero-plugin-for-aws"), path.join(pluginDir, "velero-plugin-for-aws"));
  fs.chmodSync(path.join(pluginDir, "velero-plugin-for-aws"), 0o755);
  const args = [
    ...container.args,
    `--kubeconfig=${cluster.kubeconfigPath}`,
    `--namespace=${VELERO_NS}`,
    `--plugin-dir=${pluginDir}`,
    `--metrics-address=127.0.0.1:${await freePort()}`,
    `--profiler-address=127.0.0.1:${await freePort()}`,
    ...(opts.extraArgs ?? []),
  ];
  // The plugin takes the process's credentials (AWS's default chain), as Pod Identity hands them to the pod on EKS.
  const env = {
    AWS_ACCESS_KEY_ID: opts.who.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.who.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    HOME: dir,
  };
  const proc = start(`${cluster.name}-velero`, binary("velero", "velero"), args, {
    logDir: cluster.dir,
    env,
    cwd: dir,
  });
  const cli = (a: readonly string[]): { status: number; stdout: string; stderr: string } => {
    const run = spawnSync(
      binary("velero", "velero"),
      [...a, `--kubeconfig=${cluster.kubeconfigPath}`, `--namespace=${VELERO_NS}`],
      { encoding: "utf8", env: { ...process.env, HOME: dir }, timeout: 600_000 },
    );
    return { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
  };
  try {
    await waitFor(
      "Velero's backup storage location to be Available",
      () => {
        const bsls = getJson<{ items: { status?: { phase?: string } }[] }>(cluster.kubeconfigPath, [
          "backupstoragelocations.velero.io",
          "-n",
          VELERO_NS,
        ]).items;
        return bsls.length > 0 && bsls.every((b) => b.status?.phase === "Available");
      },
      proc,
      120_000,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { proc, cli, stop: () => proc.stop() };
}
