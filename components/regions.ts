/**
 * AWS region metadata, from the partitions table the AWS SDK ships
 * (`@aws-sdk/util-endpoints`, the data every SDK client resolves endpoints with), not a
 * hand-written list. Used where no AWS call may be made: validating a stack file,
 * deriving a replica region's stack, and the offline plan.
 */
import { partition } from "@aws-sdk/util-endpoints";

/** What Phoenix needs to know of a region code. */
export interface RegionInfo {
  /** Partition: aws, aws-cn, aws-us-gov, ... */
  readonly partition: string;
  /** DNS suffix of the partition's service endpoints. */
  readonly dnsSuffix: string;
  /** The region's name as AWS lists it (Europe (Ireland)). */
  readonly description: string;
}

/**
 * The partition of a region that AWS lists, or undefined for a code it does not list.
 * `partition()` also answers codes that merely look like a region of a partition (its
 * regex fallback); only listed regions carry a description, so that is the test.
 */
export function regionInfo(region: string): RegionInfo | undefined {
  // Listed regions come back merged with their entry in the table (description included).
  const p: ReturnType<typeof partition> & { description?: unknown } = partition(region);
  if (typeof p.description !== "string") return undefined;
  return { partition: p.name, dnsSuffix: p.dnsSuffix, description: p.description };
}

/** The partition and DNS suffix of a region code that AWS lists. */
export function partitionOf(region: string): { partition: string; dnsSuffix: string } | undefined {
  const info = regionInfo(region);
  return info && { partition: info.partition, dnsSuffix: info.dnsSuffix };
}
