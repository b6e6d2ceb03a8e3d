/**
 * `phoenix backup check`, and the same check in the drill's preflight: a backup whose
 * references nothing resolves is refused (listed in the report) unless accepted; one
 * whose references are all rewritable is restored through its own modifiers and
 * verified against the rewritten objects.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { applyRewrites, checkPortability } from "../../../cli/backup/portability";
import type { RecoveryReport } from "../../../cli/recovery/report";
import type { BackupObject } from "../../../cli/recovery/backupTarball";
import { phoenix, repositoryCopy } from "../phoenix";
import { ledgerObjects, obj } from "../recovery/fixtures";
import { Script } from "../recovery/scripted";

const backup = "velero-hourly-20261127070000";
const ecr = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ledger:1.4";
const portable = (): BackupObject[] => [
  ...ledgerObjects(),
  obj("apps/v1", "Deployment", "deployments.apps", "payments-ledger", "api", {
    spec: {
      template: {
        spec: {
          nodeSelector: { "topology.kubernetes.io/zone": "eu-west-1b" },
          containers: [{ name: "api", image: ecr }],
        },
      },
    },
  }),
];
const irsa = obj("v1", "ServiceAccount", "serviceaccounts", "payments-ledger", "api", {
  metadata: {
    name: "api",
    namespace: "payments-ledger",
    annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/ledger" },
  },
});

describe("phoenix backup check", () => {
  const check = (script: Script, args: string[]) =>
    phoenix(
      ["backup", "check", "--backup", backup, "--region", "us-east-1", ...args],
      repositoryCopy(),
      script.engine(),
      script.adapters(),
    );

  it("lists each reference with what a restore does, as JSON, and exits 1 on one nothing resolves", async () => {
    const run = await check(new Script({ objects: [...portable(), irsa] }), [
      "--bucket",
      "velero-b",
      "--source-region",
      "eu-west-1",
      "-o",
      "json",
    ]);
    assert.equal(run.status, 1, run.stderr);
    const out = JSON.parse(run.stdout) as {
      references: { kind: string; category: string; action: string }[];
      unresolved: unknown[];
      rewrites: unknown[];
    };
    assert.deepEqual(
      out.references.map((r) => `${r.kind} ${r.category} ${r.action}`),
      ["Deployment zone rewrite", "Deployment ecr-image rewrite", "ServiceAccount irsa stop"],
    );
    assert.equal(out.unresolved.length, 1);
  });

  it("reads the stack's region, namespaces and planned storage classes with --stack, and exits 0 when all is rewritable", async () => {
    const run = await check(
      new Script({
        objects: [
          ...portable(),
          obj("v1", "PersistentVolumeClaim", "persistentvolumeclaims", "payments-ledger", "scratch", {
            spec: { storageClassName: "gp2" },
          }),
        ],
      }),
      ["--stack", "prod"],
    );
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /from eu-west-1 into us-east-1/);
    assert.match(
      run.stdout,
      /\| PersistentVolumeClaim payments-ledger\/scratch \| `\/spec\/storageClassName` \| `gp2` \| rewrite to `gp3-encrypted`/,
    );
    assert.match(run.stdout, /Portable: 3 field\(s\) rewritten/);
  });

  it("refuses bad input with exit 2, naming the fix", async () => {
    const script = new Script();
    assert.equal((await check(script, [])).status, 2);
    const noSource = await check(script, ["--bucket", "b"]);
    assert.equal(noSource.status, 2);
    assert.match(noSource.stderr, /give --source-region/);
    const missing = await phoenix(
      ["backup", "check", "--backup", "nope", "--region", "us-east-1", "--bucket", "b", "--source-region", "eu-west-1"],
      repositoryCopy(),
      script.engine(),
      script.adapters(),
    );
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /--backup nope: no such backup in s3:\/\/b \(us-east-1\); the newest there: velero-hourly-20261127070000/,
    );
    assert.equal((await check(script, ["--bucket", "b", "--source-region", "eu-west-1", "-o", "yaml"])).status, 2);
  });
});

/** The cluster as a restore with these rewrites leaves it (claims Bound). */
const restoredAs = (rewrites: ReturnType<typeof checkPortability>["rewrites"]) => (objects: BackupObject[]) =>
  applyRewrites(objects, rewrites).map((x) => ({
    apiVersion: x.apiVersion,
    kind: x.kind,
    namespace: x.namespace,
    name: x.name,
    object: { ...x.object, status: { phase: "Bound" } },
  }));

