/** What the cluster layer's builders share: the component's name, arguments and parent, and what it looked up at run time. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterArgs } from "./args";

/** The context of one Cluster's builders. */
export interface Build {
  /** The component's name: every child's name starts with it. */
  readonly name: string;
  readonly args: ClusterArgs;
  /** Options that parent a child to the component. */
  readonly parent: pulumi.ResourceOptions;
  readonly tags: Readonly<Record<string, string>>;
  /** Looked up at run time, never hard-coded: the same code serves every region and partition. */
  readonly partition: pulumi.Output<aws.GetPartitionResult>;
  readonly region: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly autoMode: boolean;
  /** The ARN of an AWS managed policy in this partition. */
  readonly managed: (policy: string) => pulumi.Output<string>;
}
