/**
 * What standing by for a stack costs per month, under each strategy Phoenix offers:
 * - pilot light (`phoenix replicate --strategy pilot-light`): the standby runs its
 *   network, control plane, keys and load balancers, and only its system nodes; the
 *   stack's node groups are at zero (stacks/platform/config/standby.ts);
 * - backup-restore: nothing runs; what it pays is the DR replica's storage and the
 *   monthly drill that proves a restore works (./drill.ts).
 * The replica's storage is paid under both (the standby restores from it too), so
 * both carry it and the difference is what running costs.
 */
import {
  costOverHours,
  HOURS_PER_MONTH,
  line,
  NODE_GROUP,
  NONE,
  sum,
  type Cost,
  type CostLine,
  type CostResource,
  type Expected,
} from "./core";
import { drillCost } from "./drill";

/** The system nodes a pilot-light standby keeps (`phoenix:standby.systemNodes`). */
export interface SystemNodes {
  readonly count: number;
  readonly instanceType: string;
}

/** What both strategies are priced from. */
export interface StandbyInput {
  /** The primary's planned resources. */
  readonly resources: readonly CostResource[];
  /** Where the standby or the drill runs: the DR replica's region. */
  readonly region: string;
  readonly systemNodes: SystemNodes;
  /** Volume data the replica holds (phoenix:recovery.expectedDataGiB). */
  readonly dataGiB: number;
  /** The monthly drill: its modeled seconds, the objects it restores, and the bucket's region (the standby's by default). */
  readonly drill: { readonly seconds: number; readonly items: number; readonly bucketRegion?: string };
  readonly expected?: Expected;
}

/** Both strategies' month. */
export interface StandbyCosts {
  readonly pilotLight: Cost;
  readonly backupRestore: Cost;
}

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/** The standby's resources: the stack's node groups at zero, beside a system group of `system` nodes (named like the standby's). */
export function standbyResources(resources: readonly CostResource[], system: SystemNodes): CostResource[] {
  const groups = resources.filter((r) => r.type === NODE_GROUP);
  const zeroed = resources.map((r) =>
    r.type === NODE_GROUP ? { ...r, inputs: { ...r.inputs, scalingConfig: { minSize: 0, desiredSize: 0 } } } : r,
  );
  // Auto Mode has no node groups: nothing to scale, nothing to add (its compute is not modeled).
  if (groups.length === 0) return zeroed;
  const name = `${groups[0].name}-standby`;
  const template = resources.find((r) => r.type === LAUNCH_TEMPLATE && r.name === groups[0].name);
  return [
    ...zeroed,
    {
      type: NODE_GROUP,
      name,
      inputs: { scalingConfig: { desiredSize: system.count }, instanceTypes: [system.instanceType] },
    },
    // The system group gets the same root volume (standby.ts copies the first group's settings).
    ...(template ? [{ ...template, name }] : []),
  ];
}

/** A month of the replica's storage: the declared data, once. */
function replicaLine(region: string, dataGiB: number): CostLine {
  return line(region, "s3StandardGBMonth", dataGiB, "GiB-months", 1, "DR replica storage (S3 Standard)");
}

const REPLICA_NOTE =
  "the replica's storage: phoenix:recovery.expectedDataGiB once; Velero keeps several backups, but kopia stores only what changed";

/** Pilot light beside backup-restore, per month, in the standby's region. */
export function standbyMonthlyCost(input: StandbyInput): StandbyCosts {
  const expected = input.expected ?? NONE;
  const replica = replicaLine(input.region, input.dataGiB);
  const running = costOverHours(
    input.region,
    standbyResources(input.resources, input.systemNodes),
    () => HOURS_PER_MONTH,
    expected,
    "idle",
  );
  const pilotLines = [...running.lines, replica];
  const drill = drillCost(
    input.resources,
    input.drill.seconds,
    {
      region: input.region,
      bucketRegion: input.drill.bucketRegion ?? input.region,
      dataGiB: input.dataGiB,
      items: input.drill.items,
    },
    expected,
  );
  const drillLines = drill.lines.map((l) => ({ ...l, what: `drill: ${l.what}` }));
  const restoreLines = [replica, ...drillLines];
  return {
    pilotLight: {
      region: input.region,
      lines: pilotLines,
      usd: sum(pilotLines),
      notes: [
        `the stack's node groups at zero; ${input.systemNodes.count} x ${input.systemNodes.instanceType} system nodes running; no traffic until promoted`,
        ...running.notes,
        REPLICA_NOTE,
        "not modeled: a standby drill's scaling (drill --standby), NAT data processing",
      ],
    },
    backupRestore: {
      region: input.region,
      lines: restoreLines,
      usd: sum(restoreLines),
      notes: [
        `nothing runs; one drill a month, modeled at ${Math.round(input.drill.seconds / 60)} min, deploys the whole stack and tears it down`,
        ...drill.notes,
        REPLICA_NOTE,
      ],
    },
  };
}
