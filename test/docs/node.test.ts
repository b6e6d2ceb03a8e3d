/** The Node version the README asks for is what package.json declares, and every installed dependency accepts its lowest versions. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../helpers";

// semver comes with npm's own dependencies; only its satisfies() is used.
const semver = createRequire(path.join(ROOT, "package.json"))("semver") as {
  satisfies: (version: string, range: string) => boolean;
  minVersion: (range: string) => { version: string } | null;
};

function enginesOfDependencies(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.name.startsWith("@")) {
      enginesOfDependencies(p, out);
      continue;
    }
    const file = path.join(p, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; engines?: { node?: string } };
      if (pkg.name && pkg.engines?.node) out.set(pkg.name, pkg.engines.node);
    }
    if (fs.existsSync(path.join(p, "node_modules"))) enginesOfDependencies(path.join(p, "node_modules"), out);
  }
  return out;
}

describe("the Node version", () => {
  const range = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } })
    .engines.node;

  it("the README states package.json's engines.node", () => {
    assert.ok(fs.readFileSync(path.join(ROOT, "README.md"), "utf8").includes(`\`${range}\``), range);
  });

  it("every installed dependency accepts the lowest version of each line the range allows", () => {
    const lowest = range.split("||").map((r) => semver.minVersion(r.trim())?.version ?? r);
    const refused = [...enginesOfDependencies(path.join(ROOT, "node_modules"))].flatMap(([name, engines]) =>
      lowest.filter((v) => !semver.satisfies(v, engines)).map((v) => `${name} (${engines}) refuses Node ${v}`),
    );
    assert.deepEqual(refused, []);
    assert.ok(
      semver.satisfies(process.versions.node, range),
      `this machine's Node ${process.versions.node} is in ${range}`,
    );
  });
});
