/** The cert-manager chart's values and the DNS-01 ClusterIssuer. */
import type * as pulumi from "@pulumi/pulumi";
import type { HelmValues } from "../contract";
import { ACME_SERVERS, type CertManagerSettings } from "./settings";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";
/** Name of the ClusterIssuer Phoenix declares with DNS-01. */
export const CLUSTER_ISSUER = "letsencrypt";

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
export function clusterIssuerSpec(
  dns01: NonNullable<CertManagerSettings["dns01"]>,
  region: string,
): Record<string, unknown> {
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
