/** The load balancer controller's IAM policy, narrowed to this cluster's own load balancers. */
import type { PolicyDocument, PolicyStatement } from "../../identity";

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

/** Actions with no resource scope in EC2, ELB, ACM, IAM, Cognito and WAF: on `*`. */
const DESCRIBE_ACTIONS = [
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
];

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
  const a = arnsOf(s);
  const statements: PolicyStatement[] = [
    {
      Sid: "ElbServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:${s.partition}:iam::${s.accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    { Sid: "Describe", Effect: "Allow", Action: DESCRIBE_ACTIONS, Resource: "*" },
    {
      // WAF checks elasticloadbalancing:SetWebAcl on the load balancer as well, which is
      // granted only on this cluster's load balancers (ListenersOnOwnLoadBalancers).
      Sid: "WafV2OnOwnLoadBalancers",
      Effect: "Allow",
      Action: ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
      Resource: [a.webAcls, ...a.loadBalancers],
    },
    ...securityGroupStatements(s, a),
    ...loadBalancerStatements(s, a),
  ];
  return { Version: "2012-10-17", Statement: statements };
}

/** The ARNs and conditions the statements share, in this partition, region and account. */
function arnsOf(s: LbcScope) {
  const ec2 = (r: string): string => `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${r}`;
  const elb = (r: string): string => `arn:${s.partition}:elasticloadbalancing:${s.region}:${s.accountId}:${r}`;
  const securityGroups = ec2("security-group/*");
  const loadBalancers = [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*")];
  const targetGroups = elb("targetgroup/*/*");
  const listeners = [
    elb("listener/app/*/*/*"),
    elb("listener/net/*/*/*"),
    elb("listener-rule/app/*/*/*/*"),
    elb("listener-rule/net/*/*/*/*"),
  ];
  const ownedByThisCluster = { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: s.clusterName } };
  const taggedForThisCluster = { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: s.clusterName } };
  const webAcls = `arn:${s.partition}:wafv2:${s.region}:${s.accountId}:regional/webacl/*/*`;
  return {
    ec2,
    securityGroups,
    loadBalancers,
    targetGroups,
    listeners,
    webAcls,
    ownedByThisCluster,
    taggedForThisCluster,
  };
}

type Arns = ReturnType<typeof arnsOf>;

/** Security groups: created in this VPC tagged for this cluster, changed and deleted only when its own. */
function securityGroupStatements(s: LbcScope, a: Arns): PolicyStatement[] {
  const { ec2, securityGroups, ownedByThisCluster, taggedForThisCluster } = a;
  return [
    // CreateSecurityGroup is authorised on the VPC and on the new group: in this VPC only,
    // and the group must be tagged for this cluster as it is created.
    {
      Sid: "CreateSecurityGroupInVpc",
      Effect: "Allow",
      Action: "ec2:CreateSecurityGroup",
      Resource: ec2(`vpc/${s.vpcId}`),
    },
    {
      Sid: "CreateTaggedSecurityGroup",
      Effect: "Allow",
      Action: "ec2:CreateSecurityGroup",
      Resource: securityGroups,
      Condition: taggedForThisCluster,
    },
    {
      Sid: "TagNewSecurityGroup",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: securityGroups,
      Condition: {
        StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", [`aws:RequestTag/${CLUSTER_TAG}`]: s.clusterName },
      },
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
    {
      Sid: "DeleteOwnSecurityGroups",
      Effect: "Allow",
      Action: "ec2:DeleteSecurityGroup",
      Resource: securityGroups,
      Condition: ownedByThisCluster,
    },
  ];
}

/** Load balancers, target groups, listeners and targets: only this cluster's. */
function loadBalancerStatements(s: LbcScope, a: Arns): PolicyStatement[] {
  const { loadBalancers, targetGroups, listeners, ownedByThisCluster, taggedForThisCluster } = a;
  return [
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
}
