/**
 * What a disaster-recovery drill costs: its ephemeral stack (control plane, NAT
 * gateways and their addresses, nodes by type, load balancers, keys) for the drill's
 * duration, plus what the restore reads and moves (./restore.ts). Modeled beforehand
 * from the phases' modeled seconds (cli/recovery/model.ts `modelRecovery`, summed by
 * the caller); measured afterwards from how long each resource type really lived.
 */
import {
  CLUSTER,
  costOverHours,
  count,
  EIP,
  KMS_KEY,
  LOAD_BALANCER_LIFETIME,
  NAT,
  NODE_GROUP,
  NONE,
  sum,
  type Cost,
  type CostResource,
  type Expected,
} from "./core";
import { KOPIA_PACK_MIB, restoreTrafficLines, type RestoreTraffic } from "./restore";

/** The restore's lines added to what the stack costs while it runs. */
function withRestore(
  running: Cost,
  resources: readonly CostResource[],
  traffic: RestoreTraffic,
  notes: string[],
): Cost {
  const lines = [...running.lines, ...restoreTrafficLines(traffic, traffic.natGateways ?? count(resources, NAT))];
  return {
    region: traffic.region,
    lines,
    usd: sum(lines),
    notes: [
      ...running.notes,
      ...notes,
      `S3 GETs: one per restored object, one per ${KOPIA_PACK_MIB} MiB kopia pack, plus Velero's metadata (an upper bound)`,
      traffic.bucketRegion === traffic.region
        ? `no transfer between regions: the backups are read in ${traffic.region}, where the drill runs`
        : `the backups travel from ${traffic.bucketRegion} to ${traffic.region}: transfer between regions at the sender's price`,
    ],
  };
}

/**
 * The modeled cost of a drill of `seconds` (the sum of the modeled phases): every
 * resource counted for the whole drill, an upper bound (most are created later and
 * deleted earlier); load balancers without LCUs (the drill serves no traffic).
 */
export function drillCost(
  resources: readonly CostResource[],
  seconds: number,
  traffic: RestoreTraffic,
  expected: Expected = NONE,
): Cost {
  const running = costOverHours(traffic.region, resources, () => seconds / 3600, expected, "idle");
  return withRestore(running, resources, traffic, [
    `every resource counted for the whole drill, ${Math.round(seconds / 60)} min (an upper bound: most are created later and deleted earlier)`,
  ]);
}

/** The resource types a drill's cost depends on. */
const PRICED = [CLUSTER, NAT, EIP, NODE_GROUP, KMS_KEY] as const;

/**
 * A real drill's cost from how long each resource type lived, in seconds, by type
 * token (`eks:index:Cluster`, `aws:eks/nodeGroup:NodeGroup`...). Load balancers are no
 * Pulumi resource: `LOAD_BALANCER_LIFETIME`, or the cluster's lifetime. A priced type
 * that was not measured counts for 0 s and is named in the notes.
 */
export function actualDrillCost(
  resources: readonly CostResource[],
  lived: Readonly<Record<string, number>>,
  traffic: RestoreTraffic,
  expected: Expected = NONE,
): Cost {
  const seconds = (type: string): number | undefined => (Object.hasOwn(lived, type) ? lived[type] : undefined);
  const hoursOf = (type: string): number =>
    (seconds(type) ?? (type === LOAD_BALANCER_LIFETIME ? seconds(CLUSTER) : undefined) ?? 0) / 3600;
  const missing = PRICED.filter((t) => count(resources, t) > 0 && seconds(t) === undefined);
  const running = costOverHours(traffic.region, resources, hoursOf, expected, "idle");
  return withRestore(running, resources, traffic, [
    "each resource type for the time it lived, as measured",
    ...(missing.length > 0 ? [`not measured, counted as 0 s: ${missing.join(", ")}`] : []),
  ]);
}
