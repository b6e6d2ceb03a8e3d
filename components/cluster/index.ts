/**
 * Layer 1, the cluster: a VPC over the region's first three availability zones, an EKS
 * control plane (`@pulumi/eks` v4, access entries, KMS-encrypted secrets under an
 * explicit key policy, control-plane logs with a retention), its compute (managed node
 * groups on a hardened launch template, or EKS Auto Mode), the EKS managed add-ons, all
 * pinned in the catalog, and the default encrypted gp3 StorageClass. It hands the layers
 * above a `k8s.Provider`.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { addons, kubernetesVersion, type AddonPin } from "../catalog";
import { workloadIdentity, type IdentityMode, type WorkloadIdentityProvider } from "../identity";
import { eksAccessEntries, type AccessEntryInput } from "./access";
import {
  clusterRolePolicies,
  clusterRoleTrust,
  controlPlaneLogGroup,
  logsKeyPolicy,
  DEFAULT_STORAGE_CLASS,
  defaultStorageClass,
  NODE_METADATA_OPTIONS,
  nodeBlockDevices,
  secretsKeyPolicy,
} from "./hardening";
import { AZ_COUNT, planSubnets, subnetTags } from "./network";

/** A managed node group. */
export interface NodeGroupArgs {
  /** Name, unique in the cluster. */
  readonly name: string;
  /** EC2 instance types, most preferred first. */
  readonly instanceTypes: readonly string[];
  /** ON_DEMAND or SPOT. */
  readonly capacityType: "ON_DEMAND" | "SPOT";
  /** EKS-optimized AMI family. */
  readonly amiType: string;
  /** Scaling bounds. */
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root (Bottlerocket: data) volume size in GiB: encrypted gp3 through the launch template. */
  readonly diskSizeGiB: number;
  /** Kubernetes labels on every node. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Service account of the EBS CSI controller, as the managed add-on creates it. */
const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";

/** Service account of the VPC CNI's daemon (aws-node), as the managed add-on creates it. */
const VPC_CNI_SERVICE_ACCOUNT = "aws-node";

/** How the cluster gets its nodes. */
export type ComputeArgs =
  | { readonly mode: "managedNodeGroups"; readonly nodeGroups: readonly NodeGroupArgs[] }
  | { readonly mode: "autoMode"; readonly nodePools: readonly string[] };

/** Arguments of the cluster layer. */
export interface ClusterArgs {
  /** EKS cluster name (also used in subnet tags and resource names). */
  readonly clusterName: string;
  /** VPC IPv4 block: /16 to /20. */
  readonly vpcCidr: string;
  /** One NAT gateway per AZ (survives an AZ outage) or a single, cheaper one. */
  readonly natGateways: "perAz" | "single";
  /** API server endpoint access. */
  readonly endpoint: {
    readonly privateAccess: boolean;
    readonly publicAccess: boolean;
    /** Networks allowed to reach a public endpoint. */
    readonly publicAccessCidrs: readonly string[];
    /** Private ranges outside the cluster (a deploy runner routed to the VPC) allowed to reach the private endpoint on 443. */
    readonly privateClientCidrs?: readonly string[];
  };
  /** Refuse control-plane deletion until this is turned off. */
  readonly deletionProtection: boolean;
  /** Control-plane log types sent to CloudWatch. */
  readonly logTypes: readonly string[];
  /** Days CloudWatch keeps the control-plane logs (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
  /** Node groups or Auto Mode. */
  readonly compute: ComputeArgs;
  /** IAM principals granted Kubernetes access through EKS access entries. */
  readonly accessEntries: readonly AccessEntryInput[];
  /** How workloads get AWS identities; `irsa` makes the cluster's IAM OIDC provider. */
  readonly identityMode?: IdentityMode;
  /** Tags for every AWS resource of the layer. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Layer 1: network, EKS control plane, compute and managed add-ons. */
export class Cluster extends pulumi.ComponentResource {
  /** Kubernetes provider for the layers above; it waits for compute and add-ons to be in place. */
  public readonly provider: k8s.Provider;
  /** EKS cluster name. */
  public readonly clusterName: pulumi.Output<string>;
  /** Kubeconfig (JSON) of the cluster, as a secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** VPC id. */
  public readonly vpcId: pulumi.Output<string>;
  /** Private subnet ids, one per AZ. */
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** What the layers above need to give their service accounts AWS identities. */
  public readonly identity: WorkloadIdentityProvider;
  /** What workloads need before they can run: node groups and the add-ons nodes need to turn Ready (the cluster alone with Auto Mode). */
  public readonly workloadsReady: readonly pulumi.Resource[];

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("phoenix:cluster:Cluster", name, {}, opts);
    const parent = { parent: this };
    const tags = { ...(args.tags ?? {}) };

