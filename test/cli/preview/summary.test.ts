/**
 * `phoenix preview-summary` on the engine's real `pulumi preview --json` samples
 * (../shared/reference/formats/pulumi-preview-json, SKIPPED loudly when absent), and on
 * cases built from a real replace step for Phoenix's own resources.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  backupLosses,
  COMMENT_LIMIT,
  PREVIEW_FAILED_MARKER,
  logicalSteps,
  PREVIEW_SUMMARY_MARKER,
  renderSummary,
  summarize,
  type PreviewDigest,
  type PreviewStep,
} from "../../../cli/preview/summary";
import { errorText } from "../../../cli/preview/diagnostics";
import { ROOT } from "../../helpers";
import { phoenix } from "../phoenix";

const SAMPLES = path.resolve(ROOT, "..", "shared", "reference", "formats", "pulumi-preview-json");
const haveSamples = fs.existsSync(SAMPLES);
if (!haveSamples)
  console.log(
    `!!! SKIPPED: ${SAMPLES} not found: preview-summary checks against the engine's real samples did not run !!!`,
  );
const sample = (f: string): PreviewDigest =>
  JSON.parse(fs.readFileSync(path.join(SAMPLES, f), "utf8")) as PreviewDigest;

/** A step shaped like the engine's own replace step (a real one from the samples when present). */
function replaceStep(urn: string, replaceReasons: string[], oldState: Record<string, unknown> = {}): PreviewStep {
  return {
    op: "replace",
    urn,
    oldState: { type: urn.split("::")[2], ...oldState },
    newState: { type: urn.split("::")[2] },
    diffReasons: replaceReasons,
    replaceReasons,
    detailedDiff: null,
  };
}
const urn = (project: string, type: string, name: string): string => `urn:pulumi:prod::${project}::${type}::${name}`;

