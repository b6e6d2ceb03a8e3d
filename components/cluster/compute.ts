/**
 * The cluster's compute: managed node groups on a hardened launch template, with the EKS
 * managed add-ons in the order nodes need them and the CNI and EBS CSI driver under
 * identities of their own; with EKS Auto Mode, nothing (it runs them itself).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { addons, type AddonPin } from "../catalog";
import { workloadIdentity, type WorkloadIdentity } from "../identity";
import type { Build } from "./build";
import type { ControlPlane } from "./controlPlane";
import { NODE_METADATA_OPTIONS, nodeBlockDevices } from "./hardening";
import type { NodeGroupArgs } from "./args";
import type { Network } from "./vpc";

/** Service account of the EBS CSI controller, as the managed add-on creates it. */
const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";

/** Service account of the VPC CNI's daemon (aws-node), as the managed add-on creates it. */
const VPC_CNI_SERVICE_ACCOUNT = "aws-node";

type Addon = (pin: AddonPin, dependsOn: pulumi.Resource[], extra?: Partial<aws.eks.AddonArgs>) => aws.eks.Addon;

/** Declares a pinned managed add-on of the cluster. */
export function addonOf(b: Build, cp: ControlPlane): Addon {
  return (pin, dependsOn, extra = {}) =>
    new aws.eks.Addon(
      `${b.name}-${pin.name}`,
      {
        clusterName: cp.eksName,
        addonName: pin.name,
        addonVersion: pin.version,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        tags: b.tags,
        ...extra,
      },
      { ...b.parent, dependsOn },
    );
}

/** An add-on's own AWS identity in kube-system, with an AWS managed policy. */
function addonIdentity(
  b: Build,
  cp: ControlPlane,
  id: string,
  what: string,
  serviceAccount: string,
  policy: string,
): WorkloadIdentity {
  return workloadIdentity(
    `${b.name}-${id}`,
    {
      description: `${what} of EKS cluster ${b.args.clusterName}`,
      clusterName: cp.eksName,
      partition: b.partition.partition,
      region: b.region,
      accountId: b.accountId,
      namespace: "kube-system",
      serviceAccount,
      provider: cp.identity,
      managedPolicyArn: b.managed(policy),
      tags: b.tags,
    },
    b.parent,
  );
}

/**
 * Networking first: nodes only become Ready once the CNI and kube-proxy run. The Pod
 * Identity agent comes with them: aws-node takes its credentials from it. The CNI's AWS
 * rights belong to its own service account, not to every pod's node role (EKS user
 * guide, "Configure the Amazon VPC CNI plugin to use IRSA"; the add-on takes Pod
 * Identity too).
 */
function networkAddons(b: Build, cp: ControlPlane, addon: Addon): aws.eks.Addon[] {
  const cni = addonIdentity(b, cp, "vpc-cni", "VPC CNI (aws-node)", VPC_CNI_SERVICE_ACCOUNT, "AmazonEKS_CNI_Policy");
  return [
    addon(addons.vpcCni, [cp.cluster, ...cni.ready], {
      // The CNI's network policy agent enforces NetworkPolicies (EKS user guide,
      // "Limit pod traffic with Kubernetes network policies").
      configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
      ...(cp.irsa ? { serviceAccountRoleArn: cni.role.arn } : {}),
    }),
    addon(addons.kubeProxy, [cp.cluster]),
    addon(addons.podIdentityAgent, [cp.cluster]),
  ];
}

