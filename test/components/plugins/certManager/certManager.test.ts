/** The cert-manager plugin: CRDs kept, DNS-01 limited to _acme-challenge records of the configured zones. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { certManagerPolicy, certManagerValues, clusterIssuerSpec } from "../../../../components/plugins/certManager";
import { at, grants } from "../../../helpers";

const zones = [
  { id: "Z111", domain: "example.com" },
  { id: "Z222", domain: "example.org" },
];
const zoneArns = ["arn:aws:route53:::hostedzone/Z111", "arn:aws:route53:::hostedzone/Z222"];

describe("cert-manager", () => {
  it("installs its CRDs with the chart and keeps them on uninstall, highly available, leases in its own namespace", () => {
    const values = certManagerValues({});
    assert.deepEqual(at(values, "crds"), { enabled: true, keep: true });
    assert.equal(at(values, "global", "leaderElection", "namespace"), "cert-manager");
    for (const part of [[], ["webhook"], ["cainjector"]]) {
      assert.equal(at(values, ...part, "replicaCount"), 2, `${part.join(".") || "controller"} replicas`);
      assert.deepEqual(at(values, ...part, "podDisruptionBudget"), { enabled: true });
    }
  });

  it("may write only _acme-challenge TXT records in the configured zones, and read its own changes", () => {
    const policy = certManagerPolicy("aws", zones);
    assert.deepEqual(grants(policy), {
      "route53:GetChange": ["arn:aws:route53:::change/*"],
      "route53:ChangeResourceRecordSets": zoneArns,
      "route53:ListResourceRecordSets": zoneArns,
    });
    const change = policy.Statement.find((s) => s.Action === "route53:ChangeResourceRecordSets");
    assert.deepEqual(change?.Condition, {
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
  });

  it("issues through one DNS-01 solver per zone, named by id, with ambient credentials", () => {
    const spec = clusterIssuerSpec(
      { email: "ops@example.com", hostedZones: zones, acmeServer: "staging" },
      "eu-west-1",
    );
    assert.match(String(at(spec, "acme", "server")), /acme-staging-v02/);
    assert.deepEqual(at(spec, "acme", "solvers"), [
      { selector: { dnsZones: ["example.com"] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: "Z111" } } },
      { selector: { dnsZones: ["example.org"] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: "Z222" } } },
    ]);
  });
});
