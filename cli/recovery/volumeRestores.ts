/**
 * The volume data a Restore puts back, as Velero tracks it: a PodVolumeRestore per pod
 * volume of a file-system backup, a DataDownload per claim of a data-mover backup. Both
 * carry the Restore's name in `velero.io/restore-name` (pkg/apis/velero/v1/labels_annotations.go:27,
 * DataDownloads from pkg/restore/actions/csi/pvc_action.go:420-424@v1.18.1), as a valid
 * label value: Phoenix's restore names are short enough to be their own.
 */
import { text, valueAt } from "../shared/data";
import { apiPath as path, type KubeClient } from "../shared/kube";
import type { VolumeRestore } from "./compareVolumes";
import { listOr404 } from "./kubeObjects";
import { VELERO_API } from "./velero";

/** The data mover's API group version (pkg/apis/velero/v2alpha1@v1.18.1). */
const DATA_MOVER_API = `${VELERO_API.group}/v2alpha1`;

/** Every volume restore of `restore`, of either kind; an API that is not served lists none. */
export async function listVolumeRestores(client: KubeClient, ns: string, restore: string): Promise<VolumeRestore[]> {
  const selector = { labelSelector: `velero.io/restore-name=${restore}` };
  const [pvrs, dds] = await Promise.all([
    listOr404(client, path(`${VELERO_API.group}/${VELERO_API.version}`, "podvolumerestores", ns), selector),
    listOr404(client, path(DATA_MOVER_API, "datadownloads", ns), selector),
  ]);
  return [
    ...pvrs.map((p): VolumeRestore => ({
      podNamespace: text(valueAt(p, "spec", "pod", "namespace")) ?? "",
      podName: text(valueAt(p, "spec", "pod", "name")) ?? "",
      volume: text(valueAt(p, "spec", "volume")) ?? "",
      phase: text(valueAt(p, "status", "phase")) ?? "New",
    })),
    ...dds.map((d): VolumeRestore => dataDownload(d)),
  ];
}

/**
 * A DataDownload as a volume restore: it names the claim it fills (spec.targetVolume,
 * pkg/apis/velero/v2alpha1/data_download_types.go:66-77@v1.18.1), not a pod.
 */
function dataDownload(d: unknown): VolumeRestore {
  const namespace = text(valueAt(d, "spec", "targetVolume", "namespace")) ?? "";
  const pvc = text(valueAt(d, "spec", "targetVolume", "pvc")) ?? "";
  return {
    podNamespace: namespace,
    podName: "",
    volume: "",
    claim: `${namespace}/${pvc}`,
    phase: text(valueAt(d, "status", "phase")) ?? "New",
  };
}
