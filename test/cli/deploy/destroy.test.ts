/**
 * `phoenix destroy` end to end with a scripted engine, against a copy of the
 * repository's stack files: the platform stack alone is destroyed (through the engine's
 * destroy, which runs the program and so its teardown hook), the storage stack never
 * is; confirmation by typing the stack name at a terminal, `--yes` otherwise; what it
 * refuses before the engine is reached.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { main } from "../../../cli/main";
import { phoenix, repositoryCopy, ScriptedEngine, unprotectedCopy, type PhoenixRun } from "../phoenix";

/** Runs `phoenix` with a terminal on stdin that types `answer`. */
async function atTerminal(
  argv: readonly string[],
  root: string,
  engine: ScriptedEngine,
  answer: string,
): Promise<PhoenixRun> {
  let stdout = "";
  let stderr = "";
  const input = Object.assign(new PassThrough(), { isTTY: true });
  input.end(answer);
  const status = await main(argv, {
    root: () => root,
    engine: () => engine,
    io: { out: (t) => void (stdout += t), err: (t) => void (stderr += t), input },
  });
  return { status, stdout, stderr };
}

const ops = (engine: ScriptedEngine): string[] => engine.calls.map((c) => `${c.op} ${c.stack}`);

describe("phoenix destroy", () => {
  it("with --yes, destroys the platform stack alone and says the backup storage stays", async () => {
    const engine = new ScriptedEngine();
    const r = await phoenix(["destroy", "--stack", "prod", "--yes"], unprotectedCopy(), engine);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ops(engine), ["ensureStack platform/prod", "resourceUrns platform/prod", "destroy platform/prod"]);
    assert.equal(engine.calls[0].detail?.create, false, "a missing stack is never created to be destroyed");
    assert.ok(!engine.calls.some((c) => c.stack.startsWith("storage/")), "the storage stack is never touched");
    assert.equal(
      r.stdout,
      [
        "destroy of platform stack prod (eu-west-1):",
        "  platform: delete 3",
        `  backup storage: organization/phoenix-backup-storage/prod: not touched (${path.join("stacks", "backup-storage", "Pulumi.prod.yaml")}); its bucket, keys and replica stay`,
        "The stack and Pulumi.prod.yaml stay: `phoenix up --stack prod` builds the platform again and reconnects Velero to the same backups.",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON with -o json (and with --json, for one release, announcing -o json)", async () => {
    const expected = {
      stack: "prod",
      operation: "destroy",
      platform: { delete: 3 },
      storage: { stack: "organization/phoenix-backup-storage/prod", destroyed: false },
    };
    const r = await phoenix(
      ["destroy", "--stack", "prod", "--yes", "-o", "json"],
      unprotectedCopy(),
      new ScriptedEngine(),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), expected);
    const old = await phoenix(
      ["destroy", "--stack", "prod", "--yes", "--json"],
      unprotectedCopy(),
      new ScriptedEngine(),
    );
    assert.deepEqual(JSON.parse(old.stdout), expected);
    assert.match(old.stderr, /"destroy --json" is deprecated .* use "phoenix destroy -o json"/);
  });

  it("asks at a terminal: the typed stack name confirms", async () => {
    const engine = new ScriptedEngine();
    const r = await atTerminal(["destroy", "--stack", "prod"], unprotectedCopy(), engine, "prod\n");
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /This deletes platform stack prod \(eu-west-1\): .* The backup storage stack organization\/phoenix-backup-storage\/prod is never destroyed here/,
    );
    assert.match(r.stderr, /Type the stack name \(prod\) to destroy it:/);
    assert.deepEqual(ops(engine), ["ensureStack platform/prod", "resourceUrns platform/prod", "destroy platform/prod"]);
  });

  it("asks at a terminal: anything else destroys nothing (exit 1)", async () => {
    for (const answer of ["y\n", "yes\n", "Prod\n", ""]) {
      const engine = new ScriptedEngine();
      const r = await atTerminal(["destroy", "--stack", "prod"], unprotectedCopy(), engine, answer);
      assert.equal(r.status, 1, JSON.stringify(answer));
      assert.match(r.stderr, /Not confirmed: nothing was destroyed\./);
      assert.deepEqual(engine.calls, []);
    }
  });

  it("without --yes and without a terminal, is a usage error (exit 2) before the engine", async () => {
    const r = await phoenix(["destroy", "--stack", "prod"], unprotectedCopy());
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "destroy of platform stack prod needs --yes when no terminal can confirm it\n");
    assert.equal(r.stdout, "");
  });

  it("refuses (exit 2) a stack whose cluster has deletion protection, naming the key and the fix", async () => {
    const r = await phoenix(["destroy", "--stack", "prod", "--yes"], repositoryCopy());
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^Pulumi\.prod\.yaml: phoenix:cluster\.deletionProtection is true, .* set it to false, run `phoenix up --stack prod`, then destroy\n$/,
    );
  });

  it("refuses (exit 2) an unknown stack, and one that still holds its backup bucket, before destroying anything", async () => {
    const unknown = await phoenix(["destroy", "--stack", "nowhere", "--yes"], unprotectedCopy());
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Pulumi\.nowhere\.yaml/);

    const engine = new ScriptedEngine({
      urns: {
        "platform/prod": [
          "urn:pulumi:prod::phoenix::phoenix:plugins:Plugins$aws:s3/bucket:Bucket::plugins-velero-backups",
        ],
      },
    });
    const legacy = await phoenix(["destroy", "--stack", "prod", "--yes"], unprotectedCopy(), engine);
    assert.equal(legacy.status, 2);
    assert.match(legacy.stderr, /Pulumi\.prod\.yaml: stack prod still holds its backup bucket/);
    assert.ok(!ops(engine).includes("destroy platform/prod"));
  });

  it("reports an engine failure (exit 1), and that the backup storage stays", async () => {
    const engine = new ScriptedEngine({ fail: ["destroy platform/prod"] });
    const r = await phoenix(["destroy", "--stack", "prod", "--yes"], unprotectedCopy(), engine);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /engine operation failed: scripted failure of destroy platform\/prod\n/);
    assert.match(
      r.stderr,
      /backup storage stack organization\/phoenix-backup-storage\/prod is never destroyed here.* run `phoenix destroy --stack prod` again/,
    );
    assert.equal(r.stdout, "");
  });

  it("shows examples and what it waits for in --help", async () => {
    const r = await phoenix(["destroy", "--help"], repositoryCopy());
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n {2}\$ phoenix destroy --stack use1/);
    assert.match(r.stdout, /LoadBalancer Services, Ingresses and Gateways/);
  });
});
