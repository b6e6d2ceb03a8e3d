/** Route 53 hosted zones, as the DNS plugins (external-dns, cert-manager's DNS-01) take them. */
import { z } from "zod";
import { strictSettings } from "./settings";

/** A Route 53 hosted zone a plugin may write records in. */
export const hostedZoneSchema = strictSettings({
  id: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ")
    .meta({ description: "Hosted zone id, as Route 53 shows it, such as `Z0123456789ABCDEFGHIJ`." }),
  domain: z
    .string()
    .regex(
      /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      "must be a lower-case DNS domain such as example.com",
    )
    .meta({ description: "The zone's domain, such as `example.com`." }),
});

/** A hosted zone from the stack file. */
export type HostedZone = z.output<typeof hostedZoneSchema>;

/** Route 53 ARN of a hosted zone (Route 53 is global: no region or account in it). */
export function hostedZoneArn(partition: string, zoneId: string): string {
  return `arn:${partition}:route53:::hostedzone/${zoneId}`;
}
