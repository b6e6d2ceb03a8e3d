/**
 * One broken stack file breaks nothing that does not need it: `stack list` names it
 * invalid with its error, `plan --stack prod` still plans prod, and `plan --all` reports
 * every broken file at once.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { phoenix, repositoryCopy } from "../phoenix";

/** A copy of the repository with two broken platform stacks beside prod. */
function withBrokenStacks(): string {
  const root = repositoryCopy();
  const prod = fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8");
  fs.writeFileSync(path.join(root, "Pulumi.typo.yaml"), prod.replace("natGateways: perAz", "natGateway: perAz"));
  fs.writeFileSync(path.join(root, "Pulumi.yamlbad.yaml"), "config:\n  aws:region: [unclosed\n");
  return root;
}

describe("phoenix stack list, with broken stack files", () => {
  it("lists each broken file as invalid with its error, the valid ones as valid, and exits 0", async () => {
    const root = withBrokenStacks();
    const run = await phoenix(["stack", "list", "-o", "json"], root);
    assert.equal(run.status, 0, run.stderr);
    const entries = JSON.parse(run.stdout) as { stack: string; kind: string; valid: boolean; error?: string }[];
    const of = (stack: string) => entries.find((e) => e.kind === "platform" && e.stack === stack);
    assert.equal(of("prod")?.valid, true);
    assert.equal(of("typo")?.valid, false);
    assert.match(of("typo")?.error ?? "", /Pulumi\.typo\.yaml[\s\S]*phoenix:network\.natGateway: unknown key/);
    assert.equal(of("yamlbad")?.valid, false);
    assert.match(of("yamlbad")?.error ?? "", /Pulumi\.yamlbad\.yaml/);
    const table = await phoenix(["stack", "list"], root);
    assert.match(table.stdout, /platform +phoenix +\. +typo .* INVALID/);
    assert.match(table.stderr, /\.\/Pulumi\.typo\.yaml is invalid:/);
  });

  it("plans prod while another stack file is broken, and plan --all reports every broken file at once", async () => {
    const root = withBrokenStacks();
    const prod = await phoenix(["plan", "--stack", "prod"], root);
    assert.equal(prod.status, 0, prod.stderr);
    const all = await phoenix(["plan", "--all"], root);
    assert.equal(all.status, 2);
    assert.match(all.stderr, /Pulumi\.typo\.yaml/);
    assert.match(all.stderr, /Pulumi\.yamlbad\.yaml/);
  });

  it("replicate, which reads every stack's VPC block, says so when one cannot be read", async () => {
    const root = withBrokenStacks();
    const run = await phoenix(
      ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--write-only"],
      root,
    );
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /replicate reads every platform stack's VPC block to choose a free one, and Pulumi\.yamlbad\.yaml cannot be read/,
    );
  });
});
