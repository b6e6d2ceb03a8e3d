/**
 * external-dns: Route 53 records for Services, Ingresses and Gateway routes, limited to
 * the hosted zones the stack names. Each cluster owns its records through a TXT owner
 * id unique per cluster and region, so a replica region never deletes or overwrites
 * the primary's records.
 */
import * as pulumi from "@pulumi/pulumi";
import { charts } from "../../catalog";
import { pluginIdentity, POD_PASS_THROUGH, type Plugin } from "../contract";
import { externalDnsPolicy } from "./iam";
import { externalDnsSettingsSchema } from "./settings";
import { EXTERNAL_DNS_NAMESPACE, EXTERNAL_DNS_SERVICE_ACCOUNT, externalDnsValues } from "./values";

export * from "./iam";
export * from "./settings";
export * from "./values";

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
      values: externalDnsValues(settings, {
        clusterName: ctx.clusterName,
        region: ctx.region,
        serviceAccountAnnotations: identity.serviceAccountAnnotations,
      }),
      dependsOn: identity.ready,
      outputs: {},
    };
  },
};
