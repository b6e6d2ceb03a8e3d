/**
 * The real release of what Kubernetes made in AWS, before a drill's stack is destroyed:
 * the platform's own teardown (components/teardown), the same code its `beforeDelete`
 * resource hook runs in `pulumi destroy --run-program`.
 */
import {
  openTeardownAws,
  openTeardownKube,
  releaseClusterResources,
  type TeardownSummary,
} from "../../components/teardown";
import type { ReleaseExternal } from "./adapters";

/** One line for the report: what each teardown phase deleted and waited for. */
export function describeRelease(summary: TeardownSummary): string {
  const parts = summary.phases
    .filter((p) => p.deleted.length + p.awaited.length > 0)
    .map((p) => `${p.phase}: ${p.deleted.length} deleted, ${p.awaited.length} awaited`);
  return `released what Kubernetes made in AWS in ${Math.round(summary.seconds)} s (${parts.join("; ") || "nothing was there"})`;
}

export const releaseExternal: ReleaseExternal = async (kubeconfig, target, wait) =>
  describeRelease(
    await releaseClusterResources(target, await openTeardownKube(kubeconfig), openTeardownAws(target.region), {
      timeoutSeconds: wait.timeoutSeconds,
      ...(wait.progress ? { progress: wait.progress } : {}),
      ...(wait.signal ? { signal: wait.signal } : {}),
    }),
  );
