/**
 * The Pod Security guard's objects, as plain data. That Kubernetes enforces them as meant
 * (refusing Git and kubectl, admitting Argo CD's planned labels) is proven on a real API
 * server in test/e2e/scenarios/admission.e2e.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { POD_SECURITY_GUARD, podSecurityGuard } from "../../../components/apps/podSecurityGuard";
import { podSecurityLabels } from "../../../components/labels";

const restricted = podSecurityLabels("restricted", "1.34");

describe("podSecurityGuard", () => {
  const { policy, binding } = podSecurityGuard({
    shop: { owner: "team", ...restricted },
    ledger: podSecurityLabels("baseline", "1.34"),
  });

  it("matches writes of the guarded namespaces only, and denies through its binding", () => {
    assert.deepEqual(policy.spec.matchConditions, [
      { name: "guarded-namespace", expression: 'object.metadata.name in ["ledger","shop"]' },
    ]);
    assert.deepEqual(binding, {
      metadata: { name: POD_SECURITY_GUARD },
      spec: { policyName: POD_SECURITY_GUARD, validationActions: ["Deny"] },
    });
    assert.equal(policy.spec.failurePolicy, "Fail");
  });

  it("holds each namespace to its own Pod Security labels, and to nothing else", () => {
    const variables = policy.spec.variables as { name: string; expression: string }[];
    const expected = variables.find((v) => v.name === "expected")?.expression ?? "";
    const literal = JSON.parse(expected.slice(0, expected.lastIndexOf("[object.metadata.name]"))) as Record<
      string,
      Record<string, string>
    >;
    assert.deepEqual(
      literal,
      { ledger: podSecurityLabels("baseline", "1.34"), shop: restricted },
      "the owner label is not held",
    );
  });

  it("refuses to guard nothing", () => {
    assert.throws(() => podSecurityGuard({}), /no namespace to guard/);
  });
});
