/**
 * The real entry points under Pulumi's own TypeScript loader (vendored ts-node, the
 * project's typescript, type-checking on): what `pulumi up` would load in each project,
 * short of the engine itself, which cannot run here.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import type { PlanDocument } from "../../../cli/plan/plan";
import { PHOENIX_POLICIES } from "../../../policy/rules";
import { REPLICATED_STORAGE_OUTPUTS, ROOT } from "../../helpers";

interface Loaded {
  readonly project: string;
  readonly outputs: Record<string, unknown>;
  readonly resources: string[];
}

const golden = (file: string): PlanDocument =>
  JSON.parse(fs.readFileSync(path.join(ROOT, "test", "golden", file), "utf8")) as PlanDocument;
const names = (doc: PlanDocument): string[] => doc.resources.map((r) => `${r.type}::${r.name}`).sort();
const main = (projectDir: string): string =>
  (parse(fs.readFileSync(path.join(ROOT, projectDir, "Pulumi.yaml"), "utf8")) as { main: string }).main;

describe("Pulumi entry points", () => {
  it("load stacks/backup-storage/index.ts and stacks/platform/index.ts through Pulumi's ts-node, type-checked, and declare what the plans show", () => {
    // The entries Pulumi runs are the ones this test loads.
    assert.equal(path.join(ROOT, main(".")), path.join(ROOT, "stacks", "platform", "index.ts"));
    assert.equal(
      path.join(ROOT, "stacks", "backup-storage", main(path.join("stacks", "backup-storage"))),
      path.join(ROOT, "stacks", "backup-storage", "index.ts"),
    );

    const r = spawnSync(process.execPath, [path.join(__dirname, "pulumi-entry.cjs")], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const loaded = JSON.parse(r.stdout) as {
      tsnode: string;
      typescript: string;
      storage: Loaded;
      platform: Loaded;
      policies: string[];
    };
    assert.deepEqual(
      loaded.policies,
      PHOENIX_POLICIES.map((p) => p.name),
      "the policy pack's rules compile under Pulumi's ts-node too",
    );
    assert.equal(loaded.tsnode, "ts-node@7.0.1", "Pulumi's vendored ts-node, as the language host uses it");
    assert.match(loaded.typescript, /^5\./, "the project's typescript, not the vendored 3.8");

    assert.equal(loaded.storage.project, "phoenix-backup-storage");
    assert.deepEqual(Object.keys(loaded.storage.outputs).sort(), REPLICATED_STORAGE_OUTPUTS);
    const storagePlan = golden("phoenix-backup-storage.prod.plan.json");
    assert.deepEqual(loaded.storage.outputs, storagePlan.outputs, "the storage entry exports what its plan shows");
    assert.deepEqual(loaded.storage.resources, names(storagePlan));

    assert.equal(loaded.platform.project, "phoenix");
    assert.deepEqual(Object.keys(loaded.platform.outputs).sort(), [
      "backupBucket",
      "backupStorage",
      "clusterName",
      "imperativeNamespaces",
      "kubeconfig",
      "namespaces",
      "region",
      "restoreChecks",
      "restoreModifiers",
      "vpcId",
    ]);
    const platformPlan = golden("prod.plan.json");
    // Fed the storage entry's exports, the platform entry exports exactly the plan's outputs: its bucket is the storage stack's.
    assert.deepEqual(loaded.platform.outputs, platformPlan.outputs);
    assert.equal(loaded.platform.outputs.backupBucket, loaded.storage.outputs.bucket);
    assert.deepEqual(loaded.platform.resources, names(platformPlan));
  });
});