    // Looked up at run time, never hard-coded: the same code serves every region. The
    // opt-in filter keeps Local and Wavelength Zones out of "the first three".
    const azs = aws.getAvailabilityZonesOutput(
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      parent,
    );
    const azName = (i: number): pulumi.Output<string> =>
      azs.names.apply((names) => {
        if (names.length < AZ_COUNT) {
          throw new Error(`the region has ${names.length} standard availability zones; Phoenix needs ${AZ_COUNT}`);
        }
        return names[i];
      });
    const partition = aws.getPartitionOutput({}, parent);
    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const autoMode = args.compute.mode === "autoMode";
    const managed = (policy: string): pulumi.Output<string> => pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}`;

    // ---- Network -------------------------------------------------------------------
    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: args.clusterName } },
      parent,
    );
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: args.clusterName } }, parent);
    const plans = planSubnets(args.vpcCidr);
    const subnets = plans.map(
      (p) =>
        new aws.ec2.Subnet(
          `${name}-${p.tier}-${p.azIndex}`,
          {
            vpcId: vpc.id,
            cidrBlock: p.cidrBlock,
            availabilityZone: azName(p.azIndex),
            mapPublicIpOnLaunch: false,
            tags: { ...tags, ...subnetTags(p.tier, args.clusterName), Name: `${args.clusterName}-${p.tier}-${p.azIndex}` },
          },
          parent,
        ),
    );
    const tier = (t: "public" | "private"): aws.ec2.Subnet[] => subnets.filter((_, i) => plans[i].tier === t);
    const publicSubnets = tier("public");
    const privateSubnets = tier("private");

    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { ...tags, Name: `${args.clusterName}-public` } },
      parent,
    );
    publicSubnets.forEach(
      (s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }, parent),
    );

    const natCount = args.natGateways === "perAz" ? publicSubnets.length : 1;
    const nats = publicSubnets.slice(0, natCount).map((s, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { ...tags, Name: `${args.clusterName}-nat-${i}` } }, parent);
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { subnetId: s.id, allocationId: eip.id, tags: { ...tags, Name: `${args.clusterName}-nat-${i}` } },
        { ...parent, dependsOn: [igw] },
      );
    });
    // Egress of the private subnets: nodes pull their images through it.
    const privateEgress = privateSubnets.flatMap((s, i) => {
      const rt = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % nats.length].id }],
          tags: { ...tags, Name: `${args.clusterName}-private-${i}` },
        },
        parent,
      );
      return [rt, new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: rt.id }, parent)];
    });

    // ---- Control plane -------------------------------------------------------------
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
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-cluster-${policy}`, { role: clusterRole.name, policyArn: managed(policy) }, parent),
    );
    const secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets for EKS cluster ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi
          .all([partition.partition, partition.dnsSuffix, accountId, region, clusterRole.arn])
          .apply(([p, dnsSuffix, account, r, clusterRoleArn]) => JSON.stringify(secretsKeyPolicy({ partition: p, dnsSuffix, accountId: account, region: r, clusterRoleArn }))),
        tags,
      },
      parent,
    );
    new aws.kms.Alias(`${name}-secrets`, { name: `alias/${args.clusterName}-eks-secrets`, targetKeyId: secretsKey.keyId }, parent);
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
          .apply(([p, dnsSuffix, account, r]) => JSON.stringify(logsKeyPolicy({ partition: p, dnsSuffix, accountId: account, region: r, logGroup: controlPlaneLogGroup(args.clusterName) }))),
        tags,
      },
      parent,
    );
    // Made before the cluster: EKS would otherwise create it on first write, with no
    // retention, keeping audit logs (and their cost) forever.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: controlPlaneLogGroup(args.clusterName), retentionInDays: args.logRetentionDays, kmsKeyId: logsKey.arn, tags },
      parent,
    );

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
        autoMode: autoMode ? { enabled: true, computeConfig: { nodePools: [...args.compute.nodePools] } } : undefined,
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
    this.identity = irsa ? { mode: "irsa", oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer } : { mode: "podIdentity" };

    // ---- Compute and managed add-ons ----------------------------------------------
    // EKS Auto Mode runs networking, DNS, storage and Pod Identity itself: no add-ons.
    // What a chart's pods need before Helm waits on them: nodes, and the CNI that makes
    // them Ready. Auto Mode brings both with the cluster.
    const workloadsReady: pulumi.Resource[] = [cluster];
    if (args.compute.mode === "managedNodeGroups") {
      const addon = (pin: AddonPin, dependsOn: pulumi.Resource[], extra: Partial<aws.eks.AddonArgs> = {}): aws.eks.Addon =>
        new aws.eks.Addon(
          `${name}-${pin.name}`,
          {
            clusterName: eksName,
            addonName: pin.name,
            addonVersion: pin.version,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "PRESERVE",
            tags,
            ...extra,
          },
          { ...parent, dependsOn },
        );
      // The CNI's AWS rights belong to its own service account, not to every pod's node
      // role (EKS user guide, "Configure the Amazon VPC CNI plugin to use IRSA"; the
      // add-on takes Pod Identity too).
      const cni = workloadIdentity(
        `${name}-vpc-cni`,
        {
          description: `VPC CNI (aws-node) of EKS cluster ${args.clusterName}`,
          clusterName: eksName,
          partition: partition.partition,
          region,
          accountId,
          namespace: "kube-system",
          serviceAccount: VPC_CNI_SERVICE_ACCOUNT,
          provider: this.identity,
          managedPolicyArn: managed("AmazonEKS_CNI_Policy"),
          tags,
        },
        parent,
      );
      // Networking first: nodes only become Ready once the CNI and kube-proxy run. The
      // Pod Identity agent comes with them: aws-node takes its credentials from it.
      const beforeNodes = [
        addon(addons.vpcCni, [cluster, ...cni.ready], {
          // The CNI's network policy agent enforces NetworkPolicies (EKS user guide,
          // "Limit pod traffic with Kubernetes network policies").
          configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
          ...(irsa ? { serviceAccountRoleArn: cni.role.arn } : {}),
        }),
        addon(addons.kubeProxy, [cluster]),
        addon(addons.podIdentityAgent, [cluster]),
      ];

      const nodeRole = new aws.iam.Role(
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
      // No AmazonEKS_CNI_Policy: the CNI has its own identity above.
      const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"];
      const attachments = nodePolicies.map(
        (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: managed(policy) }, parent),
      );
      const nodeGroups = args.compute.nodeGroups.map((g) => {
        // A launch template without an AMI or user data: EKS still picks the AMI of
        // amiType and bootstraps the node (EKS user guide, "Customize managed nodes with
        // launch templates"); the template only sets metadata options and volumes.
        const template = new aws.ec2.LaunchTemplate(
          `${name}-${g.name}`,
          {
            description: `Nodes of group ${g.name} of EKS cluster ${args.clusterName}: IMDSv2 only, hop limit 1, encrypted gp3`,
            metadataOptions: { ...NODE_METADATA_OPTIONS },
            blockDeviceMappings: nodeBlockDevices(g.amiType, g.diskSizeGiB).map((d) => ({ deviceName: d.deviceName, ebs: { ...d.ebs } })),
            updateDefaultVersion: true,
            tags,
          },
          parent,
        );
        return new aws.eks.NodeGroup(
          `${name}-${g.name}`,
          {
            clusterName: eksName,
            nodeGroupName: g.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: privateSubnets.map((s) => s.id),
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
          { ...parent, dependsOn: [...beforeNodes, ...attachments, ...privateEgress] },
        );
      });

      // The EBS CSI controller gets its own role. Its policy is AWS's V2 managed policy:
      // it only touches volumes and snapshots tagged ebs.csi.aws.com/cluster=true, and
      // AWS keeps it in step with what each driver release calls.
      const ebs = workloadIdentity(
        `${name}-ebs-csi`,
        {
          description: `EBS CSI driver of EKS cluster ${args.clusterName}`,
          clusterName: eksName,
          partition: partition.partition,
          region,
          accountId,
          namespace: "kube-system",
          serviceAccount: EBS_CSI_SERVICE_ACCOUNT,
          provider: this.identity,
          managedPolicyArn: managed("AmazonEBSCSIDriverPolicyV2"),
          tags,
        },
        parent,
      );
      // CoreDNS and the EBS CSI controller are Deployments: they need nodes to turn ACTIVE.
      // Nothing waits for their add-on status, which takes up to 15 minutes on a new
      // cluster (aws-ia/terraform-aws-eks-blueprints #642): CoreDNS pods run as soon as
      // nodes do, and no Phoenix chart claims a volume at install.
      addon(addons.coredns, nodeGroups);
      // With IRSA the add-on annotates its own service account with the role.
      addon(addons.ebsCsiDriver, [...nodeGroups, ...ebs.ready], irsa ? { serviceAccountRoleArn: ebs.role.arn } : {});
      workloadsReady.push(...beforeNodes, ...nodeGroups);
    }
    this.workloadsReady = workloadsReady;

    // ---- Kubernetes provider -------------------------------------------------------
    // Built only from the cluster's outputs: in a preview of a brand-new region they are
    // unknown, so the provider never tries to reach a cluster that does not exist yet
    // (pulumi-kubernetes #1794, #2236, #2985).
    // It waits for the API server only: namespaces, secrets and ConfigMaps need nothing
    // more, and what needs nodes waits for `workloadsReady` itself.
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true }, parent);
    // The cluster's default StorageClass: a claim that names none gets an encrypted gp3 volume.
    new k8s.storage.v1.StorageClass(
      `${name}-${DEFAULT_STORAGE_CLASS}`,
      {
        metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        ...defaultStorageClass(autoMode),
      },
      { parent: this, provider: this.provider },
    );
    this.clusterName = eksName;
    this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
    this.vpcId = vpc.id;
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig, vpcId: this.vpcId });
  }
}
