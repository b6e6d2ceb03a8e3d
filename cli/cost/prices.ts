/**
 * The price table the cost model reads: AWS on-demand list prices in USD (Linux, no
 * Savings Plan, no free tier), per region, pinned here as data. No price is fetched: a
 * plan must not depend on the network, and a change of price should show as a diff.
 *
 * Every row names the AWS pricing page it belongs to (`source`), the day it was read
 * (`read`) and how it is known (`basis`):
 * - `cited`: the figure appears in a stored copy of a page (`citedAt`: AWS's own page
 *   or a third-party page quoting it), read on this machine without internet;
 * - `derived`: computed from cited figures, as `note` says;
 * - `recalled`: AWS's published list price as the author knew it, not verified here.
 * docs/operations/cost.md lists the unverified rows. A region or instance type missing
 * here is never guessed: the lookups below throw MissingPrice, naming this file and the key.
 */

/** The day the rows were read. */
export const READ_ON = "2026-12-02";

/** How a price is known. */
export type Basis = "cited" | "derived" | "recalled";

/** One price: its figure, the AWS page it belongs to, when it was read and how it is known. */
export interface PriceRow {
  readonly usd: number;
  readonly basis: Basis;
  /** The AWS pricing page of the figure. */
  readonly source: string;
  readonly read: string;
  /** Where the figure was read, for a cited or derived row. */
  readonly citedAt?: string;
  readonly note?: string;
}

/** What a regional price is of. */
export type PriceItem =
  | "eksControlPlaneHour"
  | "natGatewayHour"
  | "natGatewayGB"
  | "publicIpv4Hour"
  | "albHour"
  | "albLcuHour"
  | "nlbHour"
  | "nlbLcuHour"
  | "ebsGp3GBMonth"
  | "s3StandardGBMonth"
  | "s3PutPer1000"
  | "s3GetPer1000"
  | "interRegionGB"
  | "kmsKeyMonth";

/** One region's prices. */
export interface RegionPrices {
  readonly items: Readonly<Record<PriceItem, PriceRow>>;
  /** On-demand Linux, per hour, by instance type. */
  readonly ec2Hour: Readonly<Record<string, PriceRow>>;
}

const PAGE = {
  eks: "https://aws.amazon.com/eks/pricing/",
  vpc: "https://aws.amazon.com/vpc/pricing/",
  elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
  ebs: "https://aws.amazon.com/ebs/pricing/",
  s3: "https://aws.amazon.com/s3/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
} as const;

/** Where the cited figures were read (stored copies; the page's own date in the note). */
const AT = {
  eksBlog: "http://aws.haqm.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing",
  natBasavytix: "https://basavytix.com/blog/aws-nat-gateway-pricing",
  natPipelines: "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/",
  ipv4Doit: "https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/",
  ipv4Besthub:
    "https://www.besthub.dev/articles/why-aws-is-starting-to-charge-for-public-ipv4-addresses-what-it-means-for-you-da121e06e336",
  alb: "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/",
  kms: "https://aws.amazon.com/kms/pricing/",
  s3: "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples",
  s3Frankfurt: "https://www.demo.wlid.nl/s3-storage-classes.html",
  transfer: "https://kindatechnical.com/aws-eks/lesson-31-understanding-eks-pricing.html",
  m5: "https://kindatechnical.com/aws-eks/lesson-31-understanding-eks-pricing.html",
  xlarge: "https://c3x.dev/blog/m5-vs-m6i-vs-m7i-cost-performance",
  m7g: "https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/",
} as const;

const cited = (usd: number, source: string, citedAt: string, note?: string): PriceRow => ({
  usd,
  basis: "cited",
  source,
  read: READ_ON,
  citedAt,
  ...(note ? { note } : {}),
});
const derived = (usd: number, source: string, citedAt: string, note: string): PriceRow => ({
  usd,
  basis: "derived",
  source,
  read: READ_ON,
  citedAt,
  note,
});
const recalled = (usd: number, source: string, note?: string): PriceRow => ({
  usd,
  basis: "recalled",
  source,
  read: READ_ON,
  ...(note ? { note } : {}),
});

/** Prices AWS states once for every commercial region, as the cited pages say. */
const GLOBAL = {
  eksControlPlaneHour: cited(
    0.1,
    PAGE.eks,
    AT.eksBlog,
    "AWS Containers blog (2024): standard support stays $0.10 per cluster per hour; a version in extended support costs $0.60 in total",
  ),
  publicIpv4Hour: cited(
    0.005,
    PAGE.vpc,
    AT.ipv4Besthub,
    "$0.005 per public IPv4 address per hour since 2024-02-01, every region (also " + AT.ipv4Doit + ")",
  ),
  kmsKeyMonth: cited(
    1,
    PAGE.kms,
    AT.kms,
    "AWS's page: each KMS key costs $1/month (prorated hourly); each rotation's new backing key adds $1/month",
  ),
} as const;

