/**
 * The README and docs/ read as one set: every relative link resolves to a file of the
 * repository, every section named in quotes in the README's table exists where it says,
 * and the README stays a front page (at most 200 lines).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../helpers";

function markdownFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? markdownFiles(path.join(dir, e.name)) : e.name.endsWith(".md") ? [path.join(dir, e.name)] : [],
    );
}

const files = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];

describe("README and docs/", () => {
  it("link only to files that exist", () => {
    const broken = files.flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)]
        .map((m) => m[1])
        .filter((t) => !/^(https?:|mailto:|#)/.test(t))
        .filter((t) => !fs.existsSync(path.resolve(path.dirname(f), t.split("#")[0])))
        .map((t) => `${path.relative(ROOT, f)}: ${t}`),
    );
    assert.deepEqual(broken, []);
  });

  it("name in the README's table only sections that exist in the file it links", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| \[(docs\/[^\]]+)\]\([^)]+\) \| (.+) \|$/gm)];
    assert.ok(rows.length >= 10, "the table of documents");
    const missing = rows.flatMap(([, file, text]) => {
      const doc = fs.readFileSync(path.join(ROOT, file), "utf8");
      return [...text.matchAll(/"([^"]+)"/g)]
        .map((m) => m[1])
        .filter((title) => !new RegExp(`^#+ ${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m").test(doc))
        .map((title) => `${file}: "${title}"`);
    });
    assert.deepEqual(missing, []);
  });

  it("keep the README a front page of at most 200 lines", () => {
    const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n").length;
    assert.ok(lines <= 200, `${lines} lines`);
  });
});
