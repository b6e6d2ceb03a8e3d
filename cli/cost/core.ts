/**
 * The cost model's core: priced lines for what a plan's resources cost, each resource
 * type for its own hours (./model.ts is the public face). Pure: no clock, no network, no
 * region in the logic; prices come from ./prices.ts.
 */
import { plannedLoadBalancers, type CostResource, type PlannedLoadBalancer } from "./loadBalancers";
import { instanceHour, ITEM_NAMES, MissingPrice, priceOf, type Basis, type PriceItem } from "./prices";

export type { CostResource } from "./loadBalancers";

/** Hours in a month, as AWS's pricing pages count them. */
export const HOURS_PER_MONTH = 730;

/** One line of a cost. `usd` is unrounded; show it with `usd()`. */
export interface CostLine {
  readonly what: string;
  readonly quantity: number;
  /** What the quantity counts: `cluster-hours`, `GiB`, `requests`. */
  readonly unit: string;
  readonly unitUsd: number;
  readonly usd: number;
  readonly basis: Basis;
  /** The AWS pricing page of the unit price. */
  readonly source: string;
}

/** A cost: its lines, their total (unrounded), and what it leaves out. */
export interface Cost {
  readonly region: string;
  readonly lines: readonly CostLine[];
  readonly usd: number;
  readonly notes: readonly string[];
}

/**
 * What the plan cannot see, declared by the stack: load balancers the apps' Ingresses
 * and Services make (counted as ALBs), beside those the plan's own objects make.
 */
export interface Expected {
  readonly loadBalancers: number;
}

export const NONE: Expected = { loadBalancers: 0 };

/** LCUs each load balancer uses per hour: one for a stack that serves (light traffic), none standing by or drilling. */
export type Traffic = "serving" | "idle";

export const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const CLUSTER = "eks:index:Cluster";
export const NAT = "aws:ec2/natGateway:NatGateway";
export const EIP = "aws:ec2/eip:Eip";
export const KMS_KEY = "aws:kms/key:Key";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
/** A drill's measured lifetime of its load balancers (they are no Pulumi resource); the cluster's when absent. */
export const LOAD_BALANCER_LIFETIME = "elasticloadbalancing:loadbalancer";

export const count = (rs: readonly CostResource[], type: string): number => rs.filter((r) => r.type === type).length;
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
export const sum = (lines: readonly CostLine[]): number => lines.reduce((a, l) => a + l.usd, 0);

/** A line at a regional price; `scale` turns the price's unit into the quantity's (hours into months, per 1,000 into each). */
export function line(
  region: string,
  item: PriceItem,
  quantity: number,
  unit: string,
  scale = 1,
  what = ITEM_NAMES[item],
): CostLine {
  const row = priceOf(region, item);
  const unitUsd = row.usd * scale;
  return { what, quantity, unit, unitUsd, usd: quantity * unitUsd, basis: row.basis, source: row.source };
}

/** How long each resource type runs, in hours. */
export type HoursOf = (type: string) => number;

/** A managed node group's running nodes (the first of its instance types) and their root volumes. */
function nodeLines(region: string, resources: readonly CostResource[], hoursOf: HoursOf): CostLine[] {
  const hours = hoursOf(NODE_GROUP);
  return resources
    .filter((r) => r.type === NODE_GROUP)
    .flatMap((g) => {
      const nodes = num((g.inputs.scalingConfig as Record<string, unknown> | undefined)?.desiredSize);
      const types = Array.isArray(g.inputs.instanceTypes) ? g.inputs.instanceTypes.map(String) : [];
      if (nodes === 0 || types.length === 0) return [];
      const row = instanceHour(region, types[0]);
      // The launch template of the same name carries the root volume (components/cluster/compute.ts).
      const lt = resources.find((r) => r.type === LAUNCH_TEMPLATE && r.name === g.name);
      const disks: unknown[] = Array.isArray(lt?.inputs.blockDeviceMappings) ? lt.inputs.blockDeviceMappings : [];
      const gib = disks.reduce<number>((a, d) => a + num((d as { ebs?: { volumeSize?: unknown } }).ebs?.volumeSize), 0);
      const q = nodes * hours;
      return [
        {
          what: `${g.name}: ${nodes} x ${types[0]}${types.length > 1 ? ` (first of ${types.join(", ")})` : ""}`,
          quantity: q,
          unit: "instance-hours",
          unitUsd: row.usd,
          usd: q * row.usd,
          basis: row.basis,
          source: row.source,
        },
        ...(gib > 0
          ? [
              line(
                region,
                "ebsGp3GBMonth",
                (nodes * gib * hours) / HOURS_PER_MONTH,
                "GiB-months",
                1,
                `${g.name}: EBS gp3 root volumes, ${nodes} x ${gib} GiB`,
              ),
            ]
          : []),
      ];
    });
}

