/**
 * The real release of what Kubernetes made in AWS, before a drill's stack is destroyed:
 * the platform's own teardown (components/teardown), the same code its `beforeDelete`
 * resource hook runs in a plain `pulumi destroy --run-program`.
 */
import { openTeardownAws, openTeardownKube, releaseClusterResources } from "../../components/teardown";
import type { ReleaseExternal } from "./adapters";

export const releaseExternal: ReleaseExternal = async (kubeconfig, target, wait) => {
  const summary = await releaseClusterResources(target, await openTeardownKube(kubeconfig), openTeardownAws(target.region), {
    timeoutSeconds: wait.timeoutSeconds,
    ...(wait.progress ? { progress: wait.progress } : {}),
    ...(wait.signal ? { signal: wait.signal } : {}),
  });
  return `released what Kubernetes made in AWS: ${JSON.stringify(summary)}`;
};
