/**
 * IAM: identity policies without wildcards where they matter, and trust policies of
 * workload roles conditioned on who may assume them.
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import {
  conditionKeys,
  isComputed,
  isRecord,
  list,
  policyDocument,
  statementsOf,
  strings,
  type PhoenixPolicy,
} from "./common";

/** Services where one wildcard grants control of data, keys, identities or the network. */
export const SENSITIVE_SERVICES = [
  "iam",
  "sts",
  "kms",
  "s3",
  "secretsmanager",
  "ssm",
  "ec2",
  "eks",
  "route53",
  "organizations",
  "lambda",
  "cloudtrail",
  "logs",
  "elasticloadbalancing",
];

/**
 * Actions that take a resource scope (IAM Service Authorization Reference, per service),
 * for which `Resource: "*"` grants more than any one workload needs. Deliberately the
 * data, key, secret and identity actions only: reads and describes that AWS offers no
 * scope for (ec2:Describe*, route53:ListHostedZones) keep `*`.
 */
const lower = (names: readonly string[]): string[] => names.map((n) => n.toLowerCase());
// Called with the action's name lower-cased: IAM compares action names case-insensitively.
const SCOPED_ACTION: Readonly<Record<string, (action: string) => boolean>> = {
  s3: (a) =>
    !lower([
      "ListAllMyBuckets",
      "GetAccountPublicAccessBlock",
      "PutAccountPublicAccessBlock",
      "ListAccessPoints",
      "ListJobs",
      "CreateJob",
      "ListMultiRegionAccessPoints",
      "ListStorageLensConfigurations",
    ]).includes(a),
  kms: (a) =>
    !lower([
      "CreateKey",
      "ListKeys",
      "ListAliases",
      "GenerateRandom",
      "ListRetirableGrants",
      "CreateCustomKeyStore",
      "DescribeCustomKeyStores",
      "ConnectCustomKeyStore",
      "DisconnectCustomKeyStore",
      "DeleteCustomKeyStore",
      "UpdateCustomKeyStore",
    ]).includes(a),
  secretsmanager: (a) => !lower(["GetRandomPassword", "ListSecrets", "BatchGetSecretValue"]).includes(a),
  ssm: (a) => /^(GetParameters?|GetParametersByPath|PutParameter|DeleteParameters?|SendCommand|StartSession)$/i.test(a),
  iam: (a) => /^(PassRole|Create|Delete|Attach|Detach|Put|Update|Add|Remove|Tag|Untag)/i.test(a),
  sts: (a) => a === "assumerole",
  route53: (a) =>
    lower(["ChangeResourceRecordSets", "ListResourceRecordSets", "GetHostedZone", "DeleteHostedZone"]).includes(a),
};

/** Identity policy documents of a resource: inline role, user and group policies, managed policies, a role's inline policies. */
function identityPolicies(args: Pick<ResourceValidationArgs, "type" | "props">): Record<string, unknown>[] {
  const p = args.props;
  switch (args.type) {
    case "aws:iam/rolePolicy:RolePolicy":
    case "aws:iam/userPolicy:UserPolicy":
    case "aws:iam/groupPolicy:GroupPolicy":
    case "aws:iam/policy:Policy":
      return [policyDocument(p.policy)].filter(isRecord);
    case "aws:iam/role:Role":
      return list(p.inlinePolicies)
        .filter(isRecord)
        .map((ip) => policyDocument(ip.policy))
        .filter(isRecord);
    default:
      return [];
  }
}

/** What is too wide in one Allow statement. */
export function wildcardProblems(statement: Record<string, unknown>): string[] {
  if (statement.Effect !== "Allow") return [];
  const label = typeof statement.Sid === "string" ? `statement ${statement.Sid}` : "a statement";
  const problems: string[] = [];
  // NotAction and NotResource allow everything but what they list: wildcards in all but name.
  if (statement.NotAction !== undefined)
    problems.push(`${label} allows everything but its NotAction: list the actions it needs`);
  if (statement.NotResource !== undefined)
    problems.push(`${label} allows every resource but its NotResource: name the ARNs it needs`);
  if (problems.length > 0) return problems;
  const actions = strings(statement.Action);
  const wideResource = strings(statement.Resource).includes("*");
  // IAM compares action names case-insensitively: "S3:*" is "s3:*".
  for (const action of actions) {
    if (action === "*") {
      problems.push(`${label} allows every action (*)`);
      continue;
    }
    const [rawService, rawName = ""] = action.split(":");
    const [service, name] = [rawService.toLowerCase(), rawName.toLowerCase()];
    if (SENSITIVE_SERVICES.includes(service) && name.includes("*"))
      problems.push(
        `${label} allows ${action}, a wildcard on the sensitive service ${service}: list the actions it needs`,
      );
    else if (wideResource && SCOPED_ACTION[service]?.(name))
      problems.push(`${label} allows ${action} on every resource (*), though IAM can scope it: name the ARNs`);
  }
  return problems;
}

/**
 * The AWS managed policies a Phoenix stack may attach, by name: the EKS cluster and node
 * roles', Auto Mode's, the VPC CNI's and the EBS CSI driver's (EKS user guide, "Amazon EKS
 * cluster IAM role", "Amazon EKS node IAM role", "AWS managed policies for Amazon EKS").
 * A managed policy is written by AWS and grows with it; each one here was read and found
 * no wider than its component needs. Add one only with that reading in review.
 */
export const MANAGED_POLICY_ALLOW_LIST: readonly string[] = [
  "AmazonEKSClusterPolicy",
  "AmazonEKSComputePolicy",
  "AmazonEKSBlockStoragePolicy",
  "AmazonEKSLoadBalancingPolicy",
  "AmazonEKSNetworkingPolicy",
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKSWorkerNodeMinimalPolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonSSMManagedInstanceCore",
  "AmazonEKS_CNI_Policy",
  "AmazonEBSCSIDriverPolicyV2",
];

const ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];

/** The policy ARNs a resource attaches: an attachment's, an exclusive attachment's list, a role's managedPolicyArns. */
function attachedPolicyArns(args: Pick<ResourceValidationArgs, "type" | "props">): string[] {
  if (ATTACHMENT_TYPES.includes(args.type)) return strings(args.props.policyArn);
  if (args.type === "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive")
    return strings(args.props.policyArns);
  if (args.type === "aws:iam/role:Role") return strings(args.props.managedPolicyArns);
  return [];
}

/**
 * What is wrong with attaching `arn`: an AWS managed policy off the allow-list. A
 * customer-managed policy (an ARN only the cloud knows before the first deploy, the
 * account's own after it) is judged by its document where the stack creates it
 * (`aws:iam/policy:Policy`); a resource rule cannot tell one the stack creates from one
 * it does not, so it does not guess.
 */
export function attachmentProblem(arn: string): string | undefined {
  if (isComputed(arn)) return undefined;
  const managed = /^arn:[a-z-]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!managed) return undefined;
  if (!MANAGED_POLICY_ALLOW_LIST.includes(managed[1]))
    return `attaches the AWS managed policy ${managed[1]}, which is not on the allow-list (policy/rules/iam.ts, MANAGED_POLICY_ALLOW_LIST): write the actions the component calls instead`;
  return undefined;
}

/** Mandatory: no identity policy statement grants a wildcard action on a sensitive service, or a wildcard resource where a scope exists. */
export const iamNoWildcards: PhoenixPolicy = {
  name: "iam-no-wildcards",
  description:
    'No IAM statement grants a wildcard action on a sensitive service (iam, sts, kms, s3, secrets, ec2, eks, ...), everything but a NotAction or NotResource, or Resource "*" for an action IAM can scope to named ARNs; no role gets an AWS managed policy off the allow-list: each workload role holds exactly what its component calls.',
  enforcementLevel: "mandatory",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    for (const doc of identityPolicies(args))
      for (const s of statementsOf(doc)) for (const p of wildcardProblems(s)) report(p);
    for (const arn of attachedPolicyArns(args)) {
      const problem = attachmentProblem(arn);
      if (problem) report(problem);
    }
  },
};

/** The session tags EKS Pod Identity sets when it assumes a role (EKS user guide, "Pod Identity session tags"). */
export const POD_IDENTITY_TAGS = {
  clusterArn: "aws:RequestTag/eks-cluster-arn",
  clusterName: "aws:RequestTag/eks-cluster-name",
  namespace: "aws:RequestTag/kubernetes-namespace",
  serviceAccount: "aws:RequestTag/kubernetes-service-account",
} as const;

const POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";

/** What one trust statement lacks: Pod Identity's session-tag conditions, or IRSA's subject and audience. */
export function trustProblems(statement: Record<string, unknown>): string[] {
  if (statement.Effect !== "Allow") return [];
  // "*" (or AWS "*") is every principal of every account: conditions narrow it, but one
  // mistake in them and anyone may assume the role (IAM user guide, "AWS JSON policy
  // elements: Principal", anonymous users).
  if (
    statement.Principal === "*" ||
    (isRecord(statement.Principal) && strings(statement.Principal.AWS).includes("*"))
  ) {
    return ['lets any AWS principal of any account assume it (Principal "*"): name the roles or accounts that may'];
  }
  if (!isRecord(statement.Principal)) return [];
  const principal = statement.Principal;
  const exact = conditionKeys(statement, ["StringEquals"]);
  if (strings(principal.Service).includes(POD_IDENTITY_SERVICE)) {
    const problems: string[] = [];
    if (!strings(statement.Action).includes("sts:TagSession"))
      problems.push("lacks sts:TagSession, which Pod Identity needs to pass its session tags");
    // The cluster's ARN, not its name: a same-named cluster in another region or account would match a name.
    const need = [
      POD_IDENTITY_TAGS.clusterArn,
      POD_IDENTITY_TAGS.namespace,
      POD_IDENTITY_TAGS.serviceAccount,
      "aws:SourceAccount",
    ];
    const missing: string[] = need.filter((k) => !exact.has(k.toLowerCase()));
    if (missing.length > 0)
      problems.push(
        `lets any Pod Identity association in the account assume it: add StringEquals conditions on ${missing.join(", ")}`,
      );
    return problems;
  }
  if (strings(principal.Federated).length > 0 && strings(statement.Action).includes("sts:AssumeRoleWithWebIdentity")) {
    const keys = [...exact.keys()];
    if (!keys.some((k) => k.endsWith(":sub")) || !keys.some((k) => k.endsWith(":aud"))) {
      return [
        "lets any service account of the OIDC issuer assume it: add StringEquals conditions on <issuer>:sub and <issuer>:aud",
      ];
    }
  }
  return [];
}

/** Mandatory: the trust of every workload role names the cluster, namespace and service account. */
export const podIdentityTrustConditioned: PhoenixPolicy = {
  name: "pod-identity-trust-conditioned",
  description:
    'A role EKS Pod Identity (or IRSA) assumes is conditioned on the cluster, namespace and service account (the session tags EKS sets; IRSA\'s sub and aud): otherwise any association in the account can hand its credentials to any pod. No role trusts every principal (Principal "*").',
  enforcementLevel: "mandatory",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== "aws:iam/role:Role") return;
    for (const s of statementsOf(policyDocument(args.props.assumeRolePolicy)))
      for (const p of trustProblems(s)) report(`trust policy ${p}`);
  },
};