/** What a region pays to send a GB to another region: the cited page quotes one generic figure, so only us-east-1 (its examples' region) counts as cited. */
const TRANSFER = "to another AWS region, paid by the sending region (S3 replication, a cross-region read)";

/** us-east-1, where most third-party pages quote AWS's figures. */
const US_EAST_1: RegionPrices = {
  items: {
    ...GLOBAL,
    interRegionGB: cited(
      0.02,
      PAGE.ec2,
      AT.transfer,
      '"Data Transfer Between Regions: $0.02 per GB", one generic figure; ' + TRANSFER,
    ),
    natGatewayHour: cited(0.045, PAGE.vpc, AT.natBasavytix, "us-east-1 $0.045/h (also " + AT.natPipelines + ")"),
    natGatewayGB: cited(0.045, PAGE.vpc, AT.natBasavytix, "us-east-1 $0.045 per GB processed"),
    albHour: cited(0.0225, PAGE.elb, AT.alb, "$0.0225 per ALB-hour (2026)"),
    albLcuHour: cited(0.008, PAGE.elb, AT.alb, "$0.008 per LCU-hour (2026)"),
    nlbHour: recalled(0.0225, PAGE.elb),
    nlbLcuHour: recalled(0.006, PAGE.elb, "per NLCU-hour"),
    ebsGp3GBMonth: recalled(0.08, PAGE.ebs),
    s3StandardGBMonth: cited(0.023, PAGE.s3, AT.s3, "S3 Standard, first 50 TB, US East"),
    s3PutPer1000: cited(0.005, PAGE.s3, AT.s3, "PUT, COPY, POST, LIST per 1,000"),
    s3GetPer1000: cited(0.0004, PAGE.s3, AT.s3, "GET and other requests per 1,000"),
  },
  ec2Hour: {
    "m5.large": cited(0.096, PAGE.ec2, AT.m5),
    "m6i.large": derived(
      0.096,
      PAGE.ec2,
      AT.xlarge,
      "half of m6i.xlarge's cited $0.192: a family's sizes are priced linearly",
    ),
    "m7i.large": derived(0.1008, PAGE.ec2, AT.xlarge, "half of m7i.xlarge's cited $0.2016"),
    "m7g.large": cited(0.0816, PAGE.ec2, AT.m7g, "us-east-1, June 2026"),
    "t3.large": recalled(0.0832, PAGE.ec2),
    "t3.medium": recalled(0.0416, PAGE.ec2),
  },
};

/** us-west-2: the same list prices as us-east-1 for every row here, as the author knows them. */
const US_WEST_2: RegionPrices = {
  items: {
    ...GLOBAL,
    interRegionGB: recalled(0.02, PAGE.ec2, TRANSFER),
    natGatewayHour: cited(0.045, PAGE.vpc, AT.natPipelines, "US West (Oregon) ~$0.045/h"),
    natGatewayGB: cited(0.045, PAGE.vpc, AT.natPipelines, "US West (Oregon) ~$0.045 per GB"),
    albHour: recalled(0.0225, PAGE.elb),
    albLcuHour: recalled(0.008, PAGE.elb),
    nlbHour: recalled(0.0225, PAGE.elb),
    nlbLcuHour: recalled(0.006, PAGE.elb, "per NLCU-hour"),
    ebsGp3GBMonth: recalled(0.08, PAGE.ebs),
    s3StandardGBMonth: recalled(0.023, PAGE.s3),
    s3PutPer1000: recalled(0.005, PAGE.s3),
    s3GetPer1000: recalled(0.0004, PAGE.s3),
  },
  ec2Hour: {
    "m5.large": recalled(0.096, PAGE.ec2),
    "m6i.large": recalled(0.096, PAGE.ec2),
    "m7i.large": recalled(0.1008, PAGE.ec2),
    "t3.large": recalled(0.0832, PAGE.ec2),
    "t3.medium": recalled(0.0416, PAGE.ec2),
  },
};

const EUROPE_NAT = "Europe (Ireland, Frankfurt, London) ~$0.048-0.052 quoted at " + AT.natPipelines;

