/** `phoenix access`, as a user runs it: the table, JSON, the exit status, and a storage stack without a restore reader. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { Judged } from "../../../cli/access/matrix";
import { phoenix, repositoryCopy } from "../phoenix";

describe("phoenix access", () => {
  it("prints every row as JSON and exits 0 when each is as expected", async () => {
    const run = await phoenix(["access", "--stack", "prod", "-o", "json"], repositoryCopy());
    assert.equal(run.status, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as Judged[];
    assert.ok(rows.length > 40);
    assert.deepEqual(
      rows.filter((r) => r.decision !== r.expect && !r.todo),
      [],
    );
    assert.ok(rows.some((r) => r.who === "velero" && r.action === "s3:DeleteObjectVersion" && r.decision === "Deny"));
  });

  it("exits 1 and says what to set when the storage names no restore reader: the drill's role then reads nothing", async () => {
    const root = repositoryCopy();
    const file = path.join(root, "stacks", "backup-storage", "Pulumi.prod.yaml");
    const text = fs.readFileSync(file, "utf8");
    const without = text.replace(/ {4}restoreReaders:\n(?: {6}- .*\n)+/, "");
    assert.notEqual(without, text);
    fs.writeFileSync(file, without);
    const run = await phoenix(["access", "--stack", "prod"], root);
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stdout, /restore-reader +Deny +s3:GetObject +replica object .*<< NOT AS EXPECTED/);
    assert.match(run.stderr, /no restore reader is set: phoenix-backup-storage:access.restoreReaders/);
  });

  it("refuses bad input with exit 2", async () => {
    assert.equal((await phoenix(["access"], repositoryCopy())).status, 2);
    assert.equal((await phoenix(["access", "--stack", "prod", "-o", "yaml"], repositoryCopy())).status, 2);
    assert.equal((await phoenix(["access", "--stack", "prod", "--account", "12"], repositoryCopy())).status, 2);
  });
});
