/**
 * The deferred start-up of @pulumi/pulumi: in a fresh process, the stand-ins keep
 * `typescript` and `@npmcli/arborist` unloaded through a whole offline plan, and the
 * deferred functions still work, loading the real modules on first call.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../helpers";

const probe = `
const { deferPulumiStartup } = require(${JSON.stringify(path.join(ROOT, "cli", "plan", "deferPulumi.ts"))});
const deferred = deferPulumiStartup();
const loaded = (name) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + name + "/"));
(async () => {
  const { Planner } = require(${JSON.stringify(path.join(ROOT, "cli", "plan", "planner.ts"))});
  const { projects } = require(${JSON.stringify(path.join(ROOT, "cli", "stacks", "projects.ts"))});
  const doc = await new Planner(${JSON.stringify(ROOT)}).plan(projects(${JSON.stringify(ROOT)}).platform, { stack: "prod" });
  const during = { typescript: loaded("typescript"), arborist: loaded("@npmcli/arborist") };
  const paths = await require("@pulumi/pulumi").runtime.computeCodePaths({ extraIncludePackages: [] }).catch((e) => String(e));
  console.log(JSON.stringify({ deferred: deferred.map((f) => f.split("/").pop()), resources: doc.resources.length, during, afterCall: { arborist: loaded("@npmcli/arborist"), computed: typeof paths } }));
})();
`;

describe("deferred @pulumi/pulumi start-up", () => {
  it("keeps typescript and arborist unloaded through a plan, and loads them when a deferred function is called", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", probe], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
      deferred: string[];
      resources: number;
      during: Record<string, boolean>;
      afterCall: { arborist: boolean; computed: string };
    };
    assert.deepEqual(out.deferred.sort(), ["codePaths.js", "serializeClosure.js"]);
    assert.ok(out.resources > 50);
    assert.deepEqual(out.during, { typescript: false, arborist: false });
    assert.equal(out.afterCall.arborist, true, "the real module loads on first call");
    assert.equal(out.afterCall.computed, "object", "and answers: the code paths, not an error");
  });
});
