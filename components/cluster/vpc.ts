/**
 * The cluster's network: a VPC over the region's first three standard availability zones,
 * a public and a private subnet in each (./network.ts plans the blocks), NAT per AZ or a
 * single one, and the private route tables nodes pull their images through.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Build } from "./build";
import { AZ_COUNT, planSubnets, subnetTags } from "./network";

/** What the control plane and compute need of the network. */
export interface Network {
  readonly vpc: aws.ec2.Vpc;
  readonly publicSubnets: readonly aws.ec2.Subnet[];
  readonly privateSubnets: readonly aws.ec2.Subnet[];
  /** The private route tables and their associations: nodes wait for them. */
  readonly privateEgress: readonly pulumi.Resource[];
}

/** Builds the network of one cluster. */
export function buildNetwork(b: Build): Network {
  const { name, args, parent, tags } = b;
  // Looked up at run time, never hard-coded: the same code serves every region. The
  // opt-in filter keeps Local and Wavelength Zones out of "the first three".
  const azs = aws.getAvailabilityZonesOutput(
    { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
    parent,
  );
  const azName = (i: number): pulumi.Output<string> =>
    azs.names.apply((names) => {
      if (names.length < AZ_COUNT) {
        throw new Error(`the region has ${names.length} standard availability zones; Phoenix needs ${AZ_COUNT}`);
      }
      return names[i];
    });
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: args.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { ...tags, Name: args.clusterName },
    },
    parent,
  );
  const igw = new aws.ec2.InternetGateway(
    `${name}-igw`,
    { vpcId: vpc.id, tags: { ...tags, Name: args.clusterName } },
    parent,
  );
  const plans = planSubnets(args.vpcCidr);
  const subnets = plans.map(
    (p) =>
      new aws.ec2.Subnet(
        `${name}-${p.tier}-${p.azIndex}`,
        {
          vpcId: vpc.id,
          cidrBlock: p.cidrBlock,
          availabilityZone: azName(p.azIndex),
          mapPublicIpOnLaunch: false,
          tags: {
            ...tags,
            ...subnetTags(p.tier, args.clusterName),
            Name: `${args.clusterName}-${p.tier}-${p.azIndex}`,
          },
        },
        parent,
      ),
  );
  const tier = (t: "public" | "private"): aws.ec2.Subnet[] => subnets.filter((_, i) => plans[i].tier === t);
  const publicSubnets = tier("public");
  const privateSubnets = tier("private");

  routePublic(b, vpc, igw, publicSubnets);
  const privateEgress = buildEgress(b, vpc, igw, publicSubnets, privateSubnets);
  return { vpc, publicSubnets, privateSubnets, privateEgress };
}

/** The public route table (default route to the internet gateway) and its subnet associations. */
function routePublic(
  b: Build,
  vpc: aws.ec2.Vpc,
  igw: aws.ec2.InternetGateway,
  publicSubnets: readonly aws.ec2.Subnet[],
): void {
  const { name, args, parent, tags } = b;
  const publicRoutes = new aws.ec2.RouteTable(
    `${name}-public`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { ...tags, Name: `${args.clusterName}-public` },
    },
    parent,
  );
  publicSubnets.forEach(
    (s, i) =>
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${i}`,
        { subnetId: s.id, routeTableId: publicRoutes.id },
        parent,
      ),
  );
}

/** NAT per AZ or a single one, and the private route tables and associations through it. */
function buildEgress(
  b: Build,
  vpc: aws.ec2.Vpc,
  igw: aws.ec2.InternetGateway,
  publicSubnets: readonly aws.ec2.Subnet[],
  privateSubnets: readonly aws.ec2.Subnet[],
): pulumi.Resource[] {
  const { name, args, parent, tags } = b;
  const natCount = args.natGateways === "perAz" ? publicSubnets.length : 1;
  const nats = publicSubnets.slice(0, natCount).map((s, i) => {
    const eip = new aws.ec2.Eip(
      `${name}-nat-${i}`,
      { domain: "vpc", tags: { ...tags, Name: `${args.clusterName}-nat-${i}` } },
      parent,
    );
    return new aws.ec2.NatGateway(
      `${name}-nat-${i}`,
      { subnetId: s.id, allocationId: eip.id, tags: { ...tags, Name: `${args.clusterName}-nat-${i}` } },
      { ...parent, dependsOn: [igw] },
    );
  });
  // Egress of the private subnets: nodes pull their images through it.
  return privateSubnets.flatMap((s, i) => {
    const rt = new aws.ec2.RouteTable(
      `${name}-private-${i}`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % nats.length].id }],
        tags: { ...tags, Name: `${args.clusterName}-private-${i}` },
      },
      parent,
    );
    return [
      rt,
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: rt.id }, parent),
    ];
  });
}
