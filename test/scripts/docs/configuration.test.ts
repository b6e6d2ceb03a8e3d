/**
 * docs/reference/configuration.md's key tables are what the stack schemas generate: stale
 * means `npm run docs` was not run; and every key of the schemas says what it is for.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { z } from "zod";
import { configRows, configTable, configurationBlocks, withGeneratedBlocks } from "../../../scripts/docs/configuration";
import { ROOT } from "../../helpers";

const DOC = path.join(ROOT, "docs", "reference", "configuration.md");

describe("docs/reference/configuration.md", () => {
  it("holds exactly the key tables the schemas generate (run `npm run docs` after changing a schema)", () => {
    const file = fs.readFileSync(DOC, "utf8");
    assert.ok(file === withGeneratedBlocks(file), "docs/reference/configuration.md is stale: run npm run docs");
  });

  it("gives every key of the schemas a description (.meta({ description }) where the key is declared)", () => {
    const undescribed = configurationBlocks().flatMap((b) => b.rows.filter((r) => !r.description).map((r) => r.key));
    assert.deepEqual(undescribed, [], `keys without a description: ${undescribed.join(", ")}`);
  });

  it("reads as a reference: each key once, a default for each, no stray values", () => {
    for (const { name, rows } of configurationBlocks()) {
      const keys = rows.map((r) => r.key);
      assert.deepEqual(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        [],
        `${name}: keys twice`,
      );
      const table = configTable(rows);
      assert.doesNotMatch(table, /undefined|\[object Object\]|NaN/, name);
      assert.ok(
        rows.every((r) => r.default !== ""),
        name,
      );
    }
    const rows = new Map(
      configurationBlocks().flatMap((b) => b.rows.map((r) => [`${b.name} ${r.key}`, r.default] as const)),
    );
    assert.equal(rows.get("platform keys aws:region"), "**required**");
    assert.equal(
      rows.get("platform keys phoenix:cluster.name"),
      "`phoenix-<stack>`",
      "a default computed at run time, shown as written",
    );
    assert.equal(rows.get("platform keys phoenix:network.cidr"), "`10.0.0.0/16`");
    assert.equal(
      rows.get("platform keys phoenix:cluster.compute.mode"),
      "`managedNodeGroups`",
      "from the section's prefault",
    );
    assert.equal(rows.get("platform keys phoenix:gitops.applications[].syncPolicy.prune"), "`true`");
    assert.equal(rows.get("platform keys phoenix:gitops.credentials"), "none");
    assert.equal(rows.get("platform keys phoenix:plugins.externalDns.sources"), "`[service, ingress]`");
    assert.equal(rows.get("backup storage keys phoenix-backup-storage:access.admins"), "**required**");
    assert.equal(rows.get("backup storage keys phoenix-backup-storage:objectLock.mode"), "`GOVERNANCE`");
  });
});

describe("the configuration tables' walker", () => {
  it("names a key without a description, and finds descriptions on any wrapper", () => {
    const schema = z.object({
      region: z.string().meta({ description: "Region." }),
      bare: z.string(),
      wrapped: z.number().meta({ description: "Inner." }).default(3).optional(),
      list: z
        .array(z.object({ kind: z.enum(["a", "b"]).meta({ description: "Kind." }) }))
        .default([])
        .meta({ description: "List." }),
      byName: z
        .record(z.string(), z.object({ size: z.number().optional().meta({ description: "Size." }) }))
        .default({})
        .meta({ description: "Map." }),
      computed: z.string().optional().meta({ description: "Computed.", default: "`<stack>`" }),
    });
    const rows = configRows(schema, "p");
    assert.deepEqual(
      rows.map((r) => [r.key, r.default, r.meaning, r.description]),
      [
        ["aws:region", "**required**", "Region.", "Region."],
        ["p:bare", "**required**", "", undefined],
        ["p:wrapped", "`3`", "Inner.", "Inner."],
        ["p:list[]", "`[]`", "List.", "List."],
        ["p:list[].kind", "**required**", "Kind. One of `a` or `b`.", "Kind."],
        ["p:byName", "`{}`", "Map.", "Map."],
        ["p:byName.<name>.size", "none", "Size.", "Size."],
        ["p:computed", "`<stack>`", "Computed.", "Computed."],
      ],
    );
  });

  it("refuses a document without the markers to write into", () => {
    assert.throws(() => withGeneratedBlocks("# Stack configuration\n"), /no block "<!-- generated: platform keys/);
  });
});
