import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCidr, parseCidr, planSubnets, subBlock, subnetTags } from "../../../components/cluster/network";

describe("CIDR parsing", () => {
  it("round-trips valid blocks", () => {
    for (const c of ["10.0.0.0/16", "172.16.0.0/12", "192.168.10.0/24", "0.0.0.0/0", "203.0.113.7/32"]) {
      const parsed = parseCidr(c);
      assert.ok(parsed, c);
      assert.equal(formatCidr(parsed), c);
    }
  });
  it("rejects malformed blocks and blocks with host bits set", () => {
    for (const c of ["10.0.0.0", "10.0.0.256/16", "10.0.0.0/33", "10.0.0.1/16", "abc", "10.0.0.0/16 "]) {
      assert.equal(parseCidr(c), undefined, c);
    }
  });
  it("carves sub-blocks and refuses impossible ones", () => {
    const vpc = parseCidr("10.0.0.0/16")!;
    assert.equal(formatCidr(subBlock(vpc, 18, 3)), "10.0.192.0/18");
    assert.throws(() => subBlock(vpc, 18, 4), /holds 4 \/18 blocks/);
    assert.throws(() => subBlock(vpc, 15, 0), /cannot carve/);
  });
});

describe("subnet plan", () => {
  it("gives three private /18 and three public /21 subnets in a /16, none overlapping", () => {
    const plan = planSubnets("10.20.0.0/16");
    assert.deepEqual(
      plan.map((p) => `${p.tier}-${p.azIndex} ${p.cidrBlock}`),
      [
        "private-0 10.20.0.0/18",
        "public-0 10.20.192.0/21",
        "private-1 10.20.64.0/18",
        "public-1 10.20.200.0/21",
        "private-2 10.20.128.0/18",
        "public-2 10.20.208.0/21",
      ],
    );
    const ranges = plan.map((p) => {
      const c = parseCidr(p.cidrBlock)!;
      return [c.base, c.base + 2 ** (32 - c.prefix) - 1];
    });
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        assert.ok(
          ranges[i][1] < ranges[j][0] || ranges[j][1] < ranges[i][0],
          `${plan[i].cidrBlock} overlaps ${plan[j].cidrBlock}`,
        );
      }
    }
  });
  it("scales with the VPC prefix and rejects prefixes it cannot split", () => {
    assert.deepEqual(
      planSubnets("10.1.0.0/20")
        .filter((p) => p.azIndex === 0)
        .map((p) => p.cidrBlock),
      ["10.1.0.0/22", "10.1.12.0/25"],
    );
    assert.throws(() => planSubnets("10.0.0.0/8"), /prefix from \/16 to \/20/);
    assert.throws(() => planSubnets("10.0.0.0/24"), /prefix from \/16 to \/20/);
  });
  it("tags public subnets for internet-facing and private ones for internal load balancers", () => {
    assert.deepEqual(subnetTags("public", "c1"), {
      "kubernetes.io/role/elb": "1",
      "kubernetes.io/cluster/c1": "shared",
    });
    assert.deepEqual(subnetTags("private", "c1"), {
      "kubernetes.io/role/internal-elb": "1",
      "kubernetes.io/cluster/c1": "shared",
    });
  });
});
