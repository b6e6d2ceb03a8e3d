/**
 * cert-manager: TLS certificates for workloads. Its CRDs come with the chart
 * (`crds.enabled`) and stay when the release is removed (`crds.keep`), so uninstalling
 * never deletes every Certificate in the cluster. With `dns01` set it also gets a
 * Route 53 identity scoped to the named zones and a Let's Encrypt ClusterIssuer.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { charts } from "../catalog";
import type { PolicyDocument } from "../identity";
import { pluginIdentity, POD_PASS_THROUGH, type HelmValues, type Plugin } from "./contract";
import { hostedZoneArn } from "./externalDns";
import { hostedZoneSchema, strictSettings, type HostedZone } from "./settings";

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

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";
/** Name of the ClusterIssuer Phoenix declares with DNS-01. */
export const CLUSTER_ISSUER = "letsencrypt";

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
      { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
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

/** Helm values for the cert-manager chart. */
export function certManagerValues(serviceAccountAnnotations: pulumi.Input<Record<string, string>>): HelmValues {
  return {
    crds: { enabled: true, keep: true },
    // The chart's default lease namespace is kube-system; keep cert-manager's RBAC in its own.
    global: { leaderElection: { namespace: CERT_MANAGER_NAMESPACE } },
    replicaCount: 2,
    podDisruptionBudget: { enabled: true },
    webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
    cainjector: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
    serviceAccount: { create: true, name: CERT_MANAGER_SERVICE_ACCOUNT, annotations: serviceAccountAnnotations },
  };
}

/** The ClusterIssuer spec for DNS-01 in the configured zones (one solver per zone). */
export function clusterIssuerSpec(dns01: NonNullable<CertManagerSettings["dns01"]>, region: string): Record<string, unknown> {
  return {
    acme: {
      server: ACME_SERVERS[dns01.acmeServer],
      email: dns01.email,
      privateKeySecretRef: { name: `${CLUSTER_ISSUER}-account-key` },
      solvers: dns01.hostedZones.map((z) => ({
        selector: { dnsZones: [z.domain] },
        // No credentials: the controller's pod identity is used (ambient credentials,
        // allowed for ClusterIssuers by default).
        dns01: { route53: { region, hostedZoneID: z.id } },
      })),
    },
  };
}

/** The cert-manager plugin. */
export const certManager: Plugin<typeof certManagerSettingsSchema, undefined, Record<string, never>> = {
  id: "certManager",
  chart: charts.certManager,
  namespace: CERT_MANAGER_NAMESPACE,
  releaseName: "cert-manager",
  settings: certManagerSettingsSchema,
  // Not in values.yaml at all (commented out there); the schema declares them as objects.
  freeFormValues: [...POD_PASS_THROUGH],
  enabled: (s) => s.enabled,
  // Controller, webhook, cainjector and startupapicheck run as non-root with
  // RuntimeDefault seccomp, no privilege escalation and no capabilities (the chart's
  // securityContext/containerSecurityContext defaults).
  podSecurity: () => "restricted",
  install(settings, _inputs, ctx) {
    const dns01 = settings.dns01;
    if (!dns01) return { values: certManagerValues({}), outputs: {} };
    const identity = pluginIdentity(ctx, {
      description: "cert-manager DNS-01",
      namespace: CERT_MANAGER_NAMESPACE,
      serviceAccount: CERT_MANAGER_SERVICE_ACCOUNT,
      policy: pulumi.output(ctx.partition).apply((p) => certManagerPolicy(p, dns01.hostedZones)),
    });
    return {
      values: certManagerValues(identity.serviceAccountAnnotations),
      outputs: {},
      dependsOn: identity.ready,
      // The ClusterIssuer is a custom resource: its CRD exists only once the release is in.
      afterRelease: (release) =>
        void new k8s.apiextensions.CustomResource(
          `${ctx.name}-issuer`,
          { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: CLUSTER_ISSUER }, spec: clusterIssuerSpec(dns01, ctx.region) },
          { parent: ctx.parent, provider: ctx.provider, dependsOn: [release] },
        ),
    };
  },
};
