/**
 * `TeardownAws` over the AWS SDK v3: ELBv2 (ALB, NLB, GWLB), classic ELB and EC2
 * (network interfaces, security groups), with their paginators. Credentials and
 * endpoints come from the SDK's default chain, as for the Pulumi AWS provider of the
 * same run.
 */
import {
  DescribeTagsCommand as DescribeClassicTagsCommand,
  ElasticLoadBalancingClient,
  paginateDescribeLoadBalancers as paginateClassicLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing";
import {
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DeleteSecurityGroupCommand,
  EC2Client,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
} from "@aws-sdk/client-ec2";
import {
  inTreeClusterTag,
  isClusterOwned,
  isLoadBalancerInterface,
  isLoadBalancerSecurityGroup,
  LBC_CLUSTER_TAG,
  type AwsLoadBalancer,
  type AwsNetworkInterface,
  type AwsSecurityGroup,
  type TeardownAws,
  type TeardownTarget,
} from "./release";

/** DescribeTags takes at most 20 load balancers a call (ELB API references). */
const TAG_BATCH = 20;

type Tag = { Key?: string; Value?: string };
const tagMap = (tags: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? ""]));

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += TAG_BATCH) out.push(items.slice(i, i + TAG_BATCH));
  return out;
}

/**
 * Tags of a batch of load balancers. One deleted since it was listed fails the whole call
 * (LoadBalancerNotFound, AccessPointNotFound): then each is asked alone, and one that
 * is gone is left out.
 */
async function tagsOf<T>(
  batch: readonly T[],
  describe: (items: readonly T[]) => Promise<readonly { key: T; tags: Record<string, string> }[]>,
): Promise<readonly { key: T; tags: Record<string, string> }[]> {
  try {
    return await describe(batch);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (batch.length === 1) return [];
    return (await Promise.all(batch.map((one) => tagsOf([one], describe)))).flat();
  }
}

const isNotFound = (err: unknown): boolean => err instanceof Error && /NotFound/.test(err.name);

const v2Kind = (type: string | undefined): AwsLoadBalancer["kind"] =>
  type === "network" ? "network" : type === "gateway" ? "gateway" : "application";

/** The SDK clients of one region. */
export function openAws(region: string): TeardownAws {
  const elbv2 = new ElasticLoadBalancingV2Client({ region });
  const elb = new ElasticLoadBalancingClient({ region });
  const ec2 = new EC2Client({ region });

  /** ELBv2 load balancers (in the VPC when given) whose tags name the cluster. */
  async function v2(target: TeardownTarget): Promise<AwsLoadBalancer[]> {
    const all: AwsLoadBalancer[] = [];
    for await (const page of paginateDescribeLoadBalancers({ client: elbv2 }, {})) {
      for (const lb of page.LoadBalancers ?? []) {
        if (!lb.LoadBalancerArn || (target.vpcId && lb.VpcId !== target.vpcId)) continue;
        all.push({ kind: v2Kind(lb.Type), name: lb.LoadBalancerName ?? lb.LoadBalancerArn, id: lb.LoadBalancerArn });
      }
    }
    const owned = new Set<string>();
    for (const batch of batches(all.map((lb) => lb.id))) {
      const described = await tagsOf(batch, async (arns) =>
        ((await elbv2.send(new DescribeTagsCommand({ ResourceArns: [...arns] }))).TagDescriptions ?? []).map((d) => ({
          key: d.ResourceArn ?? "",
          tags: tagMap(d.Tags),
        })),
      );
      for (const d of described) if (isClusterOwned(d.tags, target.clusterName)) owned.add(d.key);
    }
    return all.filter((lb) => owned.has(lb.id));
  }

  /** Classic load balancers (in the VPC when given) whose tags name the cluster. */
  async function classic(target: TeardownTarget): Promise<AwsLoadBalancer[]> {
    const names: string[] = [];
    for await (const page of paginateClassicLoadBalancers({ client: elb }, {})) {
      for (const lb of page.LoadBalancerDescriptions ?? []) {
        if (lb.LoadBalancerName && (!target.vpcId || lb.VPCId === target.vpcId)) names.push(lb.LoadBalancerName);
      }
    }
    const owned: AwsLoadBalancer[] = [];
    for (const batch of batches(names)) {
      const described = await tagsOf(batch, async (lbs) =>
        ((await elb.send(new DescribeClassicTagsCommand({ LoadBalancerNames: [...lbs] }))).TagDescriptions ?? []).map(
          (d) => ({ key: d.LoadBalancerName ?? "", tags: tagMap(d.Tags) }),
        ),
      );
      for (const d of described)
        if (isClusterOwned(d.tags, target.clusterName)) owned.push({ kind: "classic", name: d.key, id: d.key });
    }
    return owned;
  }

  return {
    async clusterLoadBalancers(target) {
      const [a, b] = await Promise.all([v2(target), classic(target)]);
      return [...a, ...b];
    },
    async loadBalancerInterfaces(vpcId) {
      const out: AwsNetworkInterface[] = [];
      const filters = [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "description", Values: ["ELB *"] },
      ];
      for await (const page of paginateDescribeNetworkInterfaces({ client: ec2 }, { Filters: filters })) {
        for (const eni of page.NetworkInterfaces ?? []) {
          if (eni.NetworkInterfaceId && isLoadBalancerInterface(eni.Description ?? ""))
            out.push({ id: eni.NetworkInterfaceId, description: eni.Description ?? "", status: eni.Status });
        }
      }
      return out;
    },
    async loadBalancerSecurityGroups(target) {
      const out: AwsSecurityGroup[] = [];
      const filters = [
        { Name: "vpc-id", Values: [target.vpcId] },
        { Name: "tag-key", Values: [LBC_CLUSTER_TAG, inTreeClusterTag(target.clusterName)] },
      ];
      for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, { Filters: filters })) {
        for (const sg of page.SecurityGroups ?? []) {
          if (sg.GroupId && isLoadBalancerSecurityGroup(sg.GroupName ?? "", tagMap(sg.Tags), target.clusterName))
            out.push({ id: sg.GroupId, name: sg.GroupName ?? "" });
        }
      }
      return out;
    },
    async deleteSecurityGroup(id) {
      try {
        await ec2.send(new DeleteSecurityGroupCommand({ GroupId: id }));
        return true;
      } catch (err) {
        // Still referred to (retried on the next look), or already gone.
        if (err instanceof Error && (err.name === "DependencyViolation" || err.name === "InvalidGroup.NotFound"))
          return false;
        throw err;
      }
    },
  };
}
