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
  /** Backup hooks of imperative namespaces, each run in its own namespace's pods. */
  readonly hooks?: readonly NamespaceHooks[];
}

/** A command Velero runs in a container of the selected pods. */
export interface ExecHook {
  readonly container: string;
  readonly command: readonly string[];
  readonly timeout: string;
  readonly onError: "Fail" | "Continue";
}

/** One imperative namespace's backup hooks. */
export interface NamespaceHooks {
  readonly namespace: string;
  /** matchLabels of the pods they run in; every pod of the namespace when absent. */
  readonly pods?: Readonly<Record<string, string>>;
  readonly pre: readonly ExecHook[];
  readonly post: readonly ExecHook[];
}