describe("preview summary: real engine samples", { skip: !haveSamples && "reference samples absent" }, () => {
  it("counts every stack's operations as the engine's changeSummary does, without unchanged ones, and finds no danger in them", () => {
    const files = fs
      .readdirSync(SAMPLES)
      .filter((f) => f.endsWith(".json"))
      .sort();
    assert.ok(files.length >= 8);
    const s = summarize(files.map((f) => ({ source: f, digest: sample(f) })));
    files.forEach((f, i) => {
      const expected = Object.fromEntries(
        Object.entries(sample(f).changeSummary ?? {}).filter(([op]) => op !== "same"),
      );
      if (sample(f).changeSummary) assert.deepEqual(s.stacks[i].counts, expected, f);
    });
    assert.deepEqual(s.dangers, [], "application buckets, tags and random strings are not Phoenix's dangers");
    const md = renderSummary(s);
    assert.ok(md.startsWith(PREVIEW_SUMMARY_MARKER));
    assert.match(md, /### small-scale-10 \/ test-a692d456\n\n\| create \| update \| replace \| delete \|/);
    assert.doesNotMatch(md, /\| same/);
  });

  it("takes a replace shown as its two halves once", () => {
    const real = sample("drift-adopter-aws_tags_and_sets.json").steps!.find((s) => s.op === "replace")!;
    const halves: PreviewStep[] = [
      { ...real, op: "create-replacement" },
      { ...real, op: "delete-replaced", replaceReasons: undefined },
    ];
    assert.deepEqual(
      logicalSteps(halves).map((s) => [s.op, s.replaceReasons]),
      [["replace", ["description"]]],
    );
    const s = summarize([{ source: "x", digest: { steps: halves } }]);
    assert.deepEqual(s.stacks[0].counts, { replace: 1 });
  });
});

describe("preview summary: Phoenix's dangerous steps", () => {
  const clusterReplace = replaceStep(
    urn("phoenix", "phoenix:cluster:Cluster$eks:index:Cluster$aws:eks/cluster:Cluster", "phoenix-prod-eksCluster"),
    ["vpcConfig"],
  );
  const nodeGroupReplace: PreviewStep = {
    ...replaceStep(urn("phoenix", "phoenix:cluster:Cluster$aws:eks/nodeGroup:NodeGroup", "phoenix-prod-system"), []),
    detailedDiff: { amiType: { kind: "update-replace" }, labels: { kind: "update" } },
  };
  const bucketDelete: PreviewStep = {
    op: "delete",
    urn: urn("phoenix-backup-storage", "phoenix:backupStorage:BackupStorage$aws:s3/bucket:Bucket", "backups"),
    oldState: { protect: true, retainOnDelete: true },
    detailedDiff: null,
  };
  const keyDelete: PreviewStep = {
    op: "delete",
    urn: urn("phoenix-backup-storage", "phoenix:backupStorage:BackupStorage$aws:kms/key:Key", "backups"),
    oldState: { retainOnDelete: true },
    detailedDiff: null,
  };
  const velero = (namespaces: string[]) => ({
    chart: "velero",
    values: { schedules: { daily: { schedule: "0 3 * * *", template: { includedNamespaces: namespaces } } } },
  });
  const scheduleShrink: PreviewStep = {
    op: "update",
    urn: urn("phoenix", "phoenix:plugins:Plugins$kubernetes:helm.sh/v3:Release", "velero"),
    oldState: { inputs: velero(["ml-models", "payments-ledger"]) },
    newState: { inputs: velero(["payments-ledger"]) },
    diffReasons: ["values"],
    detailedDiff: null,
  };
  const namespaceDelete: PreviewStep = {
    op: "delete",
    urn: urn("phoenix", "phoenix:apps:Apps$kubernetes:core/v1:Namespace", "payments-ledger"),
    oldState: {},
    detailedDiff: null,
  };
  const roleReplace = replaceStep(urn("phoenix", "phoenix:plugins:Plugins$aws:iam/role:Role", "plugins-velero"), [
    "name",
  ]);
  const benignTags: PreviewStep = {
    op: "update",
    urn: urn("phoenix", "phoenix:cluster:Cluster$aws:ec2/vpc:Vpc", "phoenix-prod-vpc"),
    oldState: {},
    newState: {},
    diffReasons: ["tags"],
    detailedDiff: { "tags.cost-center": { kind: "update" } },
  };

  it("names each dangerous step, what forces the replace, and what protect or retainOnDelete make of it", () => {
    const s = summarize([
      {
        source: "platform.json",
        digest: { steps: [clusterReplace, nodeGroupReplace, scheduleShrink, namespaceDelete, roleReplace, benignTags] },
      },
      { source: "storage.json", digest: { steps: [bucketDelete, keyDelete] } },
    ]);
    const rows = s.dangers.map((d) => [d.resource, d.operation, d.forcedBy.join(","), d.outcome.split(":")[0]]);
    assert.deepEqual(rows, [
      ["phoenix-prod-eksCluster", "replace", "vpcConfig", "nothing stops it"],
      ["phoenix-prod-system", "replace", "amiType", "nothing stops it"],
      ["velero", "update", "", "the resource stays; what it covers changes"],
      ["payments-ledger", "delete", "", "nothing stops it"],
      ["plugins-velero", "replace", "name", "nothing stops it"],
      ["backups", "delete", "", "protected"],
      ["backups", "delete", "", "retainOnDelete"],
    ]);
    assert.match(s.dangers[2].why, /no Velero schedule backs up ml-models any more/);
    const md = renderSummary(s);
    assert.ok(md.indexOf("dangerous steps") < md.indexOf("### phoenix / prod"), "dangers come first");
    assert.doesNotMatch(
      md,
      /phoenix-prod-vpc/,
      "a tag change is not listed as a danger, and unchanged or benign rows are only counted",
    );
    assert.match(md, /### phoenix \/ prod\n\n\| update \| replace \| delete \|\n\|---\|---\|---\|\n\| 2 \| 3 \| 1 \|/);
  });

  it("a benign tag change alone is no danger", () => {
    assert.deepEqual(summarize([{ source: "x", digest: { steps: [benignTags] } }]).dangers, []);
  });

  it("--fail-on-danger exits 1 on danger, 0 without; a file that is no digest exits 2", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-previews-"));
    fs.writeFileSync(
      path.join(dir, "danger.json"),
      JSON.stringify({ steps: [clusterReplace], changeSummary: { replace: 1 } }),
    );
    fs.writeFileSync(
      path.join(dir, "fine.json"),
      JSON.stringify({ steps: [benignTags], changeSummary: { update: 1 } }),
    );
    fs.writeFileSync(path.join(dir, "bad.json"), "Previewing update (prod):");
    const danger = await phoenix(
      ["preview-summary", "--fail-on-danger", path.join(dir, "danger.json"), path.join(dir, "fine.json")],
      ROOT,
    );
    assert.equal(danger.status, 1);
    assert.match(danger.stdout, /:warning: 1 dangerous step/);
    assert.equal((await phoenix(["preview-summary", "--fail-on-danger", path.join(dir, "fine.json")], ROOT)).status, 0);
    assert.equal(
      (await phoenix(["preview-summary", path.join(dir, "danger.json")], ROOT)).status,
      0,
      "without the flag, danger is reported, not failed",
    );
    const bad = await phoenix(["preview-summary", path.join(dir, "bad.json")], ROOT);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad\.json: not the JSON of `pulumi preview --json`/);
  });
});

