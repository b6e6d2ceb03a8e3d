/** cert-manager's stack settings. */
import { z } from "zod";
import { hostedZoneSchema } from "../route53";
import { strictSettings } from "../settings";

/** ACME directories of Let's Encrypt. */
export const ACME_SERVERS = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

const dns01Schema = strictSettings({
  email: z
    .email({ error: "must be an e-mail address (Let's Encrypt's account contact)" })
    .meta({ description: "Account e-mail Let's Encrypt sends expiry notices to." }),
  hostedZones: z
    .array(hostedZoneSchema)
    .min(1)
    .meta({ description: "The Route 53 zones it may answer DNS-01 challenges in." }),
  acmeServer: z.enum(["production", "staging"]).default("production").meta({
    description: "Let's Encrypt `production`, or `staging` for trying a new zone without hitting rate limits.",
  }),
});

/** Stack settings of cert-manager (`phoenix:plugins.certManager`). */
export const certManagerSettingsSchema = strictSettings({
  enabled: z.boolean().default(true).meta({ description: "Install cert-manager." }),
  dns01: dns01Schema.optional().meta({
    description:
      "DNS-01 challenges through Route 53: adds a Route 53 identity and a Let's Encrypt ClusterIssuer named `letsencrypt`. No DNS-01 when absent; needs `enabled`.",
  }),
})
  .refine((s) => s.enabled || s.dns01 === undefined, {
    error:
      "dns01 is set but cert-manager is disabled: nothing would issue certificates; set enabled: true or drop dns01",
    path: ["dns01"],
  })
  .prefault({});

/** Validated settings. */
export type CertManagerSettings = z.output<typeof certManagerSettingsSchema>;
