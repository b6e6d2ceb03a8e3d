/**
 * AWS Load Balancer Controller: traffic into the cluster through ALBs and NLBs, from
 * Ingress, Services and the Gateway API. It replaces ingress-nginx, which is retired
 * (kubernetes/ingress-nginx README: maintenance ended March 2026).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { charts, crdManifests } from "../catalog";
import type { PolicyDocument, PolicyStatement } from "../identity";
import { pluginIdentity, POD_PASS_THROUGH, type HelmValues, type Plugin } from "./contract";
import { strictSettings } from "./settings";

/** Stack settings of the load balancer controller (`phoenix:plugins.loadBalancerController`). */
export const loadBalancerControllerSettingsSchema = strictSettings({
  /** Install it (off only for clusters that take no traffic from outside). */
  enabled: z.boolean().default(true),
  /** Reconcile Gateway API objects (ALB for HTTP/GRPC routes, NLB for L4) and install the CRDs they need. */
  gatewayApi: z.boolean().default(true),
  /** Controller replicas; two keep load balancers reconciled through a node drain. */
  replicas: z.number().int().min(1).max(5).default(2),
}).prefault({});

/** Validated settings. */
export type LoadBalancerControllerSettings = z.output<typeof loadBalancerControllerSettingsSchema>;

export const LBC_NAMESPACE = "aws-load-balancer-controller";
export const LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller";

/** The tag the controller puts on every AWS resource it creates, valued with the cluster name. */
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** Where the policy is scoped to. */
export interface LbcScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly vpcId: string;
  readonly clusterName: string;
}

/**
 * The controller's IAM policy. It follows the upstream `iam_policy.json` action by
 * action, and narrows it: every ARN names this region and account, security-group
 * rules are limited to this VPC, and every create, modify or delete of a load balancer,
 * target group or security group requires the `elbv2.k8s.aws/cluster` tag to equal THIS
 * cluster's name (upstream only requires the tag to exist), so two clusters in one
 * account cannot touch each other's load balancers. Describe and read calls stay on
 * `*`: EC2 and ELB support no resource scope for them.
 */
export function loadBalancerControllerPolicy(s: LbcScope): PolicyDocument {
  const ec2 = (r: string): string => `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${r}`;
  const elb = (r: string): string => `arn:${s.partition}:elasticloadbalancing:${s.region}:${s.accountId}:${r}`;
  const securityGroups = ec2("security-group/*");
  const loadBalancers = [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*")];
  const targetGroups = elb("targetgroup/*/*");
  const listeners = [elb("listener/app/*/*/*"), elb("listener/net/*/*/*"), elb("listener-rule/app/*/*/*/*"), elb("listener-rule/net/*/*/*/*")];
  const ownedByThisCluster = { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: s.clusterName } };
  const taggedForThisCluster = { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: s.clusterName } };
  const statements: PolicyStatement[] = [
    {
      Sid: "ElbServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:${s.partition}:iam::${s.accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:DescribeRouteTables",
        "ec2:DescribeIpamPools",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeCapacityReservation",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "cognito-idp:DescribeUserPoolClient",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
      ],
      Resource: "*",
    },
    {
      // WAF checks elasticloadbalancing:SetWebAcl on the load balancer as well, which is
      // granted only on this cluster's load balancers (ListenersOnOwnLoadBalancers).
      Sid: "WafV2OnOwnLoadBalancers",
      Effect: "Allow",
      Action: ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
      Resource: [`arn:${s.partition}:wafv2:${s.region}:${s.accountId}:regional/webacl/*/*`, ...loadBalancers],
    },
    // CreateSecurityGroup is authorised on the VPC and on the new group: in this VPC only,
    // and the group must be tagged for this cluster as it is created.
    { Sid: "CreateSecurityGroupInVpc", Effect: "Allow", Action: "ec2:CreateSecurityGroup", Resource: ec2(`vpc/${s.vpcId}`) },
    { Sid: "CreateTaggedSecurityGroup", Effect: "Allow", Action: "ec2:CreateSecurityGroup", Resource: securityGroups, Condition: taggedForThisCluster },
    {
      Sid: "TagNewSecurityGroup",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: securityGroups,
      Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", [`aws:RequestTag/${CLUSTER_TAG}`]: s.clusterName } },
    },
    {
      Sid: "RetagOwnSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: securityGroups,
      // The ownership tag itself can never be added or changed afterwards.
      Condition: { ...ownedByThisCluster, Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true" } },
    },
    {
      // Rules on the node and cluster security groups too (they carry no controller
      // tag), so limited to security groups in this VPC.
      Sid: "SecurityGroupRulesInVpc",
      Effect: "Allow",
      Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      Resource: securityGroups,
      Condition: { ArnEquals: { "ec2:Vpc": ec2(`vpc/${s.vpcId}`) } },
    },
    { Sid: "DeleteOwnSecurityGroups", Effect: "Allow", Action: "ec2:DeleteSecurityGroup", Resource: securityGroups, Condition: ownedByThisCluster },
    {
      Sid: "CreateTaggedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: [...loadBalancers, targetGroups],
      Condition: taggedForThisCluster,
    },
    {
      Sid: "TagOnCreate",
      Effect: "Allow",
      Action: "elasticloadbalancing:AddTags",
      Resource: [...loadBalancers, targetGroups],
      Condition: {
        StringEquals: {
          "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
          [`aws:RequestTag/${CLUSTER_TAG}`]: s.clusterName,
        },
      },
    },
    {
      Sid: "RetagOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [...loadBalancers, targetGroups],
      Condition: { ...ownedByThisCluster, Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true" } },
    },
    {
      Sid: "ManageOwnLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ],
      Resource: [...loadBalancers, targetGroups],
      Condition: ownedByThisCluster,
    },
    {
      // Listeners are created on, and WAF ACLs set on, this cluster's load balancers only.
      Sid: "ListenersOnOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:SetWebAcl"],
      Resource: loadBalancers,
      Condition: ownedByThisCluster,
    },
    {
      // Listener and rule ARNs carry no ownership tag to condition on (upstream grants
      // these on `*`); they are at least held to this region and account. Tagging here
      // covers listeners and rules only: load balancer and target group tags stay under
      // the conditions above, so no other cluster's load balancer can be claimed.
      Sid: "ListenersAndRules",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
      ],
      Resource: listeners,
    },
    {
      // Only this cluster's target groups. A TargetGroupBinding to a target group made
      // outside the cluster needs that group tagged elbv2.k8s.aws/cluster=<cluster>.
      Sid: "Targets",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: targetGroups,
      Condition: ownedByThisCluster,
    },
  ];
  return { Version: "2012-10-17", Statement: statements };
}

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
export function loadBalancerControllerValues(settings: LoadBalancerControllerSettings, input: LbcValuesInput): HelmValues {
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
    serviceMutatorWebhookConfig: { failurePolicy: "Fail", objectSelector: { matchExpressions: [{ key: "k8s-app", operator: "NotIn", values: ["kube-dns"] }] } },
    serviceAccount: { create: true, name: LBC_SERVICE_ACCOUNT, annotations: input.serviceAccountAnnotations },
    defaultTags: { ...input.tags },
    // WAF classic and Shield Advanced are not used: their permissions are not granted.
    enableShield: false,
    enableWaf: false,
    enableWafv2: true,
    controllerConfig: { featureGates: { NLBGatewayAPI: settings.gatewayApi, ALBGatewayAPI: settings.gatewayApi } },
  };
}

/** The load balancer controller plugin. */
export const loadBalancerController: Plugin<typeof loadBalancerControllerSettingsSchema, undefined, Record<string, never>> = {
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
