/** What the backup storage's builders share: who uses the storage, and which region's side they build. */
import type * as pulumi from "@pulumi/pulumi";

/** Who uses and administers the storage, resolved at run time. */
export interface Principals {
  readonly partition: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly dnsSuffix: pulumi.Output<string>;
  readonly admins: pulumi.Output<string[]>;
  readonly velero: pulumi.Output<string[]>;
  /** Roles that read backups and the password, and nothing more (`restoreReaders`). */
  readonly restoreReaders: readonly string[];
}

/** One region's side of the storage. */
export interface Side {
  readonly name: string;
  readonly purpose: string;
  readonly region: string;
  readonly provider?: pulumi.ProviderResource;
  readonly aliases: pulumi.ResourceOptions["aliases"];
}

/** The alias of a resource to its old root-level name in the platform stack (`movedFromPrefix`), if any. */
export type LegacyAlias = (legacy: string) => pulumi.ResourceOptions["aliases"];
