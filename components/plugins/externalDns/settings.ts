/** external-dns's stack settings. */
import { z } from "zod";
import { hostedZoneSchema } from "../route53";
import { strictSettings } from "../settings";

/**
 * Kubernetes sources external-dns may read hostnames from. Of the Gateway API routes,
 * only those served at v1 by the standard CRDs Phoenix installs: external-dns stops
 * (and its release rolls back) when a source's CRD or version is not served, and its
 * L4 route sources are not proven against the v1.6.0 CRDs.
 */
export const EXTERNAL_DNS_SOURCES = ["service", "ingress", "gateway-httproute", "gateway-grpcroute"] as const;

/** Stack settings of external-dns (`phoenix:plugins.externalDns`). */
export const externalDnsSettingsSchema = strictSettings({
  enabled: z.boolean().default(false).meta({ description: "Install external-dns; needs `hostedZones`." }),
  hostedZones: z.array(hostedZoneSchema).default([]).meta({
    description: "The Route 53 zones it may write, each id once; its domain filters are exactly their domains.",
  }),
  policy: z.enum(["upsert-only", "sync"]).default("upsert-only").meta({
    description:
      "`upsert-only` never deletes a record; `sync` also deletes records whose source is gone. Both only ever touch records this cluster's TXT owner id owns.",
  }),
  sources: z
    .array(z.enum(EXTERNAL_DNS_SOURCES))
    .min(1)
    .refine((l) => new Set(l).size === l.length, { error: "lists a source twice" })
    .default(["service", "ingress"])
    .meta({
      description:
        "Where hostnames come from: `service`, `ingress`, `gateway-httproute`, `gateway-grpcroute`. The gateway ones need the load balancer controller's Gateway API (`enabled` and `gatewayApi: true`).",
    }),
})
  .refine((s) => !s.enabled || s.hostedZones.length > 0, {
    error: "enabled: true needs hostedZones (id and domain of each Route 53 zone external-dns may write)",
    path: ["hostedZones"],
  })
  .refine((s) => new Set(s.hostedZones.map((z) => z.id)).size === s.hostedZones.length, {
    error: "lists a hosted zone id twice",
    path: ["hostedZones"],
  })
  .prefault({});

/** Validated settings. */
export type ExternalDnsSettings = z.output<typeof externalDnsSettingsSchema>;
