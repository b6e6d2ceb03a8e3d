/** Region metadata from the AWS SDK's partitions table: what Phoenix knows of a region without asking AWS. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { partitionOf, regionInfo } from "../../components/regions";

describe("regions", () => {
  it("names the partition, DNS suffix and AWS's own name of every region AWS lists", () => {
    assert.deepEqual(regionInfo("eu-west-1"), {
      partition: "aws",
      dnsSuffix: "amazonaws.com",
      description: "Europe (Ireland)",
    });
    assert.deepEqual(regionInfo("cn-northwest-1")?.partition, "aws-cn");
    assert.deepEqual(partitionOf("cn-northwest-1"), { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" });
    assert.deepEqual(partitionOf("us-gov-east-1"), { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" });
    assert.equal(partitionOf("us-iso-east-1")?.partition, "aws-iso");
  });

  it("knows nothing of a code AWS does not list, even one shaped like a region of a partition", () => {
    for (const code of ["xx-nowhere-1", "eu-west-9", "cn-nowhere-1", "us-gov-nowhere-1", "", "eu-west-1 "]) {
      assert.equal(regionInfo(code), undefined, JSON.stringify(code));
      assert.equal(partitionOf(code), undefined, JSON.stringify(code));
    }
  });
});
