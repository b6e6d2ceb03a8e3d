/**
 * The contract every core plugin implements (after cdk-eks-blueprints' add-on SPI): a
 * plugin is one module exporting a `Plugin`, one catalog pin and one line in the
 * registry (./registry.ts). The entry carries everything about the plugin: its settings
 * schema, its chart's free-form value paths, the inputs it needs from the composition and
 * the typed outputs it offers. The Plugins component does the rest the same way for all
 * of them: namespace, AWS-side resources, pinned `helm.v3.Release`, ordering.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { ChartPin } from "../catalog";
import type { PodSecurityLevel } from "../labels";
import {
  workloadIdentity,
  type PolicyDocument,
  type WorkloadIdentity,
  type WorkloadIdentityProvider,
} from "../identity";
import type { HelmValues, RenderedResources } from "../types";

export type { HelmValues } from "../types";

/** What every plugin's `install` receives: only what all plugins share. */
export interface PluginContext {
  /** Resource the plugin's AWS resources are parented to (the Plugins component). */
  readonly parent: pulumi.Resource;
  /** Logical-name prefix for the plugin's AWS resources. */
  readonly name: string;
  /** EKS cluster name (for tags, identity and ownership ids). */
  readonly clusterName: pulumi.Input<string>;
  /** AWS region of the cluster. */
  readonly region: string;
  /** Tags for every AWS resource the plugin creates. */
  readonly tags: Readonly<Record<string, string>>;
  /** The plugin's namespace, created before `install` runs: objects beside the chart wait for it. */
  readonly namespace: pulumi.Resource;
  /** Kubernetes provider of the target cluster, for objects a plugin declares beside its chart. */
  readonly provider: k8s.Provider;
  /** How service accounts get AWS identities (Pod Identity or IRSA). */
  readonly identity: WorkloadIdentityProvider;
  /** VPC the cluster runs in. */
  readonly vpcId: pulumi.Input<string>;
  /** AWS partition and account of the cluster, for IAM ARNs scoped to exactly them. */
  readonly partition: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
}

/** What a plugin's `install` returns. */
export interface PluginInstall<O> {
  /** Values for the plugin's Helm release. */
  readonly values: pulumi.Input<HelmValues>;
  /** Typed outputs the plugin offers the layers above (the registry entry's `O`). */
  readonly outputs: O;
  /** Resources the release must wait for beyond its values' own inputs. */
  readonly dependsOn?: readonly pulumi.Resource[];
  /** Declares objects that need the release in place first (e.g. custom resources of its CRDs). */
  readonly afterRelease?: (release: pulumi.Resource) => void;
}

/**
 * One core plugin. `S` is its settings schema (`phoenix:plugins.<id>`), `I` what it
 * needs from the composition beyond the shared context (`undefined` for most), `O` what
 * it offers the layers above.
 */
export interface Plugin<S extends z.ZodType, I, O> {
  /** Key in the stack file's `phoenix:plugins` map. */
  readonly id: string;
  /** Pinned chart, from the catalog. */
  readonly chart: ChartPin;
  /** Namespace Phoenix creates for it (classified `platform`). */
  readonly namespace: string;
  /** Helm release name. */
  readonly releaseName: string;
  /** Its stack settings: a strict zod schema with defaults (see ./settings.ts). */
  readonly settings: S;
  /**
   * Value paths of its chart whose keys the chart does not enumerate (Kubernetes
   * pass-through maps, maps keyed by user-chosen names), each with the reason in a
   * comment: chart conformance (`phoenix charts verify`) accepts any key below them.
   */
  readonly freeFormValues: readonly string[];
  /** Custom resources its chart renders from a values map, checked against their CRDs by chart conformance. */
  readonly renderedResources?: readonly RenderedResources[];
  /**
   * Whether it runs an admission webhook with `failurePolicy: Fail` on core objects:
   * every other plugin's release then waits for it, or their Services could be refused
   * while its webhook pods are not yet up.
   */
  readonly gatesAdmission?: boolean;
  /** Whether the stack enables it. */
  enabled(settings: z.output<S>): boolean;
  /**
   * The Pod Security Standards level its namespace enforces: the strictest its chart's
   * pods meet with the values Phoenix sets (checked against the chart's own security
   * contexts), so a plugin gets only what it needs.
   */
  podSecurity(settings: z.output<S>): PodSecurityLevel;
  /** Declares the plugin's AWS-side resources (if any) and builds its Helm values. */
  install(settings: z.output<S>, inputs: I, ctx: PluginContext): PluginInstall<O>;
}

/**
 * The Kubernetes pass-through maps most charts copy verbatim into the pod and its
 * service account (annotations, labels, scheduling, resources): their keys are the
 * user's, never the chart's.
 */
export const POD_PASS_THROUGH = [
  "serviceAccount.annotations",
  "podAnnotations",
  "podLabels",
  "nodeSelector",
  "tolerations",
  "affinity",
  "resources",
] as const;

/** A plugin service account that calls AWS. */
export interface PluginServiceAccount {
  /** What the role is for, shown in IAM. */
  readonly description: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Its inline policy. */
  readonly policy: pulumi.Input<PolicyDocument>;
  /** IAM path of the role, where a resource policy admits roles by path (Velero's). */
  readonly path?: string;
}

/** The plugin's role for one service account, bound the cluster's way (Pod Identity or IRSA), tagged and parented like the plugin's other AWS resources. */
export function pluginIdentity(ctx: PluginContext, sa: PluginServiceAccount): WorkloadIdentity {
  return workloadIdentity(
    ctx.name,
    {
      ...sa,
      clusterName: ctx.clusterName,
      partition: ctx.partition,
      region: ctx.region,
      accountId: ctx.accountId,
      provider: ctx.identity,
      tags: ctx.tags,
    },
    { parent: ctx.parent },
  );
}