describe("preview summary: what stops backing something up, and the network", () => {
  const release = (schedules: Record<string, { ns: string[]; ttl?: string }>) => ({
    chart: "velero",
    values: {
      schedules: Object.fromEntries(
        Object.entries(schedules).map(([k, v]) => [
          k,
          { schedule: "@daily", template: { includedNamespaces: v.ns, ...(v.ttl ? { ttl: v.ttl } : {}) } },
        ]),
      ),
    },
  });
  const veleroStep = (
    op: string,
    before: ReturnType<typeof release>,
    after?: ReturnType<typeof release>,
  ): PreviewStep => ({
    op,
    urn: urn("phoenix", "phoenix:plugins:Plugins$kubernetes:helm.sh/v3:Release", "velero"),
    oldState: { inputs: before },
    ...(after ? { newState: { inputs: after } } : {}),
    detailedDiff: null,
  });
  const why = (steps: PreviewStep[]): string[] =>
    summarize([{ source: "p", digest: { steps } }]).dangers.map((d) => d.why);
  const both = release({
    hourly: { ns: ["payments-ledger"], ttl: "168h0m0s" },
    daily: { ns: ["ml-models", "payments-ledger"], ttl: "720h0m0s" },
  });

  it("flags a namespace no schedule covers any more, backups.enabled: false and a deleted release, but not a namespace moved between schedules", () => {
    const moved = release({
      hourly: { ns: ["payments-ledger", "ml-models"], ttl: "168h0m0s" },
      daily: { ns: ["payments-ledger"], ttl: "720h0m0s" },
    });
    assert.deepEqual(
      why([veleroStep("update", both, moved)]).filter((w) => /no Velero schedule/.test(w)),
      [],
      "ml-models is still backed up, by hourly",
    );
    const dropped = release({
      hourly: { ns: ["payments-ledger"], ttl: "168h0m0s" },
      daily: { ns: ["payments-ledger"], ttl: "720h0m0s" },
    });
    assert.deepEqual(why([veleroStep("update", both, dropped)]), [
      "no Velero schedule backs up ml-models any more: their state would have no new backup",
    ]);
    assert.deepEqual(
      why([veleroStep("update", both, release({}))]),
      ["no Velero schedule backs up ml-models, payments-ledger any more: their state would have no new backup"],
      "backups.enabled: false leaves no schedule",
    );
    assert.deepEqual(why([veleroStep("delete", both)]), [
      "no Velero schedule backs up ml-models, payments-ledger any more: their state would have no new backup",
    ]);
  });

  it("flags a shortened ttl, shown as Velero writes durations", () => {
    const shorter = release({
      hourly: { ns: ["payments-ledger"], ttl: "168h0m0s" },
      daily: { ns: ["ml-models", "payments-ledger"], ttl: "24h0m0s" },
    });
    assert.deepEqual(why([veleroStep("update", both, shorter)]), [
      "ml-models's backups are kept for less (ttl: 720h0m0s -> 24h0m0s): older restore points expire",
      "payments-ledger's backups are kept for less (ttl: 720h0m0s -> 168h0m0s): older restore points expire",
    ]);
    // Moved to a shorter schedule, or a schedule renamed and shortened: the namespace's retention shrinks all the same.
    const moved = release({
      hourly: { ns: ["payments-ledger", "ml-models"], ttl: "168h0m0s" },
      daily: { ns: ["payments-ledger"], ttl: "720h0m0s" },
    });
    assert.deepEqual(why([veleroStep("update", both, moved)]), [
      "ml-models's backups are kept for less (ttl: 720h0m0s -> 168h0m0s): older restore points expire",
    ]);
    const renamed = release({
      hourly: { ns: ["payments-ledger"], ttl: "168h0m0s" },
      nightly: { ns: ["ml-models", "payments-ledger"], ttl: "24h0m0s" },
    });
    assert.deepEqual(why([veleroStep("update", both, renamed)]).length, 2);
    const longer = release({
      hourly: { ns: ["payments-ledger"], ttl: "336h0m0s" },
      daily: { ns: ["ml-models", "payments-ledger"], ttl: "720h0m0s" },
    });
    assert.deepEqual(backupLosses(new Map(), new Map()), []);
    assert.deepEqual(why([veleroStep("update", both, longer)]), [], "a longer ttl loses nothing");
  });

  it("treats a replaced subnet, route table or VPC as dangerous as a replaced cluster", () => {
    const steps = ["aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/vpc:Vpc"].map((t, i) =>
      replaceStep(urn("phoenix", `phoenix:cluster:Cluster$${t}`, `net-${i}`), ["cidrBlock"]),
    );
    const d = summarize([{ source: "p", digest: { steps } }]).dangers;
    assert.deepEqual(
      d.map((x) => [x.type, x.operation]),
      [
        ["aws:ec2/subnet:Subnet", "replace"],
        ["aws:ec2/routeTable:RouteTable", "replace"],
        ["aws:ec2/vpc:Vpc", "replace"],
      ],
    );
    assert.ok(d.every((x) => /the network the cluster runs in/.test(x.why)));
  });
});

