/**
 * AWS identity of in-cluster components, shared by the cluster and plugins layers:
 * pure policy documents, and one helper that gives a Kubernetes service account its
 * own IAM role.
 *
 * EKS Pod Identity is the default: its trust names no OIDC issuer, only the session tags
 * EKS sets (cluster, namespace, service account), which the stack knows before the
 * cluster exists. IRSA is the option for clusters that must use it (e.g. a Pod Identity
 * agent that cannot run); its trust names the cluster's OIDC issuer and the exact
 * service account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One IAM policy statement. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: { readonly Service: string } | { readonly Federated: string } | { readonly AWS: string } | "*";
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** The cluster a Pod Identity role trusts: its ARN (unique, unlike a name a second account or region may reuse) and its account. */
export interface TrustedCluster {
  readonly arn: string;
  readonly accountId: string;
}

/** An EKS cluster's ARN, known before the cluster exists. */
export function clusterArnOf(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:eks:${region}:${accountId}:cluster/${name}`;
}

/**
 * Trust policy of a role assumed through EKS Pod Identity: only for the given service
 * account of the given cluster. EKS Pod Identity tags the session with the cluster's
 * ARN, namespace and service account of the association (sts:TagSession is what lets
 * it), and the trust matches those tags, on the cluster's ARN rather than its name (a
 * same-named cluster in another region or account would match a name), and on the
 * account the request comes from (`aws:SourceAccount`, against a confused deputy);
 * without them any association could hand the role to any pod (EKS user guide, "Create
 * IAM role with trust policy required by EKS Pod Identity"; "Pod Identity session tags").
 */
export function podIdentityTrustPolicy(
  cluster: TrustedCluster,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": cluster.accountId,
            "aws:RequestTag/eks-cluster-arn": cluster.arn,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
          },
        },
      },
    ],
  };
}

/**
 * Trust policy of a role assumed through IRSA: only the given service account of the
 * given cluster's OIDC issuer, and only for STS as audience.
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  oidcIssuer: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  const issuer = oidcIssuer.replace(/^https:\/\//, "");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}

/** How pods get AWS credentials in this cluster. */
export type IdentityMode = "podIdentity" | "irsa";

/** What a layer needs to give workloads AWS identities. */
export type WorkloadIdentityProvider =
  | { readonly mode: "podIdentity" }
  | {
      readonly mode: "irsa";
      /** ARN of the cluster's IAM OIDC provider. */
      readonly oidcProviderArn: pulumi.Input<string>;
      /** The cluster's OIDC issuer URL. */
      readonly oidcIssuer: pulumi.Input<string>;
    };

/** The service-account annotation IRSA reads the role from. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** What `workloadIdentity` needs. */
export interface WorkloadIdentityArgs {
  /** Human description of the role (shown in IAM). */
  readonly description: string;
  /** EKS cluster the service account lives in. */
  readonly clusterName: pulumi.Input<string>;
  /** Where the cluster is: its ARN names them, and the trust matches that ARN. */
  readonly partition: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  /** Namespace and name of the service account. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** How the cluster hands out identities. */
  readonly provider: WorkloadIdentityProvider;
  /** The role's inline policy. */
  readonly policy?: pulumi.Input<PolicyDocument>;
  /** An AWS managed policy instead, where AWS maintains what a driver needs (EBS CSI). */
  readonly managedPolicyArn?: pulumi.Input<string>;
  /** Tags of the IAM resources. */
  readonly tags: Readonly<Record<string, string>>;
  /** IAM path of the role (default `/`), where a resource policy admits roles by path. */
  readonly path?: string;
}

/** A service account's AWS identity. */
export interface WorkloadIdentity {
  /** The role. */
  readonly role: aws.iam.Role;
  /** Annotations the service account must carry (IRSA's role ARN; none for Pod Identity). */
  readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Everything a workload must wait for before it can call AWS. */
  readonly ready: pulumi.Resource[];
}

/**
 * One IAM role per service account, with its own inline policy (never a shared one, so
 * each policy is exactly what its component needs), bound through a Pod Identity
 * association or an IRSA trust. With IRSA the trust is the binding, so no association
 * is made and the service account carries the role annotation instead.
 */
export function workloadIdentity(
  name: string,
  args: WorkloadIdentityArgs,
  opts: pulumi.CustomResourceOptions,
): WorkloadIdentity {
  const p = args.provider;
  const trust =
    p.mode === "podIdentity"
      ? pulumi
          .all([args.clusterName, args.partition, args.region, args.accountId])
          .apply(([cluster, partition, region, accountId]) =>
            JSON.stringify(
              podIdentityTrustPolicy(
                { arn: clusterArnOf(partition, region, accountId, cluster), accountId },
                args.namespace,
                args.serviceAccount,
              ),
            ),
          )
      : pulumi
          .all([p.oidcProviderArn, p.oidcIssuer])
          .apply(([arn, issuer]) => JSON.stringify(irsaTrustPolicy(arn, issuer, args.namespace, args.serviceAccount)));
  const role = new aws.iam.Role(
    name,
    {
      description: `${args.description} (${p.mode === "podIdentity" ? "EKS Pod Identity" : "IRSA"})`,
      assumeRolePolicy: trust,
      ...(args.path ? { path: args.path } : {}),
      tags: { ...args.tags },
    },
    opts,
  );
  const policy = args.policy
    ? new aws.iam.RolePolicy(
        name,
        { role: role.name, policy: pulumi.output(args.policy).apply((doc) => JSON.stringify(doc)) },
        opts,
      )
    : args.managedPolicyArn
      ? new aws.iam.RolePolicyAttachment(name, { role: role.name, policyArn: args.managedPolicyArn }, opts)
      : undefined;
  if (!policy) throw new Error(`workload identity ${name}: give it a policy or a managed policy ARN`);
  if (p.mode === "irsa") {
    return {
      role,
      serviceAccountAnnotations: role.arn.apply((arn): Record<string, string> => ({ [IRSA_ROLE_ANNOTATION]: arn })),
      ready: [policy],
    };
  }
  const association = new aws.eks.PodIdentityAssociation(
    name,
    {
      clusterName: args.clusterName,
      namespace: args.namespace,
      serviceAccount: args.serviceAccount,
      roleArn: role.arn,
      tags: { ...args.tags },
    },
    opts,
  );
  return { role, serviceAccountAnnotations: pulumi.output<Record<string, string>>({}), ready: [policy, association] };
}
