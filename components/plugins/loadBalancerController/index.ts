/**
 * AWS Load Balancer Controller: traffic into the cluster through ALBs and NLBs, from
 * Ingress, Services and the Gateway API. It replaces ingress-nginx, which is retired
 * (kubernetes/ingress-nginx README: maintenance ended March 2026).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts, crdManifests } from "../../catalog";
import { pluginIdentity, POD_PASS_THROUGH, type Plugin } from "../contract";
import { loadBalancerControllerPolicy } from "./iam";
import { loadBalancerControllerSettingsSchema } from "./settings";
import { LBC_NAMESPACE, LBC_SERVICE_ACCOUNT, loadBalancerControllerValues } from "./values";

export * from "./iam";
export * from "./settings";
export * from "./values";

/** The load balancer controller plugin. */
export const loadBalancerController: Plugin<
  typeof loadBalancerControllerSettingsSchema,
  undefined,
  Record<string, never>
> = {
  id: "loadBalancerController",
  chart: charts.awsLoadBalancerController,
  namespace: LBC_NAMESPACE,
  releaseName: "aws-load-balancer-controller",
  settings: loadBalancerControllerSettingsSchema,
  freeFormValues: [
    ...POD_PASS_THROUGH,
    // AWS tags put on every load balancer resource: keys are tag names.
    "defaultTags",
    // Keys are the controller's feature-gate names (`--feature-gates`); values.yaml
    // lists them only in comments below `featureGates: {}`.
    "controllerConfig.featureGates",
    // A PodDisruptionBudget spec (`maxUnavailable` or `minAvailable`), documented only in
    // a comment below `podDisruptionBudget: {}`.
    "podDisruptionBudget",
    // Kubernetes LabelSelectorRequirements; values.yaml's default list is empty, with the
    // item shape (key, operator, values) only in a comment.
    "serviceMutatorWebhookConfig.objectSelector.matchExpressions",
  ],
  // Its Service mutating webhook fails closed (chart default failurePolicy: Fail).
  gatesAdmission: true,
  enabled: (s) => s.enabled,
  // The chart's container runs as non-root without privilege escalation, but keeps its
  // capabilities (the drop is commented out in its values) and sets no seccomp profile:
  // that meets baseline, not restricted.
  podSecurity: () => "baseline",
  install(settings, _inputs, ctx) {
    const identity = pluginIdentity(ctx, {
      description: "AWS Load Balancer Controller",
      namespace: LBC_NAMESPACE,
      serviceAccount: LBC_SERVICE_ACCOUNT,
      policy: pulumi
        .all([ctx.partition, ctx.accountId, ctx.vpcId, ctx.clusterName])
        .apply(([partition, accountId, vpcId, clusterName]) =>
          loadBalancerControllerPolicy({ partition, region: ctx.region, accountId, vpcId, clusterName }),
        ),
    });
    const crds = settings.gatewayApi
      ? [crdManifests.gatewayApiStandard, crdManifests.lbcGateway].map(
          (file, i) =>
            new k8s.yaml.v2.ConfigFile(
              `${ctx.name}-${i === 0 ? "gateway-api-crds" : "lbc-gateway-crds"}`,
              { file },
              // CRDs are cluster state every Gateway depends on: leave them when the
              // plugin is removed, like Helm leaves a chart's crds/.
              { parent: ctx.parent, provider: ctx.provider, retainOnDelete: true },
            ),
        )
      : [];
    return {
      values: loadBalancerControllerValues(settings, {
        clusterName: ctx.clusterName,
        region: ctx.region,
        vpcId: ctx.vpcId,
        serviceAccountAnnotations: identity.serviceAccountAnnotations,
        tags: ctx.tags,
      }),
      dependsOn: [...identity.ready, ...crds],
      outputs: {},
    };
  },
};
