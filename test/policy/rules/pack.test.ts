/**
 * The pack: its rules, its entry, and the workflow that runs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PHOENIX_POLICIES } from "../../../policy/rules";
import { ROOT } from "../../helpers";

describe("the pack", () => {
  it("holds every rule the issue lists, each mandatory or advisory with a reason", () => {
    assert.equal(PHOENIX_POLICIES.length, 10);
    assert.equal(new Set(PHOENIX_POLICIES.map((p) => p.name)).size, PHOENIX_POLICIES.length);
    for (const p of PHOENIX_POLICIES) {
      assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel), p.name);
      assert.ok(p.description.length > 60, `${p.name} says why`);
    }
    assert.deepEqual(
      PHOENIX_POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name),
      ["eks-control-plane-logs"],
    );
  });

  it("is a Node.js pack Pulumi loads from policy/, whose entry hands PolicyPack exactly these rules", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8")) as {
      runtime: { name: string };
      version: string;
    };
    assert.equal(project.runtime.name, "nodejs");
    assert.match(project.version, /^\d+\.\d+\.\d+$/);
    const entry = fs.readFileSync(path.join(ROOT, "policy", "index.ts"), "utf8");
    assert.match(entry, /new PolicyPack\("phoenix", \{ policies: \[\.\.\.PHOENIX_POLICIES\] \}\)/);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    assert.match(pkg.dependencies["@pulumi/policy"], /^\d+\.\d+\.\d+$/, "pinned exactly");
    // @pulumi/policy takes the pack's version from package.json in the folder the pack
    // runs in (policy.js, PolicyPack); without one the real CLI fails to load the pack
    // (found by test/e2e/scenarios/destroy.e2e.ts).
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as {
      version: string;
      dependencies?: unknown;
    };
    assert.equal(own.version, project.version, "the same version as PulumiPolicy.yaml");
    assert.equal(own.dependencies, undefined, "its dependencies are the repository's");
  });

  it("runs in every pull request's previews, found by an absolute path (the preview runs with --cwd in the project's folder)", () => {
    const workflow = fs.readFileSync(path.join(ROOT, ".github", "workflows", "preview.yml"), "utf8");
    assert.ok(
      workflow.includes(
        'if [ -f policy/PulumiPolicy.yaml ]; then args+=(--policy-pack "$GITHUB_WORKSPACE/policy"); fi',
      ),
    );
    assert.ok(workflow.includes('args=(preview --json --non-interactive --stack "$STACK" --cwd "$WORK_DIR")'));
    assert.ok(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")), "so the condition holds");
  });
});
