/**
 * The real entry point under Pulumi's own TypeScript loader (vendored ts-node, the
 * project's typescript, type-checking on): what `pulumi up` would load, short of the
 * engine itself, which cannot run here.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlanDocument } from "../../../cli/offline/plan";
import { ROOT } from "../../helpers";

describe("Pulumi entry point", () => {
  it("loads stacks/index.ts through Pulumi's ts-node, type-checked, and declares the same platform as the plan", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "test", "pulumi-entry.cjs")], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const loaded = JSON.parse(r.stdout) as { tsnode: string; typescript: string; exports: string[]; resources: number };
    assert.equal(loaded.tsnode, "ts-node@7.0.1", "Pulumi's vendored ts-node, as the language host uses it");
    assert.match(loaded.typescript, /^5\./, "the project's typescript, not the vendored 3.8");
    assert.deepEqual(loaded.exports, ["backupBucket", "clusterName", "imperativeNamespaces", "kubeconfig", "namespaces", "region", "replicaBucket", "replicaKeyArn", "restoreModifiers"]);
    const golden = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), "utf8")) as PlanDocument;
    assert.equal(loaded.resources, golden.resources.length);
  });
});
