/** external-dns's IAM policy: the configured zones' records only. */
import type { PolicyDocument } from "../../identity";
import { hostedZoneArn, type HostedZone } from "../route53";

/**
 * external-dns's IAM policy: record changes and reads on exactly the configured zones.
 * ListHostedZones has no resource scope in Route 53, hence `*`; the zone-id filter in
 * the values keeps external-dns from acting on the other zones it can list.
 */
export function externalDnsPolicy(partition: string, zones: readonly HostedZone[]): PolicyDocument {
  const zoneArns = zones.map((z) => hostedZoneArn(partition, z.id));
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ChangeRecords", Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: zoneArns },
      {
        Sid: "ReadRecords",
        Effect: "Allow",
        Action: ["route53:ListResourceRecordSets", "route53:ListTagsForResources"],
        Resource: zoneArns,
      },
      { Sid: "ListZones", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
    ],
  };
}
