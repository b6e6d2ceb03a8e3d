/**
 * The offline plan diff: on the real prod plan changed the ways a pull request changes
 * it, and through `phoenix plan --against` on a copy of the repository.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { changedPaths, diffPlans, isEmpty, renderDiff } from "../../../cli/plan/diff";
import type { PlanDocument } from "../../../cli/plan/plan";
import { ROOT } from "../../helpers";
import { phoenix, repositoryCopy } from "../phoenix";

const golden = (): PlanDocument => JSON.parse(fs.readFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), "utf8")) as PlanDocument;

describe("plan diff", () => {
  it("finds nothing between a plan and itself", () => {
    const d = diffPlans(golden(), golden());
    assert.ok(isEmpty(d));
    assert.match(renderDiff(d, "markdown"), /No change to the plan/);
  });

  it("puts a namespace leaving the backups first, with its schedules, and diffs Helm values key by key", async () => {
    const root = repositoryCopy();
    const file = path.join(root, "Pulumi.prod.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("      - name: ml-models\n        description: Model artefacts uploaded by data scientists\n", "").replace("ha: true", "ha: false"));
    const base = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-base-")), "prod.json");
    fs.copyFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), base);
    const r = await phoenix(["plan", "--stack", "prod", "--against", base, "--markdown"], root);
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout;
    const danger = text.indexOf("DANGER: namespaces leave the backups");
    assert.ok(danger > 0 && danger < text.indexOf("Inputs changed"), "coverage comes first");
    assert.match(text, /- `ml-models`\n/);
    assert.match(text, /`daily`: changed; namespaces lost: ml-models/);
    assert.match(text, /removed `kubernetes:core\/v1:Namespace::ml-models`/);
    // Helm values path by path, not one blob.
    assert.match(text, /\| `values\.server\.replicas` \| 2 \| 1 \|/);
    assert.match(text, /\| `values\.redis-ha\.enabled` \| true \| false \|/);
    assert.doesNotMatch(text, /\| `values` \|/);
  });

  it("shows secrets only as [secret], and a long value around where it changes", () => {
    const changes = changedPaths({ a: { token: "[secret]", big: "x".repeat(200) + "OLD" } }, { a: { token: "<secret: encrypted in the stack file, not decrypted offline>", big: "x".repeat(200) + "NEW" } });
    assert.deepEqual(changes.map((c) => c.path), ["a.big"], "two secret placeholders compare equal");
    const base = golden();
    const head: PlanDocument = { ...base, resources: base.resources.map((r) => (r.name === "argocd" && r.type.endsWith("Release") ? { ...r, inputs: { ...r.inputs, values: { secret: "[secret]" } } } : r)) };
    const text = renderDiff(diffPlans(base, head), "text");
    assert.match(text, /values\.secret: \(absent\) -> "\[secret\]"/);
    const long = renderDiff(diffPlans({ ...base, resources: [{ ...base.resources[0], inputs: { s: "y".repeat(300) + "A" } }] }, { ...base, resources: [{ ...base.resources[0], inputs: { s: "y".repeat(300) + "B" } }] }), "text");
    assert.match(long, /…y+A" -> …y+B"/);
  });

  it("diffs every stack against a base folder, a new stack whole, and refuses what is not a plan", async () => {
    const root = repositoryCopy();
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-base-"));
    assert.equal((await phoenix(["plan", "--all", "--json", base], root)).status, 0);
    assert.equal((await phoenix(["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1"], root)).status, 0);
    const r = await phoenix(["plan", "--all", "--against", base, "--markdown"], root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^<!-- phoenix-plan-diff -->/);
    assert.match(r.stdout, /### Offline plan diff: phoenix \/ prod\n\nNo change to the plan\./);
    assert.match(r.stdout, /### Offline plan diff: phoenix \/ use1[\s\S]*\(a new stack: everything is added\)/);
    fs.writeFileSync(path.join(base, "bad.json"), "{}");
    const bad = await phoenix(["plan", "--stack", "prod", "--against", path.join(base, "bad.json")], root);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a Phoenix plan/);
    assert.equal((await phoenix(["plan", "--stack", "prod", "--markdown"], root)).status, 2);
  });
});