/** The load balancers: the plan's own, then the declared ones, each for its hours, with LCUs when serving. */
function balancerLines(
  region: string,
  planned: readonly PlannedLoadBalancer[],
  expected: Expected,
  hours: number,
  traffic: Traffic,
): CostLine[] {
  const albs = planned.filter((b) => b.kind === "alb").length + expected.loadBalancers;
  const nlbs = planned.filter((b) => b.kind === "nlb").length;
  const lcu = traffic === "serving" ? 1 : 0;
  const out: CostLine[] = [];
  if (albs > 0) out.push(line(region, "albHour", albs * hours, "balancer-hours"));
  if (albs > 0 && lcu > 0) out.push(line(region, "albLcuHour", albs * hours * lcu, "LCU-hours"));
  if (nlbs > 0) out.push(line(region, "nlbHour", nlbs * hours, "balancer-hours"));
  if (nlbs > 0 && lcu > 0) out.push(line(region, "nlbLcuHour", nlbs * hours * lcu, "NLCU-hours"));
  return out;
}

function balancerNote(planned: readonly PlannedLoadBalancer[], expected: Expected, traffic: Traffic): string {
  const own =
    planned.length === 0
      ? "the plan makes none (no LoadBalancer Service, Ingress or Gateway; Argo CD's url sets only its domain, its server stays ClusterIP)"
      : `the plan makes ${planned.length} (${planned.map((b) => b.why).join("; ")})`;
  const declared = `${expected.loadBalancers} more declared for the apps (phoenix:recovery.expectedLoadBalancers, as ALBs)`;
  const lcu = traffic === "serving" ? "one LCU per balancer-hour assumed (light traffic)" : "no LCUs (no traffic)";
  return `load balancers: ${own}; ${declared}; ${lcu}`;
}

/** What the resources cost, each type for `hoursOf(type)`. */
export function costOverHours(
  region: string,
  resources: readonly CostResource[],
  hoursOf: HoursOf,
  expected: Expected,
  traffic: Traffic,
): Cost {
  const notes: string[] = [];
  const lines: CostLine[] = [];
  const clusters = count(resources, CLUSTER);
  if (clusters > 0) lines.push(line(region, "eksControlPlaneHour", clusters * hoursOf(CLUSTER), "cluster-hours"));
  const nats = count(resources, NAT);
  if (nats > 0) lines.push(line(region, "natGatewayHour", nats * hoursOf(NAT), "gateway-hours"));
  const ips = count(resources, EIP);
  if (ips > 0) lines.push(line(region, "publicIpv4Hour", ips * hoursOf(EIP), "address-hours"));
  lines.push(...nodeLines(region, resources, hoursOf));
  if (clusters > 0 && count(resources, NODE_GROUP) === 0)
    notes.push("compute: no managed node groups (EKS Auto Mode): its nodes follow the pods and are not modeled");
  if (clusters > 0) {
    const planned = plannedLoadBalancers(resources);
    const hours = hoursOf(LOAD_BALANCER_LIFETIME);
    lines.push(...balancerLines(region, planned, expected, hours, traffic));
    notes.push(balancerNote(planned, expected, traffic));
  }
  const keys = count(resources, KMS_KEY);
  if (keys > 0) lines.push(line(region, "kmsKeyMonth", (keys * hoursOf(KMS_KEY)) / HOURS_PER_MONTH, "key-months"));
  return { region, lines, usd: sum(lines), notes };
}

/** Every type for the same hours. */
const uniform =
  (hours: number): HoursOf =>
  () =>
    hours;

/** What the resources cost over `hours`, everything counted for all of them. */
export function costOver(
  region: string,
  resources: readonly CostResource[],
  hours: number,
  expected: Expected = NONE,
  traffic: Traffic = "serving",
): Cost {
  return costOverHours(region, resources, uniform(hours), expected, traffic);
}

/** A cost, or why it cannot be modeled (a region or instance type the table lacks). */
export type Costed = { readonly cost: Cost } | { readonly unknown: string };

/** Runs a cost model; a missing price becomes `unknown` with the fix, anything else is thrown. */
export function costed(fn: () => Cost): Costed {
  try {
    return { cost: fn() };
  } catch (err) {
    if (err instanceof MissingPrice) return { unknown: err.message };
    throw err;
  }
}

/** Rounds to cents, for a limit or a display; documents keep the unrounded figure. */
export function cents(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A figure for a terminal: dollars and cents. */
export function usd(v: number): string {
  return `$${cents(v).toFixed(2)}`;
}

/** A unit price for a reader: as it is from a cent up, without an exponent below (a GET is $0.00000043). */
export function unitPrice(v: number): string {
  return `$${v >= 0.01 ? String(v) : v.toFixed(10).replace(/0+$/, "")}`;
}
