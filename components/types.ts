/** Types shared by more than one layer; no layer owns them. */
import type * as pulumi from "@pulumi/pulumi";

/** Helm values: plain data, where leaves may still be unresolved Pulumi outputs (bucket names, role ARNs). */
export type HelmValues = { [key: string]: pulumi.Input<unknown> };

/** The backup scope Velero enforces, computed from the namespace inventory. */
export interface BackupScope {
  /** Scheduled backups are on. */
  readonly enabled: boolean;
  /** Schedules to run; each covers exactly `includedNamespaces`. */
  readonly schedules: readonly { readonly name: string; readonly cron: string; readonly ttl: string; readonly storageLocation: string }[];
  /** The imperative namespaces, sorted: the only ones backed up. */
  readonly includedNamespaces: readonly string[];
  /** Every other namespace Phoenix knows (platform and GitOps), excluded as a second guard. */
  readonly excludedNamespaces: readonly string[];
}
