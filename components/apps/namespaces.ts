/**
 * The imperative namespaces of the apps layer (the state Velero protects): each with its
 * labels, Pod Security level, default-deny NetworkPolicy and optional quotas, behind the
 * admission guard that keeps those levels. Wiring functions that declare resources under
 * the parent their options give (the `Apps` component), so a program that has no Argo CD
 * (the engine's e2e) declares the very same resources.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { kubernetesVersion } from "../catalog";
import { podSecurityLabels, type PodSecurityLevel } from "../labels";
import type { NamespaceLabelKeys } from "./applications";
import { podSecurityGuard, type GuardedNamespaces } from "./podSecurityGuard";

/** CPU and memory quantities. */
export interface Quantities {
  readonly cpu?: string;
  readonly memory?: string;
}

/** Only the quantities that are set (a LimitRange rejects empty values). */
function setQuantities(q: Quantities | undefined): Record<string, string> | undefined {
  const set = Object.entries(q ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return set.length > 0 ? Object.fromEntries(set) : undefined;
}

/** An imperative namespace Phoenix creates. */
export interface ImperativeNamespace {
  /** Namespace name. */
  readonly name: string;
  /** Team that owns its state (owner label value). */
  readonly owner: string;
  /** ResourceQuota `hard` limits, when set. */
  readonly resourceQuota?: Readonly<Record<string, string>>;
  /** LimitRange container defaults, when set. */
  readonly limitRange?: { readonly default?: Quantities; readonly defaultRequest?: Quantities };
  /** Pod Security level it enforces. */
  readonly podSecurity: PodSecurityLevel;
  /** A default-deny NetworkPolicy (ingress and egress, DNS allowed); off only where the stack says so. */
  readonly defaultDeny: boolean;
}

/** Name of the default-deny NetworkPolicy in each imperative namespace. */
export const DEFAULT_DENY_POLICY = "phoenix-default-deny";

/**
 * A NetworkPolicy that selects every pod of the namespace and allows nothing in or out
 * but DNS queries to CoreDNS (Kubernetes docs, "Network Policies": default deny all
 * ingress and egress). What a workload needs beyond it is its own NetworkPolicy, which
 * adds to this one.
 */
export function defaultDenySpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  };
}

/**
 * The admission guard of the namespaces' Pod Security labels (./podSecurityGuard.ts): a
 * ValidatingAdmissionPolicy and its binding; none when no namespace is planned.
 */
export function podSecurityGuardResources(
  planned: GuardedNamespaces,
  k8sOpts: pulumi.CustomResourceOptions,
): pulumi.Resource[] {
  if (Object.keys(planned).length === 0) return [];
  const { policy, binding } = podSecurityGuard(planned);
  const vap = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy("pod-security-guard", policy, k8sOpts);
  return [
    vap,
    new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding("pod-security-guard", binding, {
      ...k8sOpts,
      dependsOn: [vap],
    }),
  ];
}

/** One imperative namespace with its default-deny NetworkPolicy, ResourceQuota and LimitRange as set. */
export function imperativeNamespace(
  ns: ImperativeNamespace,
  labels: NamespaceLabelKeys,
  k8sOpts: pulumi.CustomResourceOptions,
  guard: pulumi.Resource[],
): k8s.core.v1.Namespace {
  const namespace = new k8s.core.v1.Namespace(
    ns.name,
    {
      metadata: {
        name: ns.name,
        labels: {
          [labels.namespaceClass]: "imperative",
          [labels.owner]: ns.owner,
          ...podSecurityLabels(ns.podSecurity, kubernetesVersion),
        },
      },
    },
    // Deleting the stack must not delete the only copy of imperative state with it.
    // The guard first, so a changed level is allowed before it is written.
    { ...k8sOpts, retainOnDelete: true, dependsOn: guard },
  );
  const inNs = { ...k8sOpts, dependsOn: [namespace] };
  if (ns.defaultDeny) {
    new k8s.networking.v1.NetworkPolicy(
      `${ns.name}-default-deny`,
      { metadata: { name: DEFAULT_DENY_POLICY, namespace: ns.name }, spec: defaultDenySpec() },
      inNs,
    );
  }
  if (ns.resourceQuota) {
    new k8s.core.v1.ResourceQuota(
      ns.name,
      { metadata: { name: "phoenix", namespace: ns.name }, spec: { hard: { ...ns.resourceQuota } } },
      inNs,
    );
  }
  if (ns.limitRange) {
    new k8s.core.v1.LimitRange(
      ns.name,
      {
        metadata: { name: "phoenix", namespace: ns.name },
        spec: {
          limits: [
            {
              type: "Container",
              default: setQuantities(ns.limitRange.default),
              defaultRequest: setQuantities(ns.limitRange.defaultRequest),
            },
          ],
        },
      },
      inNs,
    );
  }
  return namespace;
}
