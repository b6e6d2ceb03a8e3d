/**
 * A stand-in for the EBS CSI driver's snapshot half (its csi-snapshotter sidecar and the
 * EC2 CreateSnapshot call behind it), which needs AWS: for each VolumeSnapshotContent of
 * `driver` that the real snapshot controller made and that has no status yet, it reports
 * the snapshot taken, as the sidecar does once EC2 answers (status.snapshotHandle, an
 * EBS-like snapshot id; readyToUse; creationTime in ns; restoreSize), on the status
 * subresource (VolumeSnapshotContentStatus, client/apis/volumesnapshot/v1/types.go of
 * external-snapshotter client v8.4.0). The snapshot controller, which turns that into
 * the VolumeSnapshot's readiness, and Velero, which waits for it, are the real ones.
 */
import { kubectlAsync } from "./kubectl";

interface Content {
  metadata: { name: string };
  spec: { driver: string; source?: { volumeHandle?: string } };
  status?: { readyToUse?: boolean };
}

/** Runs until stop(); returns the names of the contents it reported, in order. */
export function startSnapshotter(kubeconfig: string, driver: string): { stop(): void; reported: string[] } {
  let stopped = false;
  const reported: string[] = [];
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await once(kubeconfig, driver, reported).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  void loop();
  return { stop: () => void (stopped = true), reported };
}

async function once(kubeconfig: string, driver: string, reported: string[]): Promise<void> {
  const list = await kubectlAsync(kubeconfig, ["get", "volumesnapshotcontents", "-o", "json"]);
  if (list.status !== 0) return;
  for (const c of (JSON.parse(list.stdout) as { items: Content[] }).items) {
    if (c.spec.driver !== driver || c.status?.readyToUse !== undefined || !c.spec.source?.volumeHandle) continue;
    const status = {
      snapshotHandle: `snap-${c.metadata.name.replace(/[^0-9a-f]/g, "").slice(0, 17)}`,
      readyToUse: true,
      creationTime: Date.now() * 1_000_000,
      restoreSize: 1024 ** 3,
    };
    const patched = await kubectlAsync(kubeconfig, [
      "patch",
      "volumesnapshotcontent",
      c.metadata.name,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
    if (patched.status === 0) reported.push(c.metadata.name);
  }
}
