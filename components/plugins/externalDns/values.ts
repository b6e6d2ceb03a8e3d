/** The external-dns chart's values. */
import * as pulumi from "@pulumi/pulumi";
import type { HelmValues } from "../contract";
import type { ExternalDnsSettings } from "./settings";

export const EXTERNAL_DNS_NAMESPACE = "external-dns";
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";

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
