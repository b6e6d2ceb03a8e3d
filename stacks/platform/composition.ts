/**
 * Composition: one stack = one region = layer 1 -> 2 -> 3. The namespace inventory and
 * the backup scope are computed first, from config alone, so an inconsistent stack
 * fails before a single resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { Apps, type ImperativeNamespace } from "../../components/apps";
import { Cluster } from "../../components/cluster";
import type { ClusterArgs } from "../../components/cluster/args";
import { NAMESPACE_CLASS_LABEL, NAMESPACE_OWNER_LABEL, Plugins, pluginNamespaces } from "../../components/plugins";
import { Teardown } from "../../components/teardown";
import { readBackupStorage } from "./storage";
import type { BackupScope } from "../../components/types";
import type { PhoenixConfig } from "./config";
import { STANDBY_NODE_GROUP } from "./config/standby";
import {
  backupScopeWithHooks,
  classifyNamespaces,
  CLUSTER_NAMESPACES,
  isBackedUp,
  namespacesOf,
  type Inventory,
} from "./inventory";

/** A row of the namespace table. */
export interface NamespaceRow {
  readonly name: string;
  readonly class: string;
  readonly backedUp: boolean;
  readonly sources: readonly string[];
}

/** The inventory and backup scope of a stack, from its config alone. */
export interface PlatformPlan {
  readonly inventory: Inventory;
  readonly backup: BackupScope;
  readonly namespaces: readonly NamespaceRow[];
}

/** Classifies the stack's namespaces and derives what Velero backs up (pure). */
export function planPlatform(cfg: PhoenixConfig): PlatformPlan {
  const inventory = classifyNamespaces(
    {
      platform: [
        ...CLUSTER_NAMESPACES.map((name) => ({ name, source: "eks" })),
        ...pluginNamespaces(cfg.plugins).map((p) => ({
          name: p.name,
          source: `plugin:${p.plugin}`,
          key: `${cfg.project}:plugins.${p.plugin}`,
        })),
      ],
      gitops: cfg.gitops.applications.map((a) => ({ name: a.namespace, source: `application:${a.name}`, key: a.key })),
      imperative: cfg.namespaces.imperative.map((n) => ({ name: n.name, source: "inventory", key: n.key })),
    },
    cfg.stackFile,
  );
  const backup = backupScopeWithHooks(
    inventory,
    cfg.backups,
    cfg.namespaces.imperative.flatMap((n) =>
      n.backupHooks
        ? [
            {
              namespace: n.name,
              ...(n.backupHooks.pods ? { pods: n.backupHooks.pods } : {}),
              pre: n.backupHooks.pre,
              post: n.backupHooks.post,
            },
          ]
        : [],
    ),
  );
  return {
    inventory,
    backup,
    namespaces: inventory.namespaces.map((n) => ({
      name: n.name,
      class: n.class,
      backedUp: isBackedUp(n, backup),
      sources: n.sources,
    })),
  };
}

/** What a stack exports. */
export interface PlatformOutputs {
  readonly region: string;
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  /** The cluster's VPC: a teardown outside a destroy (a drill's) scopes its wait for load balancer interfaces and security groups to it. */
  readonly vpcId: pulumi.Output<string>;
  /** The bucket Velero writes to: the backup storage stack's. */
  readonly backupBucket: pulumi.Output<string>;
  /** The backup storage stacks this stack reads (its own, and a restore source's). */
  readonly backupStorage: { readonly storage: string; readonly restoreFrom?: string };
  /** ConfigMap of restore resource modifiers in Velero's namespace (`velero restore create --resource-modifier-configmap`). */
  readonly restoreModifiers: pulumi.Output<string>;
  readonly imperativeNamespaces: readonly string[];
  readonly namespaces: readonly NamespaceRow[];
  /** Each imperative namespace's own restore check, for the drill, `recover` and `restore verify` to run after a restore. */
  readonly restoreChecks: readonly RestoreCheck[];
}

/** A command that proves a namespace's restored data, run in its restored pods; its exit status decides. */
export interface RestoreCheck {
  readonly namespace: string;
  readonly pods?: Readonly<Record<string, string>>;
  readonly container: string;
  readonly command: readonly string[];
  readonly timeout: string;
}

/**
 * What the run says of a stack whose backups are off. One that only restores (a drill's,
 * one read-only beside its source) is told what it is, not warned as a primary would be.
 */
export function backupsOffWarning(
  cfg: Pick<PhoenixConfig, "stackFile" | "backups" | "standby">,
  imperative: readonly string[],
): string {
  const namespaces = imperative.join(", ");
  if (cfg.standby && cfg.backups.restoreFrom)
    return `${cfg.stackFile}: a pilot-light standby (phoenix:standby): no backups of its own until \`phoenix recover\` promotes it; its Velero reads ${cfg.backups.restoreFrom.stack}'s replica`;
  return cfg.backups.restoreFrom
    ? `${cfg.stackFile}: phoenix:backups.enabled is false: this stack writes no backups; its Velero only reads ${cfg.backups.restoreFrom.stack}'s replica, and what ${namespaces} hold here is not backed up again`
    : `${cfg.stackFile}: phoenix:backups.enabled is false: imperative namespaces ${namespaces} are not backed up and would be lost in a disaster`;
}

