/** The arguments of the cluster layer (./index.ts), apart so its builders share them without a cycle. */
import type { IdentityMode } from "../identity";
import type { AccessEntryInput } from "./access";

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

/** How the cluster gets its nodes. */
export type ComputeArgs =
  | {
      readonly mode: "managedNodeGroups";
      readonly nodeGroups: readonly NodeGroupArgs[];
      /**
       * The group the plugins run on, when only one is: what workloads wait for is then
       * that group alone (a standby's system nodes, while the others scale from zero).
       */
      readonly systemNodeGroup?: string;
    }
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
  /** Adds the CSI snapshot controller add-on (VolumeSnapshot CRDs and controller), which Velero's data mover needs. */
  readonly volumeSnapshots?: boolean;
  /** Tags for every AWS resource of the layer. */
  readonly tags?: Readonly<Record<string, string>>;
}
