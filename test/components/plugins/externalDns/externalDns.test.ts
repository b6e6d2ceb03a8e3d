/** The external-dns plugin: records in exactly the configured zones, owned per cluster and region. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
  externalDns,
  externalDnsPolicy,
  externalDnsSettingsSchema,
  externalDnsValues,
  txtOwnerId,
} from "../../../../components/plugins/externalDns";
import { at, grants } from "../../../helpers";

const zones = [
  { id: "Z111", domain: "example.com" },
  { id: "Z222", domain: "example.org" },
];
const zoneArns = ["arn:aws:route53:::hostedzone/Z111", "arn:aws:route53:::hostedzone/Z222"];

describe("external-dns", () => {
  const settings = externalDnsSettingsSchema.parse({ enabled: true, hostedZones: zones });

  it("is opt-in: off by default, since it needs the hosted zones it may write", () => {
    assert.equal(externalDns.enabled(externalDnsSettingsSchema.parse({})), false);
    assert.equal(externalDns.enabled(settings), true);
  });

  it("may change and read records in exactly the configured zones; only ListHostedZones is on *", () => {
    assert.deepEqual(grants(externalDnsPolicy("aws", zones)), {
      "route53:ChangeResourceRecordSets": zoneArns,
      "route53:ListResourceRecordSets": zoneArns,
      "route53:ListTagsForResources": zoneArns,
      "route53:ListHostedZones": ["*"],
    });
  });

  it("filters on the zones' domains and ids, never deletes by default, and owns records per cluster and region", async () => {
    const values = externalDnsValues(settings, {
      clusterName: "blue",
      region: "eu-west-1",
      serviceAccountAnnotations: {},
    });
    assert.deepEqual(at(values, "domainFilters"), ["example.com", "example.org"]);
    assert.deepEqual(at(values, "extraArgs"), ["--zone-id-filter=Z111", "--zone-id-filter=Z222"]);
    assert.equal(at(values, "policy"), "upsert-only");
    assert.deepEqual(at(values, "provider"), { name: "aws" });
    const owner = at(values, "txtOwnerId") as pulumi.Output<string>;
    assert.equal(await new Promise((r) => owner.apply(r)), "blue.eu-west-1");
  });

  it("gives two regions of one cluster name, and two clusters in one region, different owner ids", () => {
    const ids = new Set([
      txtOwnerId("blue", "eu-west-1"),
      txtOwnerId("blue", "eu-central-1"),
      txtOwnerId("green", "eu-west-1"),
    ]);
    assert.equal(ids.size, 3);
  });
});