/** The cluster's compute: a standby's plugins wait only for its system nodes (config/standby.ts). */
function computeOf(cfg: PhoenixConfig): ClusterArgs["compute"] {
  const compute = cfg.cluster.compute;
  return cfg.standby && compute.mode === "managedNodeGroups"
    ? { ...compute, systemNodeGroup: STANDBY_NODE_GROUP }
    : compute;
}

/** The apps layer's imperative namespaces: in the inventory's order (by name), each with the settings its stack entry gives. */
export function imperativeNamespaceArgs(cfg: PhoenixConfig): ImperativeNamespace[] {
  return [...cfg.namespaces.imperative]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((n) => ({
      name: n.name,
      owner: n.owner,
      resourceQuota: n.resourceQuota,
      limitRange: n.limitRange,
      podSecurity: n.podSecurity,
      defaultDeny: n.defaultDeny,
    }));
}

/** Declares the whole platform of one stack. */
export function createPlatform(cfg: PhoenixConfig): PlatformOutputs {
  const plan = planPlatform(cfg);
  if (!plan.backup.enabled && plan.backup.includedNamespaces.length > 0) {
    void pulumi.log.warn(backupsOffWarning(cfg, plan.backup.includedNamespaces));
  }
  const tags = { ...cfg.tags, "phoenix:stack": cfg.stack, "phoenix:cluster": cfg.cluster.name };

  const cluster = new Cluster(cfg.cluster.name, {
    clusterName: cfg.cluster.name,
    vpcCidr: cfg.network.cidr,
    natGateways: cfg.network.natGateways,
    // A self-hosted runner's ranges reach the private endpoint; a static-egress runner's
    // addresses are already in publicAccessCidrs (config/runner.ts checks both).
    endpoint: {
      ...cfg.cluster.endpoint,
      privateClientCidrs: cfg.runner.kind === "self-hosted" ? cfg.runner.cidrs : [],
    },
    deletionProtection: cfg.cluster.deletionProtection,
    logTypes: cfg.cluster.logTypes,
    logRetentionDays: cfg.cluster.logRetentionDays,
    compute: computeOf(cfg),
    accessEntries: cfg.cluster.accessEntries,
    identityMode: cfg.identity.mode,
    // Velero's data mover snapshots claims through CSI: only then the snapshot controller.
    volumeSnapshots: cfg.plugins.velero.volumeBackup === "data-mover",
    tags,
  });

  const storage = readBackupStorage(cfg);
  const plugins = new Plugins("plugins", {
    provider: cluster.provider,
    clusterName: cluster.clusterName,
    region: cfg.region,
    vpcId: cluster.vpcId,
    identity: cluster.identity,
    workloadsReady: cluster.workloadsReady,
    settings: cfg.plugins,
    inputs: {
      velero: {
        backup: plan.backup,
        storage: storage.storage,
        restoreFrom: storage.restoreFrom,
        repositoryPassword: storage.repositoryPassword,
        volumeSnapshots: cluster.volumeSnapshots,
      },
    },
    tags,
  });
  const argocd = plugins.outputs.argocd;
  const argocdRelease = plugins.releases.argocd;
  const velero = plugins.outputs.velero;
  if (!argocd || !argocdRelease || !velero)
    throw new Error("Argo CD and Velero are always on: the plugins layer must have installed them");

  const imperative = namespacesOf(plan.inventory, "imperative");
  const apps = new Apps("apps", {
    provider: cluster.provider,
    argocdNamespace: argocd.namespace,
    argocdRelease,
    root: { repoURL: cfg.gitops.repoURL, targetRevision: cfg.gitops.targetRevision, path: cfg.gitops.path },
    applications: cfg.gitops.applications,
    credentials: cfg.gitops.credentials,
    // In the inventory's order (by name), each with the settings its stack entry gives.
    imperativeNamespaces: imperativeNamespaceArgs(cfg),
    labels: { namespaceClass: NAMESPACE_CLASS_LABEL, owner: NAMESPACE_OWNER_LABEL },
    allowedKinds: cfg.gitops.allowedKinds,
  });

  // Deleted first on destroy: it depends on every layer, so all the teardown needs (the
  // controllers and their identities, Argo CD, the nodes, the NAT gateways and the public
  // routes they egress through, the VPC) is deleted after it. Its delete hook releases
  // the load balancers and network interfaces Kubernetes made in AWS, without which the
  // VPC cannot go (pulumi-eks #194, #1226). Keep its name and place: a marker renamed or
  // moved without an alias is deleted by the next `up`, and its hook would then empty a
  // live cluster of its Applications and load balancers.
  new Teardown(
    "teardown",
    { clusterName: cluster.clusterName, region: cfg.region, vpcId: cluster.vpcId, kubeconfig: cluster.kubeconfig },
    { dependsOn: [cluster, plugins, apps] },
  );

  return {
    region: cfg.region,
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    vpcId: cluster.vpcId,
    backupBucket: pulumi.output(storage.storage.bucket),
    backupStorage: storage.stacks,
    restoreModifiers: velero.restoreModifiers,
    imperativeNamespaces: imperative,
    namespaces: plan.namespaces,
    restoreChecks: cfg.namespaces.imperative.flatMap((n) => (n.verify ? [{ namespace: n.name, ...n.verify }] : [])),
  };
}
