/**
 * `phoenix:standby`: a pilot-light standby of another region's platform. The stack is
 * deployed and kept (network, control plane, plugins, the Argo CD bootstrap), but runs
 * only its system nodes: every node group is at zero, external-dns and ACME DNS-01 are
 * off (DNS stays the primary's), and Velero only reads the primary's DR replica. A
 * recovery promotes it (`promoted: true`): the node groups come back to their sizes,
 * DNS and the standby's own backups turn on. The stack file keeps the full platform as
 * written; `standbyView` derives what runs while it stands by, so promoting is one key.
 */
import { z } from "zod";
import { strictObject } from "../../config";
import { STANDBY_INSTANCE_TYPE } from "./standbyDefaults";

/** The strategies a standby can follow; backup-restore needs no standby stack at all. */
export const STANDBY_STRATEGIES = ["pilot-light"] as const;

/** Name of the node group a standby runs its system pods on. */
export const STANDBY_NODE_GROUP = "standby-system";

export const standbySchema = strictObject({
  strategy: z
    .enum(STANDBY_STRATEGIES, { error: `must be ${STANDBY_STRATEGIES.join(" or ")}` })
    .default("pilot-light")
    .meta({
      description:
        "`pilot-light`: deployed and kept with its node groups at zero and only the system nodes running; `phoenix recover` promotes it.",
    }),
  systemNodes: strictObject({
    count: z.number().int().min(1).max(9).default(1).meta({
      description:
        "Nodes kept running for Argo CD, Velero and the other plugins while the stack stands by (1 to 9). With `phoenix:plugins.argocd.ha`, at least 3: Redis HA forces its three replicas onto separate nodes (argo-cd chart 10.1.1 values.yaml:1906, `redis-ha.hardAntiAffinity: true`). At least one: EKS's CoreDNS add-on stays DEGRADED until a node exists (pulumi/pulumi-eks #1819), and the plugins' atomic Helm releases would time out.",
    }),
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.large")
      .default(STANDBY_INSTANCE_TYPE)
      .meta({ description: "The system nodes' EC2 instance type (x86, Amazon Linux 2023, on demand)." }),
  }).prefault({}),
  drill: z
    .string()
    .regex(/^drill-[a-z0-9-]+$/, "must be a drill id (drill-...), written by phoenix drill run --standby")
    .optional()
    .meta({
      description:
        "Written by `phoenix drill run --standby` while it drills: the node groups at their sizes, DNS and backups still off; the drill's teardown puts the file back as it was.",
    }),
  promoted: z.boolean().default(false).meta({
    description:
      "Set by `phoenix recover` when it takes over the primary's work: the node groups return to their sizes, external-dns, DNS-01 and the stack's own backups turn on. The system nodes stay (removing them during a recovery would evict Argo CD and Velero).",
  }),
})
  .optional()
  .meta({
    description:
      "Makes the stack a pilot-light standby of the primary named by `phoenix:backups.restoreFrom` (written by `phoenix replicate --strategy pilot-light`).",
  });

export type StandbySettings = NonNullable<z.output<typeof standbySchema>>;

/** The parts of a stack's settings a standby changes. */
interface StandbyInput {
  readonly cluster: { readonly compute: Compute };
  readonly plugins: Readonly<Record<string, unknown>> & {
    readonly externalDns?: unknown;
    readonly certManager?: unknown;
  };
  readonly backups: { readonly enabled: boolean };
  readonly standby?: StandbySettings;
}

type NodeGroup = {
  readonly name: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
};
type Compute =
  { readonly mode: "managedNodeGroups"; readonly nodeGroups: readonly NodeGroup[] } | { readonly mode: "autoMode" };

/** The system node group a standby adds (kept after promotion). */
function systemGroup<G extends NodeGroup>(like: G, s: StandbySettings): G {
  const n = s.systemNodes.count;
  return {
    ...like,
    name: STANDBY_NODE_GROUP,
    instanceTypes: [s.systemNodes.instanceType],
    capacityType: "ON_DEMAND",
    amiType: "AL2023_x86_64_STANDARD",
    minSize: n,
    desiredSize: n,
    maxSize: n,
    labels: {},
  };
}

/** The node groups: at zero while standing by (their maximum kept), as written once promoted; the system group in both. */
function standbyCompute<C extends Compute>(compute: C, s: StandbySettings): C {
  if (compute.mode !== "managedNodeGroups") return compute;
  const scaled = s.promoted || s.drill !== undefined;
  const groups = compute.nodeGroups.map((g) => (scaled ? g : { ...g, minSize: 0, desiredSize: 0 }));
  return { ...compute, nodeGroups: [...groups, systemGroup(compute.nodeGroups[0], s)] };
}

/**
 * What runs: the settings as written for a stack that is not a standby; for a standby,
 * node groups at zero beside its system nodes (at their sizes while a drill runs on it),
 * no external-dns or DNS-01 and no backups of its own until it is promoted. Auto Mode has no node groups to scale: its nodes
 * follow the pods, so only DNS and backups change.
 */
export function standbyView<T extends StandbyInput>(cfg: T): T {
  const s = cfg.standby;
  if (!s) return cfg;
  const cluster = { ...cfg.cluster, compute: standbyCompute(cfg.cluster.compute, s) };
  if (s.promoted) return { ...cfg, cluster };
  const plugins: Record<string, unknown> = { ...cfg.plugins };
  if (isObject(plugins.externalDns)) plugins.externalDns = { ...plugins.externalDns, enabled: false };
  if (isObject(plugins.certManager)) plugins.certManager = { ...plugins.certManager, dns01: undefined };
  return { ...cfg, cluster, plugins: plugins, backups: { ...cfg.backups, enabled: false } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}
