/**
 * Layer 2, core plugins: every plugin in the registry, installed the same way into the
 * cluster behind `provider` (any cluster's provider will do). The component knows no
 * plugin by name: what one plugin needs or offers travels through `inputs` and `outputs`,
 * typed by its registry entry.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentityProvider } from "../identity";
import { kubernetesVersion } from "../catalog";
import { NAMESPACE_CLASS_LABEL, NAMESPACE_OWNER_LABEL, podSecurityLabels } from "../labels";
import {
  PLUGIN_IDS,
  PLUGINS,
  type AnyPlugin,
  type PluginId,
  type PluginInputs,
  type PluginOutputs,
  type PluginSettings,
} from "./registry";
import { TYPE_TOKENS } from "../typeTokens";

export { NAMESPACE_CLASS_LABEL, NAMESPACE_OWNER_LABEL } from "../labels";
export {
  PLUGINS,
  PLUGIN_IDS,
  pluginNamespaces,
  type PluginId,
  type PluginInputs,
  type PluginOutputs,
  type PluginSettings,
} from "./registry";

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
  /**
   * What a release's pods need before Helm waits on them (an atomic release fails if they
   * never run): the cluster's nodes and CNI. Namespaces and objects beside the charts do
   * not wait for it.
   */
  readonly workloadsReady?: readonly pulumi.Resource[];
  /** Settings of each plugin from the stack file. */
  readonly settings: PluginSettings;
  /** What individual plugins need from the composition (Velero: its backup scope and storage). */
  readonly inputs: PluginInputs;
  /** Tags for the AWS resources plugins create. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Layer 2: core plugins as pinned Helm releases, each in its own namespace. */
export class Plugins extends pulumi.ComponentResource {
  /** Helm releases of the enabled plugins, by plugin id. */
  public readonly releases: Readonly<Partial<Record<PluginId, k8s.helm.v3.Release>>>;
  /** Typed outputs of the enabled plugins, by plugin id. */
  public readonly outputs: PluginOutputs;

  constructor(name: string, args: PluginsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.plugins, name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const releases: Partial<Record<PluginId, k8s.helm.v3.Release>> = {};
    const outputs: Partial<Record<PluginId, unknown>> = {};
    // IAM ARNs name the exact partition and account, never `*`.
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const gates: k8s.helm.v3.Release[] = [];
    const inputs = args.inputs as Partial<Record<PluginId, unknown>>;

    for (const id of PLUGIN_IDS) {
      const plugin = PLUGINS[id] as AnyPlugin;
      const settings = args.settings[id];
      if (!plugin.enabled(settings)) continue;
      const ns = new k8s.core.v1.Namespace(
        plugin.namespace,
        {
          metadata: {
            name: plugin.namespace,
            labels: {
              [NAMESPACE_CLASS_LABEL]: "platform",
              [NAMESPACE_OWNER_LABEL]: `plugin.${plugin.id}`,
              ...podSecurityLabels(plugin.podSecurity(settings), kubernetesVersion),
            },
          },
        },
        k8sOpts,
      );
      const install = plugin.install(settings, inputs[id], {
        parent: this,
        name: `${name}-${plugin.id}`,
        clusterName: args.clusterName,
        region: args.region,
        tags: args.tags ?? {},
        namespace: ns,
        provider: args.provider,
        identity: args.identity,
        vpcId: args.vpcId,
        partition,
        accountId,
      });
      outputs[id] = install.outputs;
      const release = new k8s.helm.v3.Release(
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
        // The load balancer controller's Service webhook fails closed: every other release
        // waits for it (`gates`), or its Services would be refused while the webhook has no pods.
        { ...k8sOpts, dependsOn: [ns, ...(args.workloadsReady ?? []), ...gates, ...(install.dependsOn ?? [])] },
      );
      releases[id] = release;
      install.afterRelease?.(release);
      if (plugin.gatesAdmission) gates.push(release);
    }

    this.releases = releases;
    this.outputs = outputs as PluginOutputs;
    this.registerOutputs({ releases: Object.keys(releases) });
  }
}
