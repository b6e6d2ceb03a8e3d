/** Workload identities: the IRSA trust policy. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { irsaTrustPolicy } from "../../components/identity";

describe("IRSA trust", () => {
  it("trusts one service account of one issuer, for STS only", () => {
    const doc = irsaTrustPolicy(
      "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
      "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
      "velero",
      "velero-server",
    );
    assert.deepEqual(doc.Statement[0].Condition, {
      StringEquals: {
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:velero:velero-server",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
      },
    });
    assert.equal(doc.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
  });
});
