/**
 * Pure IAM building blocks shared by the layers: EKS Pod Identity trust and policy
 * documents. Pod Identity is the default AWS identity of in-cluster components: the
 * trust names no OIDC issuer, so a replica region needs no per-cluster trust edits.
 */

/** One IAM policy statement. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: { readonly Service: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** Trust policy of a role assumed through EKS Pod Identity. */
export function podIdentityTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
  };
}
