/**
 * Rules the guide sets for the code itself: no region, availability zone, account or
 * partition written into the layers or the composition, and no version outside the
 * catalog. The stack files and the catalog are where such values belong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ROOT } from "./helpers";

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Code lines, without comments (`//` lines and JSDoc/block comment lines). */
function codeLines(file: string): { line: number; text: string }[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => ({ line: i + 1, text }))
    .filter(({ text }) => !/^\s*(\/\/|\/\*|\*)/.test(text));
}

// Everything but stacks/config.ts, whose error messages cite example regions on purpose.
const layerFiles = [...sources(path.join(ROOT, "components")), ...sources(path.join(ROOT, "stacks")).filter((f) => !f.endsWith(path.join("stacks", "config.ts")))];

function offenders(pattern: RegExp, files: string[]): string[] {
  return files.flatMap((f) => codeLines(f).filter((l) => pattern.test(l.text)).map((l) => `${path.relative(ROOT, f)}:${l.line}: ${l.text.trim()}`));
}

describe("code hygiene", () => {
  it("hard-codes no region, availability zone, account id or partition in the layers", () => {
    assert.ok(layerFiles.length >= 10, "the scan sees the layer sources");
    assert.deepEqual(offenders(/\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-(north|south|east|west|central|northeast|southeast|northwest|southwest|gov-[a-z]+)-\d[a-z]?\b/, layerFiles), []);
    assert.deepEqual(offenders(/\b\d{12}\b/, layerFiles), []);
    assert.deepEqual(offenders(/arn:aws[:-]/, layerFiles), []);
  });

  it("pins versions only in the catalog", () => {
    const notCatalog = layerFiles.filter((f) => !f.endsWith(path.join("components", "catalog.ts")));
    assert.deepEqual(offenders(/["'`]v?\d+\.\d+(\.\d+)?(-eksbuild\.\d+)?["'`]|:v\d+\.\d+/, notCatalog), []);
  });
});

describe("project layout", () => {
  it("Pulumi.yaml names a nodejs runtime and an entry that exports the stack outputs", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; runtime: { name: string }; main: string };
    assert.equal(project.name, "phoenix");
    assert.equal(project.runtime.name, "nodejs");
    const entry = fs.readFileSync(path.join(ROOT, project.main), "utf8");
    for (const output of ["region", "clusterName", "kubeconfig", "backupBucket", "imperativeNamespaces", "namespaces"]) {
      assert.match(entry, new RegExp(`export const ${output} =`), output);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main: string };
    assert.equal(pkg.main, project.main, "package.json main and Pulumi.yaml main agree");
  });
});
