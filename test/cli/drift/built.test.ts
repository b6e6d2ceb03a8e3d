/** The built command (dist/cli/run.js) answers `drift` as the sources do: plain Node, JSON out. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { ROOT } from "../../helpers";
import { phoenix, repositoryCopy } from "../phoenix";

const BUNDLE = path.join(ROOT, "dist", "cli", "run.js");

describe("phoenix drift, built", () => {
  before(() => {
    const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(build.status, 0, build.stderr);
  });

  it("compares prod with a replica replicate derived: exit 0, JSON with every difference's rule", async () => {
    const root = repositoryCopy();
    const rep = await phoenix(["replicate", "--from", "prod", "--region", "eu-central-1", "--stack", "euc1"], root);
    assert.equal(rep.status, 0, rep.stderr);
    const run = spawnSync(
      process.execPath,
      [BUNDLE, "--root", root, "drift", "--from", "prod", "--to", "euc1", "-o", "json"],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { from: string; to: string; drift: number; differences: { rule?: string }[] };
    assert.deepEqual([doc.from, doc.to, doc.drift], ["prod", "euc1", 0]);
    assert.ok(doc.differences.length > 0 && doc.differences.every((d) => d.rule !== undefined));
  });
});
