/** The aws-load-balancer-controller chart's values. */
import type * as pulumi from "@pulumi/pulumi";
import type { HelmValues } from "../contract";
import type { LoadBalancerControllerSettings } from "./settings";

export const LBC_NAMESPACE = "aws-load-balancer-controller";
export const LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller";

/** Everything the values depend on besides the settings. */
export interface LbcValuesInput {
  readonly clusterName: pulumi.Input<string>;
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  /** Service-account annotations of the AWS identity (IRSA's role ARN). */
  readonly serviceAccountAnnotations: pulumi.Input<Record<string, string>>;
  /** Tags the controller puts on every AWS resource it creates. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Helm values for the aws-load-balancer-controller chart. */
export function loadBalancerControllerValues(
  settings: LoadBalancerControllerSettings,
  input: LbcValuesInput,
): HelmValues {
  return {
    clusterName: input.clusterName,
    // Set explicitly: the controller's fallback is the instance metadata service, which
    // Phoenix's nodes do not expose to pods.
    region: input.region,
    vpcId: input.vpcId,
    replicaCount: settings.replicas,
    podDisruptionBudget: settings.replicas > 1 ? { maxUnavailable: 1 } : {},
    // The Service mutator webhook fails closed and sees every new Service. CoreDNS's
    // add-on creates kube-dns while this release may still be starting (nothing makes one
    // wait for the other), so kube-dns is kept out of the webhook's reach: a ClusterIP
    // Service the controller would never mutate anyway.
    serviceMutatorWebhookConfig: {
      failurePolicy: "Fail",
      objectSelector: { matchExpressions: [{ key: "k8s-app", operator: "NotIn", values: ["kube-dns"] }] },
    },
    serviceAccount: { create: true, name: LBC_SERVICE_ACCOUNT, annotations: input.serviceAccountAnnotations },
    defaultTags: { ...input.tags },
    // WAF classic and Shield Advanced are not used: their permissions are not granted.
    enableShield: false,
    enableWaf: false,
    enableWafv2: true,
    controllerConfig: { featureGates: { NLBGatewayAPI: settings.gatewayApi, ALBGatewayAPI: settings.gatewayApi } },
  };
}
