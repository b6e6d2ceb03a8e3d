/**
 * cert-manager: TLS certificates for workloads. Its CRDs come with the chart
 * (`crds.enabled`) and stay when the release is removed (`crds.keep`), so uninstalling
 * never deletes every Certificate in the cluster. With `dns01` set it also gets a
 * Route 53 identity scoped to the named zones and a Let's Encrypt ClusterIssuer.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts } from "../../catalog";
import { pluginIdentity, POD_PASS_THROUGH, type Plugin } from "../contract";
import { certManagerPolicy } from "./iam";
import { certManagerSettingsSchema } from "./settings";
import {
  CERT_MANAGER_NAMESPACE,
  CERT_MANAGER_SERVICE_ACCOUNT,
  certManagerValues,
  CLUSTER_ISSUER,
  clusterIssuerSpec,
} from "./values";

export * from "./iam";
export * from "./settings";
export * from "./values";

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
          {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: CLUSTER_ISSUER },
            spec: clusterIssuerSpec(dns01, ctx.region),
          },
          { parent: ctx.parent, provider: ctx.provider, dependsOn: [release] },
        ),
    };
  },
};
