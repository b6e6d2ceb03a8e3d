/** Types shared by more than one layer; no layer owns them. */
import type * as pulumi from "@pulumi/pulumi";

/** Helm values: plain data, where leaves may still be unresolved Pulumi outputs (bucket names, role ARNs). */
export type HelmValues = { [key: string]: pulumi.Input<unknown> };

/** The backup scope Velero enforces, computed from the namespace inventory. */
export interface BackupScope {
  /** Scheduled backups are on. */
  readonly enabled: boolean;
  /** Schedules to run; each covers exactly `includedNamespaces`. */
  readonly schedules: readonly {
    readonly name: string;
    readonly cron: string;
    readonly ttl: string;
    readonly storageLocation: string;
  }[];
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

/**
 * Custom resources a chart renders from a values map, one object per key, whose content
 * the chart copies verbatim: neither Helm nor the chart's schema checks it, and the API
 * server prunes what the CRD does not name. Whoever writes the values (a plugin entry,
 * the apps layer) declares them; chart conformance checks each entry against the CRD.
 */
export interface RenderedResources {
  /** Chart that renders them. */
  readonly chart: string;
  /** Values path of the map (keys are object names). */
  readonly at: string;
  readonly kind: string;
  /** CRD version the chart renders (`apiVersion` without the group). */
  readonly version: string;
  /** Chart whose crds/ holds the CRD: the chart itself, or another release of the same plan. */
  readonly crdChart: string;
  /** Entry keys the chart's template uses itself (metadata, switches), not part of the spec. */
  readonly ownKeys: readonly string[];
  /** Entry keys the chart's template copies into `spec`; any other key is silently dropped. */
  readonly specKeys: readonly string[];
}
