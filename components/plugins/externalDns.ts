/**
 * external-dns: Route 53 records for Services, Ingresses and Gateway routes, limited to
 * the hosted zones the stack names. Each cluster owns its records through a TXT owner
 * id unique per cluster and region, so a replica region never deletes or overwrites
 * the primary's records.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { charts } from "../catalog";
import type { PolicyDocument } from "../identity";
import { pluginIdentity, POD_PASS_THROUGH, type HelmValues, type Plugin } from "./contract";
import { hostedZoneSchema, strictSettings, type HostedZone } from "./settings";

/**
 * Kubernetes sources external-dns may read hostnames from. Of the Gateway API routes,
 * only those served at v1 by the standard CRDs Phoenix installs: external-dns stops
 * (and its release rolls back) when a source's CRD or version is not served, and its
 * L4 route sources are not proven against the v1.6.0 CRDs.
 */
export const EXTERNAL_DNS_SOURCES = ["service", "ingress", "gateway-httproute", "gateway-grpcroute"] as const;

/** Stack settings of external-dns (`phoenix:plugins.externalDns`). */
export const externalDnsSettingsSchema = strictSettings({
  /** Install it; needs at least one hosted zone. */
  enabled: z.boolean().default(false),
  /** The Route 53 zones it may write; its domain filters are exactly their domains. */
  hostedZones: z.array(hostedZoneSchema).default([]),
  /**
   * upsert-only (default) never deletes a record; sync also deletes records whose
   * source is gone. Both only ever touch records this cluster's TXT owner id owns.
   */
  policy: z.enum(["upsert-only", "sync"]).default("upsert-only"),
  /** Where hostnames come from; gateway-* sources need the load balancer controller's Gateway API CRDs. */
  sources: z
    .array(z.enum(EXTERNAL_DNS_SOURCES))
    .min(1)
    .refine((l) => new Set(l).size === l.length, { error: "lists a source twice" })
    .default(["service", "ingress"]),
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

export const EXTERNAL_DNS_NAMESPACE = "external-dns";
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";

/** Route 53 ARN of a hosted zone (Route 53 is global: no region or account in it). */
export function hostedZoneArn(partition: string, zoneId: string): string {
  return `arn:${partition}:route53:::hostedzone/${zoneId}`;
}

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
      { Sid: "ReadRecords", Effect: "Allow", Action: ["route53:ListResourceRecordSets", "route53:ListTagsForResources"], Resource: zoneArns },
      { Sid: "ListZones", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
    ],
  };
}

/** The TXT owner id: one per cluster and region, so two regions never claim each other's records. */
export function txtOwnerId(clusterName: string, region: string): string {
  return `${clusterName}.${region}`;
}

/** Everything the values depend on besides the settings. */
export interface ExternalDnsValuesInput {
  readonly clusterName: pulumi.Input<string>;
  readonly region: string;
  readonly serviceAccountAnnotations: pulumi.Input<Record<string, string>>;
}

/** Helm values for the external-dns chart. */
export function externalDnsValues(settings: ExternalDnsSettings, input: ExternalDnsValuesInput): HelmValues {
  return {
    provider: { name: "aws" },
    policy: settings.policy,
    registry: "txt",
    txtOwnerId: pulumi.output(input.clusterName).apply((name) => txtOwnerId(name, input.region)),
    sources: [...settings.sources],
    domainFilters: settings.hostedZones.map((z) => z.domain),
    // Domain filters alone would also match a same-named zone elsewhere in the account
    // (a private twin of a public zone): pin the exact zone ids too.
    extraArgs: settings.hostedZones.map((z) => `--zone-id-filter=${z.id}`),
    // Route 53 is global, but the AWS SDK still needs a region to sign requests.
    env: [{ name: "AWS_DEFAULT_REGION", value: input.region }],
    serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT, annotations: input.serviceAccountAnnotations },
  };
}

/** The external-dns plugin. */
export const externalDns: Plugin<typeof externalDnsSettingsSchema, undefined, Record<string, never>> = {
  id: "externalDns",
  chart: charts.externalDns,
  namespace: EXTERNAL_DNS_NAMESPACE,
  releaseName: "external-dns",
  settings: externalDnsSettingsSchema,
  freeFormValues: [
    // Kubernetes EnvVars of the container (`name`, `value`, `valueFrom`); default `[]`.
    "env",
    // In its map form, keys are external-dns flag names (the chart also takes a list).
    "extraArgs",
    ...POD_PASS_THROUGH,
  ],
  enabled: (s) => s.enabled,
  // Non-root, RuntimeDefault seccomp, no privilege escalation, no capabilities (the
  // chart's podSecurityContext/securityContext defaults).
  podSecurity: () => "restricted",
  install(settings, _inputs, ctx) {
    const identity = pluginIdentity(ctx, {
      description: "external-dns",
      namespace: EXTERNAL_DNS_NAMESPACE,
      serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
      policy: pulumi.output(ctx.partition).apply((p) => externalDnsPolicy(p, settings.hostedZones)),
    });
    return {
      values: externalDnsValues(settings, { clusterName: ctx.clusterName, region: ctx.region, serviceAccountAnnotations: identity.serviceAccountAnnotations }),
      dependsOn: identity.ready,
      outputs: {},
    };
  },
};
