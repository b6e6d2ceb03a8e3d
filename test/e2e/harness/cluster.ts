/**
 * One real Kubernetes control plane on loopback: etcd, kube-apiserver (Pod Security
 * admission is on by default since 1.25), kube-controller-manager, kube-scheduler, and
 * kwok with fake nodes whose kubelets mark scheduled pods Running and Ready. Nothing
 * runs in containers: objects, admission, controllers and scheduling are real, the
 * containers are not.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { KWOK_STAGES, SNAPSHOT_CRDS } from "../upstream/build";
import { binary, programDir } from "../upstream/paths";
import { applyObjects, kubectlOk } from "./kubectl";
import { freePort, start, waitFor, type Managed } from "./processes";

/** A running cluster. */
export interface Cluster {
  readonly name: string;
  /** The kubeconfig's path, and its text. */
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  readonly server: string;
  /** The names of its fake nodes. */
  readonly nodes: readonly string[];
  /** The folder of its files and logs. */
  readonly dir: string;
  stop(): Promise<void>;
}

/** The snapshot CRDs, Established, and with `controller` the snapshot controller, running. */
function snapshotSupport(kubeconfig: string, controller: boolean, dir: string, started: Managed[]): void {
  const crds = path.join(programDir("snapshotter"), "crds");
  kubectlOk(kubeconfig, ["apply", "--server-side", ...SNAPSHOT_CRDS.flatMap((f) => ["-f", path.join(crds, f)])]);
  kubectlOk(kubeconfig, [
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    ...SNAPSHOT_CRDS.map(
      (f) => `crd/${f.replace(/^snapshot\.storage\.k8s\.io_(.*)\.yaml$/, "$1.snapshot.storage.k8s.io")}`,
    ),
  ]);
  if (!controller) return;
  // The add-on's Deployment runs it with leader election in kube-system; one process here needs none.
  started.push(
    start(
      `${path.basename(dir)}-snapshot-controller`,
      binary("snapshotter", "snapshot-controller"),
      [`--kubeconfig=${kubeconfig}`, "--leader-election=false"],
      { logDir: dir },
    ),
  );
}

/** What a fake node looks like: labelled as an EKS node of one zone, with room for every pod of a test. */
function nodeManifest(name: string, zone: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      // kwok manages the nodes that carry this annotation (--manage-nodes-with-annotation-selector).
      annotations: { "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/zone": zone,
        type: "kwok",
      },
    },
    status: {
      allocatable: { cpu: "64", memory: "256Gi", pods: "250" },
      capacity: { cpu: "64", memory: "256Gi", pods: "250" },
    },
  };
}

function kubeconfigText(name: string, server: string, token: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: ${name}, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    `users: [{name: admin, user: {token: "${token}"}}]`,
    `contexts: [{name: ${name}, context: {cluster: ${name}, user: admin}}]`,
    `current-context: ${name}`,
    "",
  ].join("\n");
}

/** GET `p` on the API server with the admin token; resolves the status code and body. */
export function apiGet(server: string, token: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${server}${p}`,
      { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 5_000 },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

/** Starts a cluster named `name` in `dir` with `nodeCount` fake nodes in `zone`. */
/**
 * Starts a cluster: etcd, the API server, controller manager and scheduler, kwok's fake
 * nodes, and what the EKS snapshot-controller add-on brings: the snapshot.storage.k8s.io
 * CRDs always (a plan may hold Velero's VolumeSnapshotClass), and with `volumeSnapshots`
 * the real snapshot controller too.
 */
export async function startCluster(
  name: string,
  dir: string,
  opts: { nodeCount?: number; zone?: string; volumeSnapshots?: boolean } = {},
): Promise<Cluster> {
  fs.mkdirSync(dir, { recursive: true });
  const started: Managed[] = [];
  const stop = async (): Promise<void> => {
    for (const m of started.reverse()) await m.stop();
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = start(
      `${name}-etcd`,
      binary("etcd", "etcd"),
      [
        `--name=${name}`,
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=${name}=http://127.0.0.1:${peerPort}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
      { logDir: dir },
    );
    started.push(etcd);
    await waitFor("etcd to answer", async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, etcd);

    const token = randomBytes(24).toString("hex");
    fs.writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin,"system:masters"\n`);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }));
    fs.writeFileSync(path.join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    const certDir = path.join(dir, "certs");
    const apiserver = start(
      `${name}-kube-apiserver`,
      binary("kubernetes", "kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${path.join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${path.join(dir, "sa.pub")}`,
        `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        "--service-node-port-range=30000-32767",
        "--allow-privileged=true",
        "--enable-priority-and-fairness=false",
      ],
      { logDir: dir },
    );
    started.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    await waitFor(
      "the API server to be ready",
      async () => (await apiGet(server, token, "/readyz")).status === 200,
      apiserver,
      120_000,
    );
    const kubeconfig = kubeconfigText(name, server, token);
    const kubeconfigPath = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfigPath, kubeconfig);

    // The controller manager publishes kube-root-ca.crt into every namespace from --root-ca-file.
    started.push(
      start(
        `${name}-kube-controller-manager`,
        binary("kubernetes", "kube-controller-manager"),
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--service-account-private-key-file=${path.join(dir, "sa.key")}`,
          `--root-ca-file=${path.join(certDir, "apiserver.crt")}`,
          "--leader-elect=false",
          "--bind-address=127.0.0.1",
          `--secure-port=${await freePort()}`,
          "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route",
        ],
        { logDir: dir },
      ),
    );
    started.push(
      start(
        `${name}-kube-scheduler`,
        binary("kubernetes", "kube-scheduler"),
        [
          `--kubeconfig=${kubeconfigPath}`,
          "--leader-elect=false",
          "--bind-address=127.0.0.1",
          `--secure-port=${await freePort()}`,
        ],
        { logDir: dir },
      ),
    );
    started.push(
      start(
        `${name}-kwok`,
        binary("kwok", "kwok"),
        [
          `--kubeconfig=${kubeconfigPath}`,
          "--manage-all-nodes=false",
          "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
          "--node-ip=127.0.0.1",
          "--cidr=10.244.0.0/16",
          "--server-address=",
          ...KWOK_STAGES.map((s) => `--config=${path.join(programDir("kwok"), "stages", path.basename(s))}`),
        ],
        { logDir: dir },
      ),
    );

    const nodes = Array.from({ length: opts.nodeCount ?? 1 }, (_, i) => `${name}-node-${i + 1}`);
    applyObjects(
      kubeconfigPath,
      nodes.map((n) => nodeManifest(n, opts.zone ?? "zone-a")),
    );
    await waitFor(
      "the fake nodes to be Ready",
      async () => {
        const { body } = await apiGet(server, token, "/api/v1/nodes");
        const items = (
          JSON.parse(body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] }
        ).items;
        return (
          items.length === nodes.length &&
          items.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        );
      },
      started[started.length - 1],
    );
    snapshotSupport(kubeconfigPath, opts.volumeSnapshots === true, dir, started);
    await waitFor(
      "the default ServiceAccount",
      async () => (await apiGet(server, token, "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
      undefined,
    );
    return { name, kubeconfigPath, kubeconfig, server, nodes, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
