/**
 * Layer 2, core plugins: every plugin in the registry, installed the same way into the
 * cluster behind `provider` (any cluster's provider will do).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentityProvider } from "../identity";
import { NAMESPACE_CLASS_LABEL, NAMESPACE_OWNER_LABEL } from "../labels";
import { argocd, ARGOCD_NAMESPACE, type ArgocdSettings } from "./argocd";
import { certManager, type CertManagerSettings } from "./certManager";
import type { BackupScope, Plugin, PluginContext, PluginInstall } from "./contract";
import { externalDns, type ExternalDnsSettings } from "./externalDns";
import { loadBalancerController, type LoadBalancerControllerSettings } from "./loadBalancerController";
import { metricsServer, type MetricsServerSettings } from "./metricsServer";
import { velero, type VeleroSettings } from "./velero";

/** Settings of every plugin, keyed by plugin id (the stack file's `phoenix:plugins`). */
export interface PluginSettings {
  readonly loadBalancerController: LoadBalancerControllerSettings;
  readonly certManager: CertManagerSettings;
  readonly externalDns: ExternalDnsSettings;
  readonly metricsServer: MetricsServerSettings;
  readonly argocd: ArgocdSettings;
  readonly velero: VeleroSettings;
}

/** A plugin with its stack settings applied. */
export interface BoundPlugin extends Omit<Plugin<unknown>, "enabled" | "install"> {
  /** Whether the stack enables it. */
  readonly enabled: boolean;
  /** Declares its AWS-side resources and builds its Helm values. */
  install(ctx: PluginContext): PluginInstall;
}

function bind<S>(plugin: Plugin<S>, settings: S): BoundPlugin {
  return {
    id: plugin.id,
    chart: plugin.chart,
    namespace: plugin.namespace,
    releaseName: plugin.releaseName,
    gatesAdmission: plugin.gatesAdmission,
    enabled: plugin.enabled(settings),
    install: (ctx) => plugin.install(settings, ctx),
  };
}

/**
 * The plugin registry, in install order. Adding a plugin: write its module (a `Plugin`
 * and a settings schema), add its chart to the catalog, its settings to
 * `PluginSettings` and the stack schema, and bind it here.
 */
export function registry(settings: PluginSettings): BoundPlugin[] {
  return [
    // First: its fail-closed Service webhook gates every other release (see gatesAdmission).
    bind(loadBalancerController, settings.loadBalancerController),
    bind(certManager, settings.certManager),
    bind(externalDns, settings.externalDns),
    bind(metricsServer, settings.metricsServer),
    bind(argocd, settings.argocd),
    bind(velero, settings.velero),
  ];
}

export { NAMESPACE_CLASS_LABEL, NAMESPACE_OWNER_LABEL } from "../labels";

/** The namespaces the enabled plugins live in, with the plugin that owns each: all classified `platform`. */
export function pluginNamespaces(settings: PluginSettings): { name: string; plugin: string }[] {
  return registry(settings)
    .filter((p) => p.enabled)
    .map((p) => ({ name: p.namespace, plugin: p.id }));
}