/** The node role every managed node group uses. */
function nodeRoleOf(b: Build): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
  const { name, args, parent, tags, partition, managed } = b;
  const role = new aws.iam.Role(
    `${name}-node`,
    {
      description: `Managed node groups of EKS cluster ${args.clusterName}`,
      assumeRolePolicy: partition.dnsSuffix.apply((suffix) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: `ec2.${suffix}` }, Action: "sts:AssumeRole" }],
        }),
      ),
      tags,
    },
    parent,
  );
  // AmazonEC2ContainerRegistryPullOnly is the narrower successor of ReadOnly for nodes.
  // No AmazonEKS_CNI_Policy: the CNI has its own identity.
  const nodePolicies = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
  ];
  const attachments = nodePolicies.map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-node-${policy}`,
        { role: role.name, policyArn: managed(policy) },
        parent,
      ),
  );
  return { role, attachments };
}

/** One managed node group on its hardened launch template. */
function nodeGroupOf(
  b: Build,
  net: Network,
  cp: ControlPlane,
  g: NodeGroupArgs,
  role: aws.iam.Role,
  after: pulumi.Resource[],
): aws.eks.NodeGroup {
  const { name, args, parent, tags } = b;
  // A launch template without an AMI or user data: EKS still picks the AMI of amiType
  // and bootstraps the node (EKS user guide, "Customize managed nodes with launch
  // templates"); the template only sets metadata options and volumes.
  const template = new aws.ec2.LaunchTemplate(
    `${name}-${g.name}`,
    {
      description: `Nodes of group ${g.name} of EKS cluster ${args.clusterName}: IMDSv2 only, hop limit 1, encrypted gp3`,
      metadataOptions: { ...NODE_METADATA_OPTIONS },
      blockDeviceMappings: nodeBlockDevices(g.amiType, g.diskSizeGiB).map((d) => ({
        deviceName: d.deviceName,
        ebs: { ...d.ebs },
      })),
      updateDefaultVersion: true,
      tags,
    },
    parent,
  );
  return new aws.eks.NodeGroup(
    `${name}-${g.name}`,
    {
      clusterName: cp.eksName,
      nodeGroupName: g.name,
      nodeRoleArn: role.arn,
      subnetIds: net.privateSubnets.map((s) => s.id),
      instanceTypes: [...g.instanceTypes],
      capacityType: g.capacityType,
      amiType: g.amiType,
      // The volume size lives in the launch template: EKS refuses diskSize beside one.
      launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
      scalingConfig: { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      labels: { ...g.labels, "phoenix.platform/node-group": g.name },
      tags,
    },
    // desiredSize stays Pulumi's: no autoscaler runs yet (one that does must then own it).
    // The CNI first: without it nodes never turn Ready and the group fails to create
    // (EKS user guide, "Amazon VPC CNI"). Egress too: nodes pull images through NAT.
    { ...parent, dependsOn: after },
  );
}

/**
 * Builds the compute of one cluster; returns what workloads need before they can run:
 * nodes, and the CNI that makes them Ready. EKS Auto Mode brings both with the cluster
 * and runs networking, DNS, storage and Pod Identity itself: no add-ons.
 */
export function buildCompute(b: Build, net: Network, cp: ControlPlane): pulumi.Resource[] {
  if (b.args.compute.mode !== "managedNodeGroups") return [cp.cluster];
  const addon = addonOf(b, cp);
  const beforeNodes = networkAddons(b, cp, addon);
  const node = nodeRoleOf(b);
  const nodeGroups = b.args.compute.nodeGroups.map((g) =>
    nodeGroupOf(b, net, cp, g, node.role, [...beforeNodes, ...node.attachments, ...net.privateEgress]),
  );
  // The EBS CSI controller gets its own role. Its policy is AWS's V2 managed policy: it
  // only touches volumes and snapshots tagged ebs.csi.aws.com/cluster=true, and AWS keeps
  // it in step with what each driver release calls.
  const ebs = addonIdentity(b, cp, "ebs-csi", "EBS CSI driver", EBS_CSI_SERVICE_ACCOUNT, "AmazonEBSCSIDriverPolicyV2");
  // CoreDNS and the EBS CSI controller are Deployments: they need nodes to turn ACTIVE.
  // Nothing waits for their add-on status, which takes up to 15 minutes on a new cluster
  // (aws-ia/terraform-aws-eks-blueprints #642): CoreDNS pods run as soon as nodes do, and
  // no Phoenix chart claims a volume at install.
  addon(addons.coredns, nodeGroups);
  // With IRSA the add-on annotates its own service account with the role.
  addon(addons.ebsCsiDriver, [...nodeGroups, ...ebs.ready], cp.irsa ? { serviceAccountRoleArn: ebs.role.arn } : {});
  // A standby's plugins need only its system nodes: a promotion that scales the other
  // groups from zero must not hold back the releases it turns on (./args.ts).
  const { nodeGroups: groups, systemNodeGroup: system } = b.args.compute;
  const ready = system === undefined ? nodeGroups : nodeGroups.filter((_, i) => groups[i].name === system);
  return [cp.cluster, ...beforeNodes, ...ready];
}
