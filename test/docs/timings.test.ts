/**
 * A duration the docs say something took was measured somewhere: the paragraph names the
 * machine (cores and memory), or says it is the same machine as the one before. Modeled
 * figures (the timeline, the rehearsal) cite their published sources instead and are
 * not worded as something that takes or took time here.
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

/** A sentence that reports a duration as something observed. */
const OBSERVED =
  /\b(takes?|took|starts? in|measured|plans? in)\b[^.|]*?\b(about|under|within)?\s*\d+(\.\d+)?\s?(ms|s|seconds?|minutes?|min)\b/i;
const MACHINE = /\d-core|same machine|same 2-core/i;
/** A published figure with its source (an upstream issue), or a modeled one: not measured here. */
const PUBLISHED = /[\w-]+\/[\w-]+ #\d+|\b[a-z-]+ #\d+|modeled/i;

describe("timings in the docs", () => {
  it("say on what machine they were measured", () => {
    const files = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))].filter(
      (f) => !f.endsWith(path.join("reference", "commands.md")),
    );
    const unnamed = files.flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split(/\n\s*\n|\n(?=- )/)
        .filter(
          (p) =>
            !p.startsWith("```") && !p.startsWith("|") && OBSERVED.test(p) && !MACHINE.test(p) && !PUBLISHED.test(p),
        )
        .map((p) => `${path.relative(ROOT, f)}: ${p.replace(/\s+/g, " ").slice(0, 160)}`),
    );
    assert.deepEqual(
      unnamed,
      [],
      "name the machine (e.g. 'on a 2-core, 24 GiB machine'), or word a modeled figure as modeled",
    );
  });
});
