/** EKS access entries from the stack's short policy names. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACCESS_POLICIES, eksAccessEntries } from "../../../components/cluster/access";

describe("EKS access entries", () => {
  const arn = (policy: string): string => `arn:aws-cn:eks::aws:cluster-access-policy/${policy}`;
  it("maps short policy names to EKS access policies with cluster or namespace scope", () => {
    const entries = eksAccessEntries(
      [
        { principalArn: "arn:aws:iam::111122223333:role/admins", policy: "cluster-admin" },
        { principalArn: "arn:aws:iam::111122223333:role/devs", policy: "edit", namespaces: ["shop"] },
        { principalArn: "arn:aws:iam::111122223333:role/devs", policy: "view" },
      ],
      arn,
    );
    const byPrincipal = Object.fromEntries(
      Object.values(entries).map((e) => [e.principalArn.split("/").pop() ?? "", e] as const),
    );
    assert.equal(Object.keys(entries).length, 2, "one entry per principal");
    assert.equal(byPrincipal.admins.accessPolicies["cluster-admin"].policyArn, arn(ACCESS_POLICIES["cluster-admin"]));
    assert.deepEqual(byPrincipal.devs.accessPolicies.edit.accessScope, { type: "namespace", namespaces: ["shop"] });
    assert.deepEqual(byPrincipal.devs.accessPolicies.view.accessScope, { type: "cluster" });
    const reordered = eksAccessEntries(
      [
        { principalArn: "arn:aws:iam::111122223333:role/devs", policy: "view" },
        { principalArn: "arn:aws:iam::111122223333:role/admins", policy: "cluster-admin" },
      ],
      arn,
    );
    assert.deepEqual(
      Object.keys(entries).sort(),
      Object.keys(reordered).sort(),
      "keys depend on the principal, not on list order",
    );
  });
  it("never merges two principals whose ARNs read alike", () => {
    const entries = eksAccessEntries(
      [
        { principalArn: "arn:aws:iam::111122223333:role/team/admins", policy: "view" },
        { principalArn: "arn:aws:iam::111122223333:role/team-admins", policy: "cluster-admin" },
      ],
      arn,
    );
    assert.equal(Object.keys(entries).length, 2);
    const admins = Object.values(entries).find((e) => e.principalArn.endsWith("role/team-admins"));
    assert.deepEqual(Object.keys(admins?.accessPolicies ?? {}), ["cluster-admin"]);
  });

  it("refuses the same grant twice", () => {
    const e = { principalArn: "arn:aws:iam::111122223333:role/a", policy: "view" as const };
    assert.throws(() => eksAccessEntries([e, e], arn), /grants view twice/);
  });
});
