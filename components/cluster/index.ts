/**
 * Layer 1, the cluster: a VPC over the region's first three availability zones, an EKS
 * control plane (`@pulumi/eks` v4, access entries, KMS-encrypted secrets under an
 * explicit key policy, control-plane logs with a retention), its compute (managed node
 * groups on a hardened launch template, or EKS Auto Mode), the EKS managed add-ons, all
 * pinned in the catalog, and the default encrypted gp3 StorageClass. It hands the layers
 * above a `k8s.Provider`.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentityProvider } from "../identity";
import type { ClusterArgs } from "./args";
import type { Build } from "./build";
import { addons } from "../catalog";
import { addonOf, buildCompute } from "./compute";
import { buildControlPlane } from "./controlPlane";
import { DEFAULT_STORAGE_CLASS, defaultStorageClass } from "./hardening";
import { buildNetwork } from "./vpc";
import { TYPE_TOKENS } from "../typeTokens";

export type { ClusterArgs, ComputeArgs, NodeGroupArgs } from "./args";

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
  /**
   * CSI volume snapshots, when `volumeSnapshots` asks for them: the CSI driver of the
   * default StorageClass, which a VolumeSnapshotClass must name, and the add-on that
   * brings the snapshot CRDs, which such a class must wait for.
   */
  public readonly volumeSnapshots?: { readonly driver: string; readonly ready: readonly pulumi.Resource[] };

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.cluster, name, {}, opts);
    const parent = { parent: this };
    const partition = aws.getPartitionOutput({}, parent);
    const b: Build = {
      name,
      args,
      parent,
      tags: { ...(args.tags ?? {}) },
      partition,
      region: aws.getRegionOutput({}, parent).region,
      accountId: aws.getCallerIdentityOutput({}, parent).accountId,
      autoMode: args.compute.mode === "autoMode",
      managed: (policy) => pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}`,
    };
    const net = buildNetwork(b);
    const { cluster, eksName, identity } = buildControlPlane(b, net);
    this.identity = identity;
    const cp = { cluster, eksName, irsa: args.identityMode === "irsa", identity };
    this.workloadsReady = buildCompute(b, net, cp);
    const { vpc, privateSubnets } = net;
    const autoMode = b.autoMode;
    if (args.volumeSnapshots) {
      // Neither the EBS CSI driver add-on nor Auto Mode brings the snapshot CRDs and
      // controller: the snapshot-controller add-on does. It is a Deployment, so it waits
      // for what workloads wait for; nothing else waits for it but the snapshot class.
      const controller = addonOf(b, cp)(addons.snapshotController, [...this.workloadsReady]);
      this.volumeSnapshots = { driver: defaultStorageClass(autoMode).provisioner, ready: [controller] };
    }
    // ---- Kubernetes provider -------------------------------------------------------
    // Built only from the cluster's outputs: in a preview of a brand-new region they are
    // unknown, so the provider never tries to reach a cluster that does not exist yet
    // (pulumi-kubernetes #1794, #2236, #2985).
    // It waits for the API server only: namespaces, secrets and ConfigMaps need nothing
    // more, and what needs nodes waits for `workloadsReady` itself.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true },
      parent,
    );
    // The cluster's default StorageClass: a claim that names none gets an encrypted gp3 volume.
    new k8s.storage.v1.StorageClass(
      `${name}-${DEFAULT_STORAGE_CLASS}`,
      {
        metadata: {
          name: DEFAULT_STORAGE_CLASS,
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
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