describe("the drill checks the backup in preflight", () => {
  const drill = async (script: Script, extra: string[] = []) => {
    const root = repositoryCopy();
    const report = path.join(root, "report");
    const run = await phoenix(
      ["drill", "run", "--from", "prod", "--region", "us-east-1", "--report", report, ...extra],
      root,
      script.engine(),
      script.adapters(),
    );
    return {
      run,
      report: JSON.parse(fs.readFileSync(path.join(report, "report.json"), "utf8")) as RecoveryReport,
      md: fs.readFileSync(path.join(report, "report.md"), "utf8"),
    };
  };

  it("refuses a backup with a reference nothing resolves, before any cluster exists, and lists it in the report", async () => {
    const script = new Script({ objects: [...portable(), irsa] });
    const { run, report, md } = await drill(script);
    assert.equal(run.status, 1);
    assert.equal(report.failure?.phase, "preflight");
    assert.match(
      report.failure?.message ?? "",
      /would break in us-east-1: ServiceAccount payments-ledger\/api .*--accept-unportable/,
    );
    assert.equal(report.phases.find((p) => p.name === "cluster")?.status, "skipped");
    assert.match(
      md,
      /\| ServiceAccount payments-ledger\/api \| `\/metadata\/annotations\/eks.amazonaws.com~1role-arn` \| `arn:aws:iam::111122223333:role\/ledger` \| \*\*STOP\*\*/,
    );
  });

  it("restores through its own modifiers (standing rules plus the rewrites) and verifies the objects as rewritten", async () => {
    const objects = portable();
    const rewrites = checkPortability(objects, ["payments-ledger", "ml-models"], {
      sourceRegion: "eu-west-1",
      targetRegion: "us-east-1",
    }).rewrites;
    const script = new Script({ objects, live: restoredAs(rewrites) });
    const { run, report } = await drill(script);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const cm = script.calls.find((c) => c.startsWith("applyConfigMap")) ?? "";
    assert.match(cm, new RegExp(`"name":"phoenix-restore-${script.drillId}"`));
    assert.match(cm, /argocd.argoproj.io\/tracking-id/, "the standing rules stay");
    assert.match(cm, /dkr\.ecr\.us-east-1\.amazonaws\.com\/ledger:1\.4/);
    assert.match(
      script.calls.find((c) => c.startsWith("createRestore")) ?? "",
      new RegExp(`"resourceModifier":\\{"kind":"ConfigMap","name":"phoenix-restore-${script.drillId}"\\}`),
    );
    assert.deepEqual(report.verification?.rewritten, [
      "Deployment payments-ledger/api /spec/template/spec/nodeSelector/topology.kubernetes.io~1zone rewritten",
      "Deployment payments-ledger/api /spec/template/spec/containers/0/image rewritten",
    ]);
    assert.equal(report.verification?.comparison.totals.changed, 0);
    // A rewritten field's whole value (a ConfigMap's, say) never reaches a report: its path does.
    assert.deepEqual(Object.keys(report.portability?.rewrites[0] ?? {}).sort(), [
      "kind",
      "name",
      "namespace",
      "path",
      "removed",
    ]);
  });

  it("--accept-unportable restores anyway and says what was left", async () => {
    const objects = [...portable(), irsa];
    const rewrites = checkPortability(objects, ["payments-ledger", "ml-models"], {
      sourceRegion: "eu-west-1",
      targetRegion: "us-east-1",
    }).rewrites;
    const { run, report } = await drill(new Script({ objects, live: restoredAs(rewrites) }), ["--accept-unportable"]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(
      report.phases.find((p) => p.name === "preflight")?.detail ?? "",
      /1 left as they are \(--accept-unportable\)/,
    );
    assert.equal(report.portability?.unresolved.length, 1);
  });
});