describe("preview summary: what a reviewer reads", () => {
  const del = (i: number): PreviewStep => ({
    op: "delete",
    urn: urn("phoenix", "phoenix:apps:Apps$kubernetes:core/v1:ConfigMap", `cm-${i}`),
    oldState: {},
    detailedDiff: null,
  });

  it("names every replaced and deleted resource per stack, dangerous or not, under one heading per stack", () => {
    const md = renderSummary(
      summarize([
        {
          source: "p",
          digest: {
            steps: [del(1), replaceStep(urn("phoenix", "aws:iam/rolePolicy:RolePolicy", "velero-policy"), ["role"])],
          },
        },
      ]),
    );
    assert.match(md, /<details><summary>2 replaced or deleted<\/summary>/);
    assert.match(md, /\| `kubernetes:core\/v1:ConfigMap` cm-1 \| delete \| - \|/);
    assert.match(md, /\| `aws:iam\/rolePolicy:RolePolicy` velero-policy \| replace \| `role` \|/);
    const headings = md.split("\n").filter((l) => l.startsWith("#"));
    assert.equal(new Set(headings).size, headings.length, "no heading repeats");
  });

  it("stays under GitHub's comment limit, folding the lists and saying where the rest is", () => {
    const steps = Array.from({ length: 4000 }, (_, i) => del(i));
    const md = renderSummary(
      summarize([
        { source: "a", digest: { steps } },
        { source: "b", digest: { steps: steps.map((st) => ({ ...st, urn: st.urn.replace("prod", "use1") })) } },
      ]),
    );
    assert.ok(md.length <= COMMENT_LIMIT, `${md.length} characters`);
    assert.match(md, /\.\.\. and \d+ more: the preview JSON \(the workflow's artifact\) lists them/);
    assert.match(md, /### phoenix \/ use1/, "every stack keeps its section");
  });

  it("puts a failed preview first and exits 1 for it; refuses what is not a preview with exit 2", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-previews-"));
    const failed = {
      diagnostics: [
        {
          severity: "error",
          message: "error: an unhandled error occurred: program failed:\nstack trace",
          urn: "urn:pulumi:use1::phoenix::pulumi:pulumi:Stack::phoenix-use1",
        },
      ],
    };
    fs.writeFileSync(path.join(dir, "failed.json"), JSON.stringify(failed));
    fs.writeFileSync(path.join(dir, "fine.json"), JSON.stringify({ steps: [del(1)], changeSummary: { delete: 1 } }));
    const run = await phoenix(["preview-summary", path.join(dir, "fine.json"), path.join(dir, "failed.json")], ROOT);
    assert.equal(run.status, 1, "a failed preview fails the check, with or without --fail-on-danger");
    assert.ok(
      run.stdout.indexOf(":x: 1 preview failed") < run.stdout.indexOf("### phoenix / prod"),
      "the failure first",
    );
    assert.ok(
      run.stdout.includes(PREVIEW_FAILED_MARKER),
      "marked, so the workflow fails it whatever label approves danger",
    );
    assert.match(
      run.stdout,
      /- \*\*phoenix \/ use1\*\*: error: an unhandled error occurred: program failed:/,
      "named by the stack its diagnostics name",
    );
    for (const [file, text, message] of [
      [
        "plan.json",
        JSON.stringify({ stack: "prod", project: "phoenix", resources: [] }),
        /this is a `phoenix plan` JSON, not a preview/,
      ],
      ["empty.json", "{}", /neither steps\[\] nor diagnostics\[\]/],
      ["other.json", JSON.stringify({ steps: [], version: 3 }), /unknown top-level key\(s\) version/],
    ] as const) {
      fs.writeFileSync(path.join(dir, file), text);
      const bad = await phoenix(["preview-summary", path.join(dir, file)], ROOT);
      assert.equal(bad.status, 2, file);
      assert.match(bad.stderr, message);
    }
  });
});

describe("a failed preview, as the real engine (v3.248.0, test/e2e/scenarios/engine.e2e.ts) writes it", () => {
  const failed = JSON.parse(
    fs.readFileSync(path.join(ROOT, "test", "fixtures", "pulumi", "preview-failed-program.json"), "utf8"),
  ) as PreviewDigest;

  it("names the program's own exception, not only the engine's header, without color codes or stack lines", () => {
    const [stack] = summarize([{ source: "failed.json", digest: failed }]).stacks;
    assert.deepEqual(stack?.errors, [
      "error: Running program '/work/main/test/e2e/programs/engine-basics/index.ts' failed with an unhandled exception: Error: e2e program: asked to fail by its config",
    ]);
    assert.equal(
      errorText("error: preview failed\nmore"),
      "error: preview failed",
      "a header that says it all stays alone",
    );
  });
});

describe("a retained namespace dropped, as the real engine and kubernetes provider preview it (test/e2e/scenarios/destroy.e2e.ts)", () => {
  const dropped = JSON.parse(
    fs.readFileSync(path.join(ROOT, "test", "fixtures", "pulumi", "preview-drop-retained-namespace.json"), "utf8"),
  ) as PreviewDigest;

  it("is dangerous, left behind in the cluster rather than in AWS, and its policy's delete is named too", () => {
    const s = summarize([{ source: "dropped.json", digest: dropped }]);
    assert.deepEqual(
      s.dangers.map((d) => [d.resource, d.operation, d.outcome]),
      [["ml-models", "delete", "retainOnDelete: left behind in the cluster (orphaned), removed from the stack"]],
    );
    assert.match(s.dangers[0]?.why ?? "", /lets it go with what is in it/);
    assert.deepEqual(
      s.stacks[0]?.removals.map((r) => r.resource),
      ["ml-models-default-deny", "ml-models"],
    );
  });
});
