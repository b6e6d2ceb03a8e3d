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
  /** Account e-mail Let's Encrypt sends expiry notices to. */
  email: z.email({ error: "must be an e-mail address (Let's Encrypt's account contact)" }),
  /** The zones it may answer DNS-01 challenges in. */
  hostedZones: z.array(hostedZoneSchema).min(1),
  /** Let's Encrypt production or staging (for trying a new zone without hitting rate limits). */
  acmeServer: z.enum(["production", "staging"]).default("production"),
});

/** Stack settings of cert-manager (`phoenix:plugins.certManager`). */
export const certManagerSettingsSchema = strictSettings({
  /** Install it. */
  enabled: z.boolean().default(true),
  /** DNS-01 through Route 53: an IAM identity and a ClusterIssuer; off when absent. */
  dns01: dns01Schema.optional(),
})
  .refine((s) => s.enabled || s.dns01 === undefined, {
    error: "dns01 is set but cert-manager is disabled: nothing would issue certificates; set enabled: true or drop dns01",
    path: ["dns01"],
  })
  .prefault({});

/** Validated settings. */
export type CertManagerSettings = z.output<typeof certManagerSettingsSchema>;