/** Arguments of the core plugins layer. */
export interface PluginsArgs {
  /** Kubernetes provider of the target cluster: every Kubernetes object goes through it. */
  readonly provider: k8s.Provider;
  /** EKS cluster name, for AWS identities, ownership ids and tags. */
  readonly clusterName: pulumi.Input<string>;
  /** AWS region of the cluster. */
  readonly region: string;
  /** VPC the cluster runs in (the load balancer controller's scope). */
  readonly vpcId: pulumi.Input<string>;
  /** How service accounts get AWS identities: Pod Identity, or IRSA with the cluster's OIDC provider. */
  readonly identity: WorkloadIdentityProvider;
  /** Settings of each plugin from the stack file. */
  readonly settings: PluginSettings;
  /** What Velero backs up: computed from the namespace inventory by the composition. */
  readonly backup: BackupScope;
  /** Tags for the AWS resources plugins create. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Layer 2: core plugins as pinned Helm releases, each in its own namespace. */
export class Plugins extends pulumi.ComponentResource {
  /** Helm releases by plugin id. */
  public readonly releases: Readonly<Record<string, k8s.helm.v3.Release>>;
  /** Namespace Argo CD runs in (the apps layer declares Applications there). */
  public readonly argocdNamespace: string;
  /** The Argo CD release: what the apps layer must wait for. */
  public readonly argocdRelease: k8s.helm.v3.Release;
  /** Name of the S3 bucket Velero writes backups to. */
  public readonly backupBucket: pulumi.Output<string>;
  /** Name of its replica in the DR region, when replication is configured. */
  public readonly replicaBucket: pulumi.Output<string> | undefined;
  /** ARN of the replica's KMS key (a DR stack's `restoreFrom.kmsKeyArn`). */
  public readonly replicaKeyArn: pulumi.Output<string> | undefined;
  /** ConfigMap (in Velero's namespace) of the restore resource modifiers that strip Argo CD metadata. */
  public readonly restoreModifiers: pulumi.Output<string>;

  constructor(name: string, args: PluginsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("phoenix:plugins:Plugins", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const releases: Record<string, k8s.helm.v3.Release> = {};
    const installs: Record<string, PluginInstall> = {};
    // IAM ARNs name the exact partition and account, never `*`.
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const gates: k8s.helm.v3.Release[] = [];

    for (const plugin of registry(args.settings)) {
      if (!plugin.enabled) continue;
      const ns = new k8s.core.v1.Namespace(
        plugin.namespace,
        {
          metadata: {
            name: plugin.namespace,
            labels: { [NAMESPACE_CLASS_LABEL]: "platform", [NAMESPACE_OWNER_LABEL]: `plugin.${plugin.id}` },
          },
        },
        k8sOpts,
      );
      const install = plugin.install({
        parent: this,
        name: `${name}-${plugin.id}`,
        clusterName: args.clusterName,
        region: args.region,
        tags: args.tags ?? {},
        backup: args.backup,
        namespace: ns,
        provider: args.provider,
        identity: args.identity,
        vpcId: args.vpcId,
        partition,
        accountId,
      });
      installs[plugin.id] = install;
      releases[plugin.id] = new k8s.helm.v3.Release(
        plugin.id,
        {
          name: plugin.releaseName,
          chart: plugin.chart.chart,
          version: plugin.chart.version,
          repositoryOpts: { repo: plugin.chart.repository },
          namespace: ns.metadata.name,
          createNamespace: false,
          values: install.values,
          // A failed install or upgrade rolls back instead of leaving a half-applied release.
          atomic: true,
          cleanupOnFail: true,
          timeout: 900,
          maxHistory: 10,
        },
        { ...k8sOpts, dependsOn: [ns, ...gates, ...(install.dependsOn ?? [])] },
      );
      install.afterRelease?.(releases[plugin.id]);
      if (plugin.gatesAdmission) gates.push(releases[plugin.id]);
    }

    this.releases = releases;
    this.argocdRelease = releases[argocd.id];
    this.argocdNamespace = ARGOCD_NAMESPACE;
    const bucket = installs[velero.id]?.outputs?.backupBucket;
    if (!bucket) throw new Error("the velero plugin did not declare its backup bucket");
    this.backupBucket = bucket;
    this.replicaBucket = installs[velero.id]?.outputs?.replicaBucket;
    this.replicaKeyArn = installs[velero.id]?.outputs?.replicaKeyArn;
    const restoreModifiers = installs[velero.id]?.outputs?.restoreModifiers;
    if (!restoreModifiers) throw new Error("the velero plugin did not declare its restore modifiers");
    this.restoreModifiers = restoreModifiers;
    this.registerOutputs({ argocdNamespace: this.argocdNamespace, backupBucket: this.backupBucket, replicaBucket: this.replicaBucket });
  }
}
