/**
 * "Moving an existing bucket" (docs/operations/destroy-and-recreate.md) on the real Pulumi
 * engine: a platform stack whose Velero plugin component holds the bucket, `pulumi state
 * move` of that resource alone into the storage stack, and the storage program adopting
 * it through Phoenix's own `legacyAliases` (what `movedFromPrefix` turns on). The proof is
 * the one the runbook names: the storage preview shows no create, delete or replace of the
 * moved resource, and the platform's shows no delete of it. Dynamic resources stand in for
 * the bucket (test/e2e/programs/migration): the engine's state moves are the same for any
 * resource.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../../helpers";
import { engineCannotRun, engineEnv, pulumi, pulumiJson, writeProject } from "../harness/engine";
import { runDir } from "./setup";

const PROGRAMS = path.join(ROOT, "test", "e2e", "programs", "migration");

interface PreviewStep {
  readonly op: string;
  readonly urn: string;
}

const skip = engineCannotRun();
if (skip) console.log(`!!! SKIPPED: the bucket move on the real Pulumi engine: ${skip} !!!`);

describe("moving the bucket into the storage project, on the real Pulumi engine", { skip }, () => {
  const root = path.join(ROOT, ".e2e", `migration-${randomBytes(3).toString("hex")}`);
  const platform = path.join(root, "platform");
  const storage = path.join(root, "storage");
  let env: NodeJS.ProcessEnv = {};
  let urn = "";

  before(() => {
    writeProject(platform, "phoenix", path.join(PROGRAMS, "platform.ts"));
    writeProject(storage, "phoenix-backup-storage", path.join(PROGRAMS, "storage.ts"));
    env = engineEnv(runDir("migration-backend"));
    pulumi(env, platform, ["stack", "init", "prod"]);
    pulumi(env, platform, ["up", "--yes", "--non-interactive", "--stack", "prod"]);
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const steps = (dir: string): PreviewStep[] =>
    (pulumiJson(env, dir, ["preview", "--json", "--non-interactive", "--stack", "prod"]) as { steps?: PreviewStep[] })
      .steps ?? [];

  it("the platform holds the bucket inside its Velero plugin component", () => {
    const state = pulumiJson(env, platform, ["stack", "export", "--stack", "prod"]) as {
      deployment: { resources: { urn: string }[] };
    };
    urn = state.deployment.resources.map((r) => r.urn).find((u) => u.endsWith("::plugins-velero-backups")) ?? "";
    assert.match(urn, /::phoenix:plugins:Plugins\$pulumi-nodejs:dynamic:Resource::plugins-velero-backups$/);
  });

  it("pulumi state move takes it alone into the storage stack, and the storage adopts it by its alias: nothing created, deleted or replaced", () => {
    pulumi(env, storage, ["stack", "init", "prod"]);
    // As the runbook writes it: run in the platform's folder, --dest in the backend's organization.
    pulumi(env, platform, [
      "state",
      "move",
      "--source",
      "prod",
      "--dest",
      "organization/phoenix-backup-storage/prod",
      urn,
      "--yes",
      "--non-interactive",
    ]);
    // Without the alias, the engine would delete the moved bucket and create another: what the alias prevents.
    const unaliased = steps(storage);
    assert.ok(
      unaliased.some(
        (s) => s.op === "delete" && s.urn.endsWith("pulumi-nodejs:dynamic:Resource::plugins-velero-backups"),
      ),
      `without movedFromPrefix: ${JSON.stringify(unaliased)}`,
    );
    pulumi(env, storage, [
      "config",
      "set",
      "phoenix-backup-storage:movedFromPrefix",
      "plugins-velero",
      "--stack",
      "prod",
    ]);
    const moved = steps(storage);
    const record = moved.filter((s) => s.urn.endsWith("pulumi-nodejs:dynamic:Resource::backups"));
    assert.deepEqual(
      record.map((s) => s.op),
      ["same"],
      `the moved bucket is adopted as it is: ${JSON.stringify(moved)}`,
    );
    assert.deepEqual(
      moved.filter((s) => ["delete", "replace", "create-replacement", "delete-replaced"].includes(s.op)),
      [],
      "no delete or replace anywhere",
    );
    assert.ok(
      moved.some((s) => s.op === "create" && s.urn.endsWith("phoenix:backupStorage:BackupStorage::backups")),
      "only its new parent component is created",
    );
    pulumi(env, storage, ["up", "--yes", "--non-interactive", "--stack", "prod"]);
    assert.deepEqual(
      steps(storage)
        .filter((s) => s.op !== "same")
        .map((s) => s.op),
      [],
      "after the up, the storage stack is settled",
    );
  });

  it("the platform, no longer declaring the bucket, no longer holds it: its preview deletes nothing", () => {
    pulumi(env, platform, ["config", "set", "moved", "true", "--stack", "prod"]);
    const after = steps(platform);
    assert.deepEqual(
      after.filter((s) => s.op === "delete" || s.op === "replace"),
      [],
      JSON.stringify(after),
    );
  });
});
