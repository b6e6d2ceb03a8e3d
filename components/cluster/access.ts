import { createHash } from "node:crypto";

/**
 * Pure mapping from the stack's access entries to `@pulumi/eks` access entries
 * (authenticationMode API: no aws-auth ConfigMap; EKS user guide, "Access entries").
 */

/** The EKS access policies Phoenix offers, by short name. */
export const ACCESS_POLICIES = {
  "cluster-admin": "AmazonEKSClusterAdminPolicy",
  admin: "AmazonEKSAdminPolicy",
  edit: "AmazonEKSEditPolicy",
  view: "AmazonEKSViewPolicy",
} as const;

/** One access entry as the stack sets it. */
export interface AccessEntryInput {
  /** IAM role or user ARN. */
  readonly principalArn: string;
  /** Short policy name. */
  readonly policy: keyof typeof ACCESS_POLICIES;
  /** Namespaces the policy is limited to; cluster-wide when absent. */
  readonly namespaces?: readonly string[];
}

/** An access entry in the shape `eks.ClusterArgs.accessEntries` takes; `A` is the policy ARN type. */
export interface EksAccessEntry<A> {
  readonly principalArn: string;
  readonly accessPolicies: Record<
    string,
    { readonly policyArn: A; readonly accessScope: { type: "cluster" } | { type: "namespace"; namespaces: string[] } }
  >;
}

/**
 * Builds the access entries (`policyArn` turns an EKS cluster access policy name into
 * its ARN, in the partition the caller looked up): one per principal (EKS allows one entry per principal),
 * holding every policy the stack grants it. The key is derived from the principal alone
 * (readable name plus a hash of the full ARN, since `role/a/b` and `role/a-b` read the
 * same), so reordering the stack file's list replaces nothing.
 */
export function eksAccessEntries<A>(
  entries: readonly AccessEntryInput[],
  policyArn: (clusterAccessPolicy: string) => A,
): Record<string, EksAccessEntry<A>> {
  const result: Record<string, EksAccessEntry<A>> = {};
  for (const e of entries) {
    const readable = e.principalArn
      .split(":")
      .slice(4)
      .join("-")
      .replace(/[^A-Za-z0-9-]/g, "-");
    const key = `${readable}-${createHash("sha256").update(e.principalArn).digest("hex").slice(0, 8)}`;
    const entry = (result[key] ??= { principalArn: e.principalArn, accessPolicies: {} });
    if (entry.accessPolicies[e.policy]) {
      throw new Error(`access entry for ${e.principalArn} grants ${e.policy} twice: merge the two entries' namespaces`);
    }
    entry.accessPolicies[e.policy] = {
      policyArn: policyArn(ACCESS_POLICIES[e.policy]),
      accessScope: e.namespaces ? { type: "namespace", namespaces: [...e.namespaces] } : { type: "cluster" },
    };
  }
  return result;
}
