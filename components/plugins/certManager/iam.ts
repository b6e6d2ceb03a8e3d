/** cert-manager's DNS-01 IAM policy: `_acme-challenge` TXT records in the configured zones. */
import type { PolicyDocument } from "../../identity";
import { hostedZoneArn, type HostedZone } from "../route53";

/**
 * cert-manager's DNS-01 policy (cert-manager's Route 53 docs, narrowed): it may only
 * write TXT records named `_acme-challenge.*`, only in the configured zones, and read
 * the status of its own changes. No ListHostedZonesByName: the issuer names each zone
 * id, so cert-manager never has to look zones up.
 */
export function certManagerPolicy(partition: string, zones: readonly HostedZone[]): PolicyDocument {
  const zoneArns = zones.map((z) => hostedZoneArn(partition, z.id));
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ChangeStatus",
        Effect: "Allow",
        Action: "route53:GetChange",
        Resource: `arn:${partition}:route53:::change/*`,
      },
      {
        Sid: "ChallengeRecordsOnly",
        Effect: "Allow",
        Action: "route53:ChangeResourceRecordSets",
        Resource: zoneArns,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
        },
      },
      { Sid: "ReadRecords", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zoneArns },
    ],
  };
}
