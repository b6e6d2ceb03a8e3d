/**
 * Pure network planning for the cluster layer: CIDR arithmetic and the subnet tags the
 * AWS Load Balancer Controller reads. No Pulumi here, so it is tested directly.
 */

/** An IPv4 CIDR block split into its base address (as an unsigned 32-bit number) and prefix length. */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** One subnet of the VPC plan. */
export interface SubnetPlan {
  /** Index of the availability zone (0-based, in the region's order). */
  readonly azIndex: number;
  /** `public` subnets hold load balancers and NAT gateways; `private` ones hold nodes and pods. */
  readonly tier: "public" | "private";
  /** The subnet's CIDR block. */
  readonly cidrBlock: string;
}

/** How many availability zones Phoenix spreads a cluster over: the region's first three. */
export const AZ_COUNT = 3;

/** Smallest and largest VPC prefix lengths the subnet plan supports. */
export const VPC_PREFIX_RANGE = { min: 16, max: 20 } as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/p`; returns undefined for anything that is not a valid IPv4 CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  // A block whose host bits are set (10.0.0.1/16) is almost always a typo: reject it.
  if ((base & ~mask) >>> 0 !== 0) return undefined;
  return { base, prefix };
}

/** Renders a CIDR block as `a.b.c.d/p`. */
export function formatCidr(cidr: Cidr): string {
  const b = cidr.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${cidr.prefix}`;
}

/** The `index`-th block of prefix length `prefix` inside `parent`. */
export function subBlock(parent: Cidr, prefix: number, index: number): Cidr {
  if (prefix < parent.prefix || prefix > 32) {
    throw new Error(`cannot carve a /${prefix} out of ${formatCidr(parent)}`);
  }
  const count = 2 ** (prefix - parent.prefix);
  if (index < 0 || index >= count) {
    throw new Error(`${formatCidr(parent)} holds ${count} /${prefix} blocks, not ${index + 1}`);
  }
  return { base: (parent.base + index * 2 ** (32 - prefix)) >>> 0, prefix };
}

/**
 * Splits the VPC into one private and one public subnet per availability zone.
 * Private subnets get the first three quarters of the VPC (a /18 each for a /16): with
 * the VPC CNI every pod takes a VPC address, so the node subnets need the room. The
 * public subnets share the last quarter in eighths of it (a /21 each for a /16), which
 * is plenty for load balancers and NAT gateways; the rest stays free for later use.
 */
export function planSubnets(vpcCidr: string, azCount: number = AZ_COUNT): SubnetPlan[] {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new Error(`"${vpcCidr}" is not an IPv4 CIDR block`);
  if (vpc.prefix < VPC_PREFIX_RANGE.min || vpc.prefix > VPC_PREFIX_RANGE.max) {
    throw new Error(
      `VPC block ${vpcCidr} must have a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`,
    );
  }
  if (azCount < 1 || azCount > 3) throw new Error(`azCount must be 1 to 3, got ${azCount}`);
  const publicQuarter = subBlock(vpc, vpc.prefix + 2, 3);
  const plans: SubnetPlan[] = [];
  for (let az = 0; az < azCount; az++) {
    plans.push({ azIndex: az, tier: "private", cidrBlock: formatCidr(subBlock(vpc, vpc.prefix + 2, az)) });
    plans.push({ azIndex: az, tier: "public", cidrBlock: formatCidr(subBlock(publicQuarter, vpc.prefix + 5, az)) });
  }
  return plans;
}

/**
 * Tags the AWS Load Balancer Controller uses to discover subnets: `kubernetes.io/role/elb`
 * for internet-facing load balancers (public) and `kubernetes.io/role/internal-elb` for
 * internal ones (private). The cluster tag marks the subnet as shared with this cluster.
 */
export function subnetTags(tier: SubnetPlan["tier"], clusterName: string): Record<string, string> {
  return {
    [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
  };
}
