/**
 * The real `TeardownKube` and `TeardownAws`. Their client libraries load on first use, so
 * a program (or an offline plan) that never tears down never loads them.
 */
import type { TeardownAws, TeardownKube } from "./release";

/** Opens the cluster a kubeconfig (its text: YAML or JSON) points at, through `@kubernetes/client-node`. */
export async function openTeardownKube(kubeconfig: string): Promise<TeardownKube> {
  const { openKube } = await import("./kube");
  return openKube(kubeconfig);
}

/** AWS through the SDK v3 clients of `region`, loaded on the first call. */
export function openTeardownAws(region: string): TeardownAws {
  let clients: Promise<TeardownAws> | undefined;
  const load = (): Promise<TeardownAws> => (clients ??= import("./aws").then((m) => m.openAws(region)));
  return {
    clusterLoadBalancers: async (target) => (await load()).clusterLoadBalancers(target),
    loadBalancerInterfaces: async (vpcId) => (await load()).loadBalancerInterfaces(vpcId),
    loadBalancerSecurityGroups: async (target) => (await load()).loadBalancerSecurityGroups?.(target) ?? [],
    deleteSecurityGroup: async (id) => (await load()).deleteSecurityGroup?.(id) ?? false,
  };
}
