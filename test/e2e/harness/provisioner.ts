/**
 * A volume provisioner for the harness's clusters, standing in for the EBS CSI driver:
 * for each claim of a StorageClass whose provisioner is `provisioner` that the PV
 * controller hands to it (the `volume.kubernetes.io/storage-provisioner` annotation, and
 * with WaitForFirstConsumer the node the scheduler picked), it makes a `local` volume
 * on that node in a host folder, bound to the claim, with the class's reclaim policy;
 * a Released volume with policy Delete is deleted, as the driver deletes the EBS volume.
 * The PV controller, the scheduler's volume binding and Velero's handling of claims
 * and volumes are the real ones.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { kubectlAsync } from "./kubectl";

interface Claim {
  metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string> };
  spec: {
    storageClassName?: string;
    accessModes: string[];
    resources: { requests: { storage: string } };
    volumeName?: string;
  };
  status?: { phase?: string };
}

interface Volume {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { persistentVolumeReclaimPolicy?: string };
  status?: { phase?: string };
}

const PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

/**
 * Runs until the returned stop() is called; `root` holds the volumes' folders. With
 * `csi`, each volume is a CSI volume of the driver (`spec.csi`, as the EBS CSI driver
 * makes it, its handle an EBS-like volume id) instead of a local one: what Velero's CSI
 * snapshot path takes; nothing mounts it.
 */
export function startProvisioner(
  kubeconfig: string,
  root: string,
  provisioner: string,
  opts: { csi?: boolean } = {},
): { stop(): void } {
  let stopped = false;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await once(kubeconfig, root, provisioner, opts.csi === true).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  void loop();
  return { stop: () => void (stopped = true) };
}

async function once(kubeconfig: string, root: string, provisioner: string, csi: boolean): Promise<void> {
  const claims = JSON.parse((await kubectlAsync(kubeconfig, ["get", "pvc", "-A", "-o", "json"])).stdout) as {
    items: Claim[];
  };
  const classes = JSON.parse((await kubectlAsync(kubeconfig, ["get", "storageclass", "-o", "json"])).stdout) as {
    items: { metadata: { name: string }; provisioner: string; reclaimPolicy?: string }[];
  };
  const ours = new Map(
    classes.items
      .filter((c) => c.provisioner === provisioner)
      .map((c) => [c.metadata.name, c.reclaimPolicy ?? "Delete"]),
  );
  const volumes: unknown[] = [];
  for (const c of claims.items) {
    const a = c.metadata.annotations ?? {};
    const node = a["volume.kubernetes.io/selected-node"];
    if (
      c.status?.phase !== "Pending" ||
      c.spec.volumeName ||
      a["volume.kubernetes.io/storage-provisioner"] !== provisioner ||
      !node
    )
      continue;
    const policy = ours.get(c.spec.storageClassName ?? "");
    if (!policy) continue;
    const name = `pvc-${c.metadata.uid}`;
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    volumes.push({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name, annotations: { [PROVISIONED_BY]: provisioner } },
      spec: {
        capacity: { storage: c.spec.resources.requests.storage },
        accessModes: c.spec.accessModes,
        persistentVolumeReclaimPolicy: policy,
        storageClassName: c.spec.storageClassName,
        claimRef: {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          namespace: c.metadata.namespace,
          name: c.metadata.name,
          uid: c.metadata.uid,
        },
        ...(csi
          ? {
              csi: {
                driver: provisioner,
                volumeHandle: `vol-${c.metadata.uid.replace(/-/g, "").slice(0, 17)}`,
                fsType: "ext4",
              },
            }
          : { local: { path: dir } }),
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
            ],
          },
        },
      },
    });
  }
  if (volumes.length > 0)
    await kubectlAsync(
      kubeconfig,
      ["create", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: volumes }),
    );
  const pvs = JSON.parse((await kubectlAsync(kubeconfig, ["get", "pv", "-o", "json"])).stdout) as { items: Volume[] };
  for (const v of pvs.items) {
    if (
      v.status?.phase === "Released" &&
      v.spec.persistentVolumeReclaimPolicy === "Delete" &&
      v.metadata.annotations?.[PROVISIONED_BY] === provisioner
    ) {
      await kubectlAsync(kubeconfig, ["delete", "pv", v.metadata.name, "--wait=false"]);
      fs.rmSync(path.join(root, v.metadata.name), { recursive: true, force: true });
    }
  }
}
