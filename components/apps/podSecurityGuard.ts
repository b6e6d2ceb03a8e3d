/**
 * The guard that keeps each namespace's Pod Security labels as Phoenix set them.
 *
 * A GitOps namespace is whitelisted by name in the apps AppProject (CreateNamespace needs
 * it), so a Namespace manifest in Git for it would be applied as written, labels included:
 * Git could lower `restricted` to `privileged`. Argo CD sets managedNamespaceMetadata's
 * labels on the namespace object it creates, in the same request
 * (argo-cd controller/sync_namespace.go:30@31897f33, `managedNs.SetLabels`, read on the
 * v2 line; not re-read at v3.4.4, the pinned chart's appVersion: the e2e admission scenario
 * proves the admission side), so an admission check on CREATE and UPDATE sees them. A ValidatingAdmissionPolicy (GA in
 * Kubernetes 1.30) refuses any write that leaves a guarded namespace's Pod Security labels
 * other than planned: from Git, from kubectl, from anyone. Only a change to the stack
 * (which updates this policy first) moves a level.
 */
import type * as k8s from "@pulumi/kubernetes";
import { POD_SECURITY_ENFORCE_LABEL } from "../labels";

/** Name of the policy and of its binding. */
export const POD_SECURITY_GUARD = "phoenix-pod-security-levels";

/** Pod Security labels each guarded namespace must carry, exactly. */
export type GuardedNamespaces = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The Kubernetes objects of the guard. */
export interface PodSecurityGuardObjects {
  readonly policy: {
    readonly metadata: { readonly name: string };
    readonly spec: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec;
  };
  readonly binding: {
    readonly metadata: { readonly name: string };
    readonly spec: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec;
  };
}

const POD_SECURITY_PREFIX = POD_SECURITY_ENFORCE_LABEL.slice(0, POD_SECURITY_ENFORCE_LABEL.lastIndexOf("/") + 1);

/** Only the Pod Security labels: the guard does not hold the owner or class labels. */
function podSecurityOnly(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith(POD_SECURITY_PREFIX)));
}

/** A CEL literal: JSON strings, lists and maps of strings are valid CEL (CEL spec, "Syntax"). */
function cel(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * The policy and its binding for `namespaces` (name → planned labels; labels other than
 * `pod-security.kubernetes.io/*` are ignored). Throws on an empty set: a guard of nothing
 * would be a policy that matches every namespace write for no reason.
 */
export function podSecurityGuard(namespaces: GuardedNamespaces): PodSecurityGuardObjects {
  const expected = Object.fromEntries(
    Object.entries(namespaces)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, labels]) => [name, podSecurityOnly(labels)]),
  );
  const names = Object.keys(expected);
  if (names.length === 0) throw new Error("podSecurityGuard: no namespace to guard");
  const policy = {
    metadata: { name: POD_SECURITY_GUARD },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [
          { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["namespaces"] },
        ],
      },
      // Evaluated before anything else, so other namespaces cost one list lookup.
      matchConditions: [{ name: "guarded-namespace", expression: `object.metadata.name in ${cel(names)}` }],
      variables: [
        { name: "expected", expression: `${cel(expected)}[object.metadata.name]` },
        { name: "labels", expression: "has(object.metadata.labels) ? object.metadata.labels : {}" },
        {
          name: "oldLabels",
          expression: "oldObject != null && has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}",
        },
      ],
      validations: [
        {
          // As planned; or, on an update, left exactly as they were: a write that does not
          // touch the labels (Argo CD's tracking annotation) is never refused while this
          // policy's new version propagates, which the API server does asynchronously.
          expression:
            "variables.expected.all(k, k in variables.labels && variables.labels[k] == variables.expected[k]) || " +
            "(request.operation == 'UPDATE' && variables.expected.all(k, (k in variables.labels) == (k in variables.oldLabels) && (!(k in variables.labels) || variables.labels[k] == variables.oldLabels[k])))",
          messageExpression: `"namespace " + object.metadata.name + ": its Pod Security labels are set by Phoenix (${POD_SECURITY_PREFIX}*); change the level in the stack file, not in Git or with kubectl"`,
          reason: "Forbidden",
        },
      ],
    },
  };
  const binding = {
    metadata: { name: POD_SECURITY_GUARD },
    spec: { policyName: POD_SECURITY_GUARD, validationActions: ["Deny"] },
  };
  return { policy, binding };
}
