/**
 * The AWS partition of a region code. Used where no AWS call may be made: validating a
 * stack file (a DR region in another partition cannot replicate) and the offline plan
 * (the one value it derives instead of showing a placeholder).
 */

/** The partition and DNS suffix of a region code (documented AWS partitions). */
export function partitionOf(region: string): { partition: string; dnsSuffix: string } | undefined {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  if (region.startsWith("us-isob-")) return { partition: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov" };
  if (region.startsWith("us-iso-")) return { partition: "aws-iso", dnsSuffix: "c2s.ic.gov" };
  if (region.startsWith("eusc-")) return { partition: "aws-eusc", dnsSuffix: "amazonaws.eu" };
  if (/^[a-z]{2}-[a-z]+-\d+$/.test(region)) return { partition: "aws", dnsSuffix: "amazonaws.com" };
  return undefined;
}
