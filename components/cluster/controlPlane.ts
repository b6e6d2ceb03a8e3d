/**
 * The EKS control plane: Phoenix's own service role, the secrets key (its policy names
 * the role before the cluster exists), the control-plane log group under a key of the
 * stack, the `@pulumi/eks` cluster with access entries, and the API's reach from a
 * self-hosted deploy runner.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { kubernetesVersion } from "../catalog";
import type { WorkloadIdentityProvider } from "../identity";
import { eksAccessEntries } from "./access";
import type { Build } from "./build";
import {
  clusterRolePolicies,
  clusterRoleTrust,
  controlPlaneLogGroup,
  logsKeyPolicy,
  secretsKeyPolicy,
} from "./hardening";
import type { Network } from "./vpc";

/** What compute and the layers above need of the control plane. */
export interface ControlPlane {
  readonly cluster: eks.Cluster;
  readonly eksName: pulumi.Output<string>;
  /** IRSA rather than Pod Identity. */
  readonly irsa: boolean;
  readonly identity: WorkloadIdentityProvider;
}

/** What the cluster needs before it exists: its service role, the secrets key naming it, and the log group under a key of the stack. */
function prerequisites(b: Build): {
  clusterRole: aws.iam.Role;
  clusterRoleAttachments: aws.iam.RolePolicyAttachment[];
  secretsKey: aws.kms.Key;
  logGroup: aws.cloudwatch.LogGroup;
} {
  const { name, args, parent, tags, partition, region, accountId, autoMode, managed } = b;
  // The cluster role is Phoenix's own, not the one the remote component would make
  // inside its plugin: the secrets key's policy must name it before the cluster exists.
  const clusterRole = new aws.iam.Role(
    `${name}-cluster`,
    {
      description: `Service role of EKS cluster ${args.clusterName}`,
      assumeRolePolicy: partition.dnsSuffix.apply((suffix) => JSON.stringify(clusterRoleTrust(suffix, autoMode))),
      tags,
    },
    parent,
  );
  const clusterRoleAttachments = clusterRolePolicies(autoMode).map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-cluster-${policy}`,
        { role: clusterRole.name, policyArn: managed(policy) },
        parent,
      ),
  );
  const secretsKey = new aws.kms.Key(
    `${name}-secrets`,
    {
      description: `Envelope encryption of Kubernetes secrets for EKS cluster ${args.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi
        .all([partition.partition, partition.dnsSuffix, accountId, region, clusterRole.arn])
        .apply(([p, dnsSuffix, account, r, clusterRoleArn]) =>
          JSON.stringify(secretsKeyPolicy({ partition: p, dnsSuffix, accountId: account, region: r, clusterRoleArn })),
        ),
      tags,
    },
    parent,
  );
  new aws.kms.Alias(
    `${name}-secrets`,
    { name: `alias/${args.clusterName}-eks-secrets`, targetKeyId: secretsKey.keyId },
    parent,
  );
  // The control plane's audit logs name users, roles and objects: encrypted with a key
  // of the stack, usable by CloudWatch Logs for this log group only.
  const logsKey = new aws.kms.Key(
    `${name}-logs`,
    {
      description: `Encryption of the control-plane log group of EKS cluster ${args.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi
        .all([partition.partition, partition.dnsSuffix, accountId, region])
        .apply(([p, dnsSuffix, account, r]) =>
          JSON.stringify(
            logsKeyPolicy({
              partition: p,
              dnsSuffix,
              accountId: account,
              region: r,
              logGroup: controlPlaneLogGroup(args.clusterName),
            }),
          ),
        ),
      tags,
    },
    parent,
  );
  // Made before the cluster: EKS would otherwise create it on first write, with no
  // retention, keeping audit logs (and their cost) forever.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-control-plane`,
    {
      name: controlPlaneLogGroup(args.clusterName),
      retentionInDays: args.logRetentionDays,
      kmsKeyId: logsKey.arn,
      tags,
    },
    parent,
  );

  return { clusterRole, clusterRoleAttachments, secretsKey, logGroup };
}

/** The private endpoint opened on 443 to a self-hosted deploy runner's ranges (phoenix:runner). */
function apiClientRules(b: Build, cluster: eks.Cluster): void {
  const { name, args, parent, tags } = b;
  // The private endpoint's ENIs carry the EKS-created cluster security group, which
  // admits only itself (EKS user guide, "Amazon EKS security group requirements").
  for (const [i, cidr] of (args.endpoint.privateClientCidrs ?? []).entries()) {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-client-${i}`,
      {
        // The EKS-created group, as skipDefaultSecurityGroups is set (pulumi-eks cluster.d.ts, clusterSecurityGroupId).
        securityGroupId: cluster.clusterSecurityGroupId,
        cidrIpv4: cidr,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "Kubernetes API from the deploy runner (phoenix:runner.cidrs)",
        tags,
      },
      parent,
    );
  }
}

/** Builds the control plane of one cluster. */
export function buildControlPlane(b: Build, net: Network): ControlPlane {
  const { name, args, parent, tags, partition } = b;
  const { vpc, publicSubnets, privateSubnets } = net;
  const { clusterRole, clusterRoleAttachments, secretsKey, logGroup } = prerequisites(b);
  const irsa = args.identityMode === "irsa";
  const cluster = new eks.Cluster(
    `${name}-eks`,
    {
      name: args.clusterName,
      version: kubernetesVersion,
      vpcId: vpc.id,
      publicSubnetIds: publicSubnets.map((s) => s.id),
      privateSubnetIds: privateSubnets.map((s) => s.id),
      // Access entries only, no aws-auth ConfigMap (pulumi-eks ClusterArgs `authenticationMode`; EKS user guide, "Access entries").
      authenticationMode: eks.AuthenticationMode.Api,
      accessEntries: eksAccessEntries(
        args.accessEntries,
        (policy) => pulumi.interpolate`arn:${partition.partition}:eks::aws:cluster-access-policy/${policy}`,
      ),
      encryptionConfigKeyArn: secretsKey.arn,
      serviceRole: clusterRole,
      enabledClusterLogTypes: [...args.logTypes],
      endpointPrivateAccess: args.endpoint.privateAccess,
      endpointPublicAccess: args.endpoint.publicAccess,
      publicAccessCidrs: args.endpoint.publicAccess ? [...args.endpoint.publicAccessCidrs] : undefined,
      deletionProtection: args.deletionProtection,
      // Compute and add-ons are declared below, visibly and pinned, instead of inside
      // the remote component (`eks:index:Cluster` runs in its provider plugin), where a preview cannot show them.
      skipDefaultNodeGroup: true,
      bootstrapSelfManagedAddons: false,
      corednsAddonOptions: { enabled: false },
      kubeProxyAddonOptions: { enabled: false },
      useDefaultVpcCni: true,
      autoMode:
        args.compute.mode === "autoMode"
          ? { enabled: true, computeConfig: { nodePools: [...args.compute.nodePools] } }
          : undefined,
      // Pod Identity (the default) needs no OIDC provider; IRSA does.
      createOidcProvider: irsa,
      // Managed node groups and Auto Mode use the EKS-created cluster security group;
      // the component's own node/cluster groups would sit unused.
      skipDefaultSecurityGroups: true,
      tags,
    },
    { ...parent, dependsOn: [logGroup, ...clusterRoleAttachments] },
  );
  const eksName = cluster.eksCluster.name;
  apiClientRules(b, cluster);
  const identity: WorkloadIdentityProvider = irsa
    ? { mode: "irsa", oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer }
    : { mode: "podIdentity" };
  return { cluster, eksName, irsa, identity };
}
