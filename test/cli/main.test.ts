/** The `phoenix` command itself: help on every command, exit statuses, and the built bin that `npx phoenix` runs. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../cli/main";
import { ROOT } from "../helpers";
import { phoenix } from "./phoenix";

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

describe("phoenix", () => {
  it("has --help with examples on every command and subcommand", async () => {
    const program = buildProgram(() => undefined, {
      root: () => ROOT,
      engine: () => assert.fail("no engine"),
      io: { out: () => undefined, err: () => undefined },
    });
    const names = allCommands(program).map((c) => c.name());
    for (const expected of ["plan", "charts", "verify", "audit", "replicate", "preview", "up"])
      assert.ok(names.includes(expected), expected);
    for (const c of allCommands(program)) {
      const argv = [...ancestry(c), "--help"];
      const r = await phoenix(argv, ROOT);
      assert.equal(r.status, 0, argv.join(" "));
      assert.match(r.stdout, /Examples:\n {2}\$ (npx )?phoenix /, `${argv.join(" ")} shows examples`);
    }
  });

  it("exits 2 on usage errors and says what was wrong", async () => {
    for (const [argv, message] of [
      [["bogus"], /unknown command 'bogus'/],
      [["plan"], /exactly one of --stack <name> and --all/],
      [["plan", "--stack", "prod", "--all"], /exactly one of --stack <name> and --all/],
      [["plan", "--stack", "prod", "--bogus"], /unknown option '--bogus'/],
      [["replicate", "--from", "prod"], /required option '-s, --stack <name>' not specified/],
      [["replicate", "--from", "prod", "--stack", "x"], /--region <region> is required/],
      [["audit"], /required option '--kubeconfig <file>' not specified/],
    ] as const) {
      const r = await phoenix(argv, ROOT);
      assert.equal(r.status, 2, argv.join(" "));
      assert.match(r.stderr, message);
    }
  });

  it("runs as `npx phoenix` from the built bin, without tsx", () => {
    assert.ok(
      fs.existsSync(path.join(ROOT, "dist", "cli", "run.js")),
      "npm ci (prepare) or npm run build made dist/cli/run.js",
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    assert.equal(pkg.bin.phoenix, "cli/phoenix.cjs");
    assert.match(pkg.scripts.prepare, /scripts\/build\.mjs/);
    for (const alias of ["plan", "charts:verify", "audit"])
      assert.match(pkg.scripts[alias], /^node cli\/phoenix\.cjs /, `npm run ${alias} calls the same entry`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-bin-")), "p.json");
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "cli", "phoenix.cjs"), "plan", "--stack", "prod", "--out", file],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Planned \d+ resources/);
    // The build (bundled, deferred start-up, no stack capture) plans exactly what the sources plan.
    assert.equal(
      fs.readFileSync(file, "utf8"),
      fs.readFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), "utf8"),
    );
  });
});

function ancestry(c: Command): string[] {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names;
}
