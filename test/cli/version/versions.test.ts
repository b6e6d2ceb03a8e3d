/** `phoenix version` and `--version`: every pin of the catalog, from the sources and the built command alike. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { addons, charts, images } from "../../../components/catalog";
import { ownPackageJson } from "../../../cli/version/command";
import { versions, type Pin } from "../../../cli/version/versions";
import { ROOT } from "../../helpers";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

describe("phoenix version", () => {
  it("lists Phoenix, its @pulumi packages as package.json pins them, and every add-on, chart and image of the catalog", () => {
    const pins = versions(pkg);
    assert.deepEqual(pins[0], { kind: "phoenix", name: "phoenix", version: pkg.version });
    const of = (kind: Pin["kind"]) => pins.filter((p) => p.kind === kind).map((p) => `${p.name}@${p.version}`);
    assert.deepEqual(
      of("package"),
      Object.entries(pkg.dependencies)
        .filter(([n]) => n.startsWith("@pulumi/"))
        .map(([n, v]) => `${n}@${v}`),
    );
    assert.deepEqual(
      of("chart"),
      Object.values(charts).map((c) => `${c.chart}@${c.version}`),
    );
    assert.deepEqual(
      of("add-on"),
      Object.values(addons).map((a) => `${a.name}@${a.version}`),
    );
    assert.deepEqual(
      of("image"),
      Object.values(images).map((i) => i.replace(/:([^:]+)$/, "@$1")),
    );
    assert.ok(
      pins.filter((p) => p.kind === "crd").every((p) => /^v\d+\.\d+\.\d+$/.test(p.version)),
      "each CRD manifest's tag",
    );
  });

  it("reads its own package.json however deep the file runs from (sources or dist/cli)", () => {
    assert.equal(ownPackageJson(path.join(ROOT, "cli", "version")).version, pkg.version);
    assert.equal(ownPackageJson(path.join(ROOT, "dist", "cli")).version, pkg.version);
  });

  it("answers --version and `version -o json` from the built command", () => {
    const bin = path.join(ROOT, "cli", "phoenix.cjs");
    assert.equal(
      execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim(),
      `phoenix ${pkg.version}`,
    );
    const json = JSON.parse(
      execFileSync(process.execPath, [bin, "version", "-o", "json"], { encoding: "utf8" }),
    ) as Pin[];
    assert.deepEqual(json, versions(pkg));
  });
});