/** The table: every region Phoenix's stacks and tests use. A region missing here has no modeled cost. */
export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": US_EAST_1,
  "us-west-2": US_WEST_2,
  "eu-west-1": {
    items: {
      ...GLOBAL,
      interRegionGB: recalled(0.02, PAGE.ec2, TRANSFER),
      natGatewayHour: recalled(0.048, PAGE.vpc, EUROPE_NAT),
      natGatewayGB: recalled(0.048, PAGE.vpc, EUROPE_NAT),
      albHour: recalled(0.0252, PAGE.elb),
      albLcuHour: recalled(0.008, PAGE.elb),
      nlbHour: recalled(0.0252, PAGE.elb),
      nlbLcuHour: recalled(0.006, PAGE.elb, "per NLCU-hour"),
      ebsGp3GBMonth: recalled(0.088, PAGE.ebs),
      s3StandardGBMonth: recalled(0.023, PAGE.s3),
      s3PutPer1000: recalled(0.005, PAGE.s3),
      s3GetPer1000: recalled(0.0004, PAGE.s3),
    },
    ec2Hour: {
      "m5.large": recalled(0.107, PAGE.ec2),
      "m6i.large": recalled(0.107, PAGE.ec2),
      "m7i.large": recalled(0.1124, PAGE.ec2, "m6i.large + 5%, the step between the cited us-east-1 xlarge prices"),
      "t3.large": recalled(0.0912, PAGE.ec2),
      "t3.medium": recalled(0.0456, PAGE.ec2),
    },
  },
  "eu-central-1": {
    items: {
      ...GLOBAL,
      interRegionGB: recalled(0.02, PAGE.ec2, TRANSFER),
      natGatewayHour: recalled(0.052, PAGE.vpc, EUROPE_NAT),
      natGatewayGB: recalled(0.052, PAGE.vpc, EUROPE_NAT),
      albHour: recalled(0.027, PAGE.elb),
      albLcuHour: recalled(0.008, PAGE.elb),
      nlbHour: recalled(0.027, PAGE.elb),
      nlbLcuHour: recalled(0.006, PAGE.elb, "per NLCU-hour"),
      ebsGp3GBMonth: recalled(0.0952, PAGE.ebs),
      s3StandardGBMonth: recalled(0.0245, PAGE.s3),
      s3PutPer1000: recalled(0.0054, PAGE.s3),
      s3GetPer1000: recalled(0.00043, PAGE.s3, "the lowest request price quoted for Frankfurt at " + AT.s3Frankfurt),
    },
    ec2Hour: {
      "m5.large": recalled(0.115, PAGE.ec2),
      "m6i.large": recalled(0.115, PAGE.ec2),
      "m7i.large": recalled(0.1208, PAGE.ec2, "m6i.large + 5%, the step between the cited us-east-1 xlarge prices"),
      "t3.large": recalled(0.096, PAGE.ec2),
      "t3.medium": recalled(0.048, PAGE.ec2),
    },
  },
};

/** What each item is of, as a cost line names it. */
export const ITEM_NAMES: Readonly<Record<PriceItem, string>> = {
  eksControlPlaneHour: "EKS control plane, standard support",
  natGatewayHour: "NAT gateway",
  natGatewayGB: "NAT gateway data processed",
  publicIpv4Hour: "public IPv4 address (NAT gateway's Elastic IP)",
  albHour: "Application Load Balancer",
  albLcuHour: "ALB capacity units (LCU)",
  nlbHour: "Network Load Balancer",
  nlbLcuHour: "NLB capacity units (NLCU)",
  ebsGp3GBMonth: "EBS gp3 root volumes",
  s3StandardGBMonth: "S3 Standard storage",
  s3PutPer1000: "S3 PUT/COPY/POST/LIST requests",
  s3GetPer1000: "S3 GET requests",
  interRegionGB: "data transfer between regions",
  kmsKeyMonth: "KMS customer managed key",
};

/** A price the table lacks: named with the file and key to add. */
export class MissingPrice extends Error {
  constructor(readonly key: string) {
    super(`no price for ${key} in cli/cost/prices.ts: add it (with its source) to model this cost`);
    this.name = "MissingPrice";
  }
}

/** One region's prices, or MissingPrice. */
export function pricesOf(region: string): RegionPrices {
  const p = Object.hasOwn(PRICES, region) ? PRICES[region] : undefined;
  if (!p) throw new MissingPrice(`region ${region}`);
  return p;
}

/** A regional price, or MissingPrice. */
export function priceOf(region: string, item: PriceItem): PriceRow {
  return pricesOf(region).items[item];
}

/** An instance type's hourly price in a region, or MissingPrice. */
export function instanceHour(region: string, type: string): PriceRow {
  const table = pricesOf(region).ec2Hour;
  const row = Object.hasOwn(table, type) ? table[type] : undefined;
  if (!row) throw new MissingPrice(`instance type ${type} in ${region}`);
  return row;
}
