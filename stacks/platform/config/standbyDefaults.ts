/**
 * The system nodes a pilot-light standby keeps by default: what `phoenix replicate
 * --strategy pilot-light` writes, what the schema defaults to (./standby.ts) and what
 * the plan's cost prices. No imports: the command reads it through cli/stacks/names.ts.
 */

/** A small x86 on-demand type: enough for Argo CD, Velero and the other plugins at rest. */
export const STANDBY_INSTANCE_TYPE = "t3.large";

/**
 * How many system nodes a standby needs: one, or three under a highly available Argo CD,
 * whose Redis HA forces its three replicas onto separate nodes (argo-cd chart 10.1.1
 * values.yaml:1906, `redis-ha.hardAntiAffinity: true`).
 */
export function standbySystemNodes(argocdHa: boolean): { readonly count: number; readonly instanceType: string } {
  return { count: argocdHa ? 3 : 1, instanceType: STANDBY_INSTANCE_TYPE };
}
