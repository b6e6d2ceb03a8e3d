/** The pinned price table: complete for every region it has, every row sourced and dated, and a missing key named. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  instanceHour,
  ITEM_NAMES,
  MissingPrice,
  PRICES,
  priceOf,
  pricesOf,
  READ_ON,
  type PriceRow,
} from "../../../cli/cost/prices";

const rows = (): [string, PriceRow][] =>
  Object.entries(PRICES).flatMap(([region, p]) => [
    ...Object.entries(p.items).map(([k, r]): [string, PriceRow] => [`${region} ${k}`, r]),
    ...Object.entries(p.ec2Hour).map(([k, r]): [string, PriceRow] => [`${region} ${k}`, r]),
  ]);

describe("the price table", () => {
  it("has the regions the stacks and tests use, each with every item and the instance types the stacks use", () => {
    for (const region of ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"]) {
      const p = pricesOf(region);
      assert.deepEqual(Object.keys(p.items).sort(), Object.keys(ITEM_NAMES).sort(), region);
      for (const type of ["m7i.large", "m6i.large", "m5.large", "t3.large", "t3.medium"])
        assert.ok(instanceHour(region, type).usd > 0, `${region} ${type}`);
    }
  });

  it("gives every row a positive price, an AWS pricing page, the day it was read and an honest basis", () => {
    for (const [key, r] of rows()) {
      assert.ok(r.usd > 0, key);
      assert.match(r.source, /^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\//, key);
      assert.equal(r.read, READ_ON, key);
      assert.match(READ_ON, /^\d{4}-\d{2}-\d{2}$/);
      if (r.basis === "cited" || r.basis === "derived") assert.match(r.citedAt ?? "", /^https?:\/\//, key);
      if (r.basis === "derived") assert.ok(r.note, `${key}: a derived row says how`);
    }
  });

  it("keeps the figures AWS states once for every region the same in every region", () => {
    for (const item of ["eksControlPlaneHour", "publicIpv4Hour", "kmsKeyMonth"] as const)
      assert.equal(new Set(Object.keys(PRICES).map((r) => priceOf(r, item).usd)).size, 1, item);
    assert.equal(priceOf("us-east-1", "eksControlPlaneHour").usd, 0.1);
  });

  it("names the file and the missing key for a region or instance type it lacks, and guesses nothing", () => {
    assert.throws(
      () => pricesOf("ap-south-1"),
      (e: unknown) =>
        e instanceof MissingPrice &&
        e.message ===
          "no price for region ap-south-1 in cli/cost/prices.ts: add it (with its source) to model this cost",
    );
    assert.throws(
      () => instanceHour("eu-west-1", "x9.huge"),
      /no price for instance type x9\.huge in eu-west-1 in cli\/cost\/prices\.ts/,
    );
    assert.throws(() => pricesOf("toString"), MissingPrice, "no prototype key passes for a region");
    assert.throws(() => instanceHour("us-east-1", "constructor"), MissingPrice);
  });
});
