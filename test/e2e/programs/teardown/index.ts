/**
 * The platform's apps layer and its teardown on a real API server, through the real
 * kubernetes provider: the imperative namespaces of the stack's own Phoenix config, made
 * by Phoenix's own wiring (components/apps/namespaces.ts: class, owner and Pod Security
 * labels, default-deny NetworkPolicy, quota, LimitRange, the admission guard, namespaces
 * retainOnDelete), and the teardown marker (components/teardown) with its real
 * `beforeDelete` hook, depending on them as the platform's marker depends on its layers.
 *
 * The cluster is the harness's: its kubeconfig comes in `PHOENIX_E2E_KUBECONFIG` (the
 * stack file takes no key outside Phoenix's and Pulumi's namespaces), kept as a secret.
 * The hook reaches AWS through the SDK's `AWS_ENDPOINT_URL`, which the scenario points at
 * an empty account (test/e2e/harness/awsQuery.ts). `PHOENIX_E2E_DROP` leaves one
 * imperative namespace out; `PHOENIX_E2E_UNLABELLED` adds a namespace with no labels.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { imperativeNamespace, plannedPodSecurity, podSecurityGuardResources } from "../../../../components/apps";
import { engineProviders } from "../../../../components/catalog";
import { NAMESPACE_CLASS_LABEL, NAMESPACE_OWNER_LABEL } from "../../../../components/plugins";
import { Teardown } from "../../../../components/teardown";
import { parseStackConfig } from "../../../../stacks/platform/config";
import { imperativeNamespaceArgs } from "../../../../stacks/platform/composition";

const cfg = parseStackConfig(pulumi.runtime.allConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() });
if (!process.env.PHOENIX_E2E_KUBECONFIG) throw new Error("e2e teardown program: PHOENIX_E2E_KUBECONFIG is not set");
const kubeconfig = pulumi.secret(process.env.PHOENIX_E2E_KUBECONFIG);
const dropped = process.env.PHOENIX_E2E_DROP;

// The provider release the engine has (components/catalog.ts `engineProviders`), not the SDK's own.
const provider = new k8s.Provider("harness", { kubeconfig }, { version: engineProviders.kubernetes.release });

/** The apps layer's namespaces, without the Argo CD bootstrap the harness cannot pull. */
class AppsNamespaces extends pulumi.ComponentResource {
  public readonly names: pulumi.Output<string[]>;

  constructor(name: string) {
    super("phoenix:e2e:AppsNamespaces", name);
    const k8sOpts = { parent: this, provider };
    const imperative = imperativeNamespaceArgs(cfg).filter((n) => n.name !== dropped);
    const guard = podSecurityGuardResources(plannedPodSecurity(cfg.gitops.applications, imperative), k8sOpts);
    const labels = { namespaceClass: NAMESPACE_CLASS_LABEL, owner: NAMESPACE_OWNER_LABEL };
    this.names = pulumi.all(imperative.map((ns) => imperativeNamespace(ns, labels, k8sOpts, guard).metadata.name));
    this.registerOutputs({ names: this.names });
  }
}

const apps = new AppsNamespaces("apps");
// A namespace made without Phoenix's wiring, for the policy pack to refuse.
if (process.env.PHOENIX_E2E_UNLABELLED)
  new k8s.core.v1.Namespace("unlabelled", { metadata: { name: process.env.PHOENIX_E2E_UNLABELLED } }, { provider });
new Teardown(
  "teardown",
  { clusterName: cfg.cluster.name, region: cfg.region, vpcId: "vpc-0e2e0000000000000", kubeconfig, pollSeconds: 1 },
  { dependsOn: [apps] },
);

export const imperativeNamespaces = apps.names;
export const clusterName = cfg.cluster.name;
