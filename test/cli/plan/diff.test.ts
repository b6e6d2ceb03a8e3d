/**
 * The offline plan diff: on the real prod plan changed the ways a pull request changes
 * it, and through `phoenix plan --against` on a copy of the repository.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { changedPaths, diffDangers, diffPlans, isEmpty, lineDiff, renderDiff } from "../../../cli/plan/diff";
import type { PlanDocument } from "../../../cli/plan/plan";
import { ROOT } from "../../helpers";
import { phoenix, repositoryCopy } from "../phoenix";

const golden = (): PlanDocument =>
  JSON.parse(fs.readFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), "utf8")) as PlanDocument;

describe("plan diff", () => {
  it("finds nothing between a plan and itself", () => {
    const d = diffPlans(golden(), golden());
    assert.ok(isEmpty(d));
    assert.match(renderDiff(d, "markdown"), /No change to the plan/);
  });

  it("puts a namespace leaving the backups first, with its schedules, and diffs Helm values key by key", async () => {
    const root = repositoryCopy();
    const file = path.join(root, "Pulumi.prod.yaml");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, "utf8")
        .replace("      - name: ml-models\n        description: Model artefacts uploaded by data scientists\n", "")
        .replace("ha: true", "ha: false"),
    );
    const base = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-base-")), "prod.json");
    fs.copyFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), base);
    const r = await phoenix(["plan", "diff", "--stack", "prod", "--against", base, "-o", "markdown"], root);
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout;
    const danger = text.indexOf("DANGER: something stops being backed up");
    assert.ok(danger > 0 && danger < text.indexOf("Inputs changed"), "coverage comes first");
    assert.match(text, /- ml-models leaves the backups: its state would no longer survive a disaster\n/);
    assert.match(
      text,
      /`ml-models` removed \(was imperative, backed up\): its objects stay in the cluster \(retainOnDelete\), unmanaged; no backup of it is taken any more/,
    );
    assert.match(text, /`daily`: changed; namespaces lost: ml-models/);
    assert.match(text, /removed `kubernetes:core\/v1:Namespace::ml-models`/);
    // Helm values path by path, not one blob.
    assert.match(text, /\| `values\.server\.replicas` \| 2 \| 1 \|/);
    assert.match(text, /\| `values\.redis-ha\.enabled` \| true \| false \|/);
    assert.doesNotMatch(text, /\| `values` \|/);
  });

  it("shows secrets only as [secret], and a long value around where it changes", () => {
    const changes = changedPaths(
      { a: { token: "[secret]", big: "x".repeat(200) + "OLD" } },
      { a: { token: "<secret: encrypted in the stack file, not decrypted offline>", big: "x".repeat(200) + "NEW" } },
    );
    assert.deepEqual(
      changes.map((c) => c.path),
      ["a.big"],
      "two secret placeholders compare equal",
    );
    const base = golden();
    const head: PlanDocument = {
      ...base,
      resources: base.resources.map((r) =>
        r.name === "argocd" && r.type.endsWith("Release")
          ? { ...r, inputs: { ...r.inputs, values: { secret: "[secret]" } } }
          : r,
      ),
    };
    const text = renderDiff(diffPlans(base, head), "text");
    assert.match(text, /values\.secret: \(absent\) -> "\[secret\]"/);
    const long = renderDiff(
      diffPlans(
        { ...base, resources: [{ ...base.resources[0], inputs: { s: "y".repeat(300) + "A" } }] },
        { ...base, resources: [{ ...base.resources[0], inputs: { s: "y".repeat(300) + "B" } }] },
      ),
      "text",
    );
    assert.match(long, /…y+A" -> …y+B"/);
  });

  it("diffs every stack against a base folder, a new stack whole, and refuses what is not a plan", async () => {
    const root = repositoryCopy();
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-base-"));
    assert.equal((await phoenix(["plan", "--all", "--out", base], root)).status, 0);
    assert.equal(
      (await phoenix(["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1"], root)).status,
      0,
    );
    const r = await phoenix(["plan", "diff", "--all", "--against", base, "-o", "markdown"], root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^<!-- phoenix-plan-diff -->/);
    assert.match(r.stdout, /### Offline plan diff: phoenix \/ prod\n\nNo change to the plan\./);
    assert.match(r.stdout, /### Offline plan diff: phoenix \/ use1[\s\S]*\(a new stack: everything is added\)/);
    fs.writeFileSync(path.join(base, "bad.json"), "{}");
    const bad = await phoenix(["plan", "diff", "--stack", "prod", "--against", path.join(base, "bad.json")], root);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a Phoenix plan/);
    assert.equal((await phoenix(["plan", "--stack", "prod", "--markdown"], root)).status, 2);
  });
});

describe("plan diff: what a reviewer needs", () => {
  it("shows a multi-line value (a ConfigMap's file) as a line diff, not an escaped string", () => {
    const base = golden();
    const cm = (text: string): PlanDocument => ({
      ...base,
      resources: [
        {
          ...base.resources[0],
          type: "kubernetes:core/v1:ConfigMap",
          name: "cfg",
          inputs: { data: { "app.yaml": text } },
        },
      ],
    });
    const before = "server:\n  port: 8080\n  replicas: 2\nlog: info\n";
    const after = "server:\n  port: 8080\n  replicas: 3\nlog: info\n";
    const md = renderDiff(diffPlans(cm(before), cm(after)), "markdown");
    assert.match(
      md,
      /`data\.app\.yaml`:\n\n```diff\n {2}server:\n {4}port: 8080\n- {3}replicas: 2\n\+ {3}replicas: 3\n {2}log: info\n/,
    );
    assert.doesNotMatch(md, /\\n/, "no escaped newline");
    assert.deepEqual(lineDiff("a\nb\nc", "a\nc\nd"), ["  a", "- b", "  c", "+ d"]);
  });

  it("says a shortened ttl is DANGER, and --fail-on-danger exits 1 on it", async () => {
    const base = golden();
    const shorter: PlanDocument = {
      ...base,
      backupSchedules: base.backupSchedules.map((sc) => ({ ...sc, ttl: "24h0m0s" })),
    };
    const d = diffPlans(base, shorter);
    assert.ok(
      diffDangers(d).some((x) => /'s backups are kept for less \(ttl: \d+h0m0s -> 24h0m0s\)/.test(x)),
      diffDangers(d).join("\n"),
    );
    const root = repositoryCopy();
    const file = path.join(root, "Pulumi.prod.yaml");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, "utf8")
        .replace("      - name: ml-models\n        description: Model artefacts uploaded by data scientists\n", ""),
    );
    const basePlan = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-base-")), "prod.json");
    fs.copyFileSync(path.join(ROOT, "test", "golden", "prod.plan.json"), basePlan);
    const failing = await phoenix(["plan", "diff", "--stack", "prod", "--against", basePlan, "--fail-on-danger"], root);
    assert.equal(failing.status, 1, failing.stderr);
    const json = await phoenix(["plan", "diff", "--stack", "prod", "--against", basePlan, "-o", "json"], root);
    assert.equal(json.status, 0);
    assert.deepEqual((JSON.parse(json.stdout) as { leavingBackups: string[] }).leavingBackups, ["ml-models"]);
  });

  it("keeps plan --against and --json PATH for one release, announcing their replacements", async () => {
    const root = repositoryCopy();
    const base = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-base-")), "prod.json");
    const old = await phoenix(["plan", "--stack", "prod", "--json", base], root);
    assert.equal(old.status, 0, old.stderr);
    assert.match(old.stderr, /"plan --json PATH" is deprecated .* use "phoenix plan --out PATH"/);
    const diff = await phoenix(["plan", "--stack", "prod", "--against", base, "--markdown"], root);
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(
      diff.stderr,
      /"plan --against BASE \[--markdown\]" is deprecated .* use "phoenix plan diff --against BASE \[-o markdown\]"/,
    );
    assert.match(diff.stdout, /### Offline plan diff: phoenix \/ prod\n\nNo change to the plan\./);
  });
});
