/** The report's three renderings from one document. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareBackup } from "../../../cli/recovery/compare";
import {
  buildReport,
  renderHtml,
  renderMarkdown,
  timelineSvg,
  type RecoveryReport,
} from "../../../cli/recovery/report";
import type { PhaseResult } from "../../../cli/recovery/phases";
import { ledgerObjects } from "./fixtures";

const T = Date.parse("2026-11-27T08:00:00Z");
const base = {
  id: "drill-x",
  source: "prod",
  stack: "prod-drill-x",
  region: "eu-central-1",
  startedAt: T,
  reportDir: "/tmp/x",
  targets: { rtoMinutes: 60, rpoMinutes: 75 },
};
const phase = (
  name: PhaseResult["name"],
  status: PhaseResult["status"],
  start: number,
  seconds: number,
  detail = "ok",
): PhaseResult => ({ name, status, start, seconds, detail });

function report(phases: PhaseResult[], extra: Partial<Parameters<typeof buildReport>[0]> = {}): RecoveryReport {
  return buildReport({
    kind: "drill",
    ...base,
    finishedAt: T + 3_000_000,
    phases,
    progress: { stackCreated: false, rpo: { ageSeconds: 1800, lagSeconds: 60, lagNote: "primary's newest backup b" } },
    ...extra,
  });
}

describe("the recovery report", () => {
  it("measures RTO from start to verified and RPO as the restored data's age (its lag included), each against its target", () => {
    const r = report([
      phase("preflight", "passed", 0, 30),
      phase("cluster", "passed", 30, 2000),
      phase("gitops", "passed", 2030, 100),
      phase("restore", "passed", 2130, 200),
      phase("verify", "passed", 2330, 20),
    ]);
    assert.equal(r.rto.seconds, 2350);
    assert.equal(r.rto.met, true);
    assert.equal(r.rpo.seconds, 1800);
    assert.match(r.rpo.note, /of which 1m 00s is replication lag/);
    assert.equal(r.rpo.met, true);
    assert.equal(r.outcome, "passed");
  });

  it("fails a recovery over either target, and leaves the RTO unmeasured when it never verified", () => {
    const slow = report([phase("verify", "passed", 4000, 10)]);
    assert.equal(slow.outcome, "failed");
    assert.match(slow.failure?.message ?? "", /RTO 66m 50s is over its 60 min target/);
    const stopped = report([phase("verify", "failed", 100, 1, "verification failed")], {
      failure: { phase: "verify", message: "verification failed" },
    });
    assert.equal(stopped.rto.seconds, undefined);
    assert.match(stopped.rto.note, /not measured/);
    assert.equal(
      report([], { interrupted: true, failure: { phase: "gitops", message: "interrupted by SIGINT" } }).outcome,
      "interrupted",
    );
  });

  it("renders Markdown with the targets, the phases and the verification table, never a secret", () => {
    const objects = ledgerObjects();
    const comparison = compareBackup(objects, [], ["payments-ledger"], []);
    const r = report([phase("verify", "failed", 10, 1, "verification failed")], {
      failure: { phase: "verify", message: "verification failed" },
      progress: {
        stackCreated: false,
        verification: {
          backup: "b",
          namespaces: ["payments-ledger"],
          comparison,
          veleroMessages: { warnings: [], errors: ["payments-ledger: x"] },
          skipped: [],
          failed: [],
          existedDifferent: [],
          checks: [
            { namespace: "payments-ledger", command: "pg_isready", passed: false, exitCode: 2, output: "no response" },
          ],
          hooks: [{ namespace: "payments-ledger", declared: { pre: 1, post: 1 } }],
          objectsInBackup: objects.length,
          notInTarball: [],
          passed: false,
        },
      },
    });
    const md = renderMarkdown(r);
    assert.match(md, /^## DR drill drill-x: FAILED/);
    assert.match(md, /\| RTO \| not measured \(target 60 min\) \|/);
    assert.match(md, /\| payments-ledger \| 0 \| 5 \| 0 \| 0\/1 restored \| 1\/1 \| FAILED \(exit 2\) \|/);
    assert.match(md, /- missing: Secret payments-ledger\/ledger-password/);
    assert.match(md, /- error: payments-ledger: x/);
    const html = renderHtml(r);
    assert.match(html, /<h3>Verify commands that failed<\/h3>/);
    assert.match(html, /<h3>Volumes without their data<\/h3>/);
    for (const text of [md, html]) assert.ok(!text.includes(Buffer.from("hunter2-ledger").toString("base64")));
  });

  it("escapes what it puts in HTML and draws one bar per phase with the RTO target line", () => {
    const r = report([
      phase("preflight", "passed", 0, 5, "<script>alert(1)</script>"),
      phase("cluster", "passed", 5, 2000),
    ]);
    const html = renderHtml(r);
    assert.ok(!html.includes("<script>alert(1)</script>") && html.includes("&lt;script&gt;"));
    const svg = timelineSvg(r);
    assert.equal(
      (svg.match(/<rect x="[\d.]+" y="\d+" width="[\d.]+" height="18"/g) ?? []).length,
      2,
      "one bar per phase",
    );
    assert.match(svg, /RTO target 60 min/);
    assert.match(svg, /measured time from the start/);
    assert.match(svg, /<text x="\d+" y="\d+" class="small">passed<\/text>/, "a legend of what the colours mean");
  });

  it("never puts measured and modeled time on one axis: a drill draws its measured phases, a rehearsal its modeled ones, each table apart", () => {
    const mixed = [
      phase("preflight", "passed", 0, 5),
      phase("cluster", "modeled", 0, 2000),
      phase("restore", "modeled", 2000, 600),
    ];
    const drillSvg = timelineSvg(report(mixed));
    assert.doesNotMatch(drillSvg, /fill-opacity="0.55"/, "no modeled bar among measured ones");
    const rehearsal = { ...report(mixed), kind: "rehearsal" as const };
    const svg = timelineSvg(rehearsal);
    assert.match(svg, /modeled time from the start/);
    assert.doesNotMatch(svg, />preflight</, "the measured preflight is not on the modeled axis");
    const md = renderMarkdown(rehearsal);
    assert.ok(md.indexOf("Measured:") < md.indexOf("Modeled (from published durations"), "two tables");
    assert.match(
      md,
      /Modeled \(from published durations, back to back from 0; never added to measured time\):\n\n\| phase \| status \| start \| took \| detail \|\n\|---\|---\|---\|---\|---\|\n\| cluster \| modeled \| 0s/,
    );
  });

  it("says, for a rehearsal, which namespaces a drill would restore and which verify commands it would run", () => {
    const r = {
      ...report([phase("preflight", "passed", 0, 5)]),
      kind: "rehearsal" as const,
      wouldRestore: {
        namespaces: ["ml-models", "payments-ledger"],
        checks: [{ namespace: "payments-ledger", command: "/bin/sh -c 'pg_isready'" }],
      },
    };
    const md = renderMarkdown(r);
    assert.match(
      md,
      /A drill would restore `ml-models`, `payments-ledger` from the newest complete backup on the replica, then run:/,
    );
    assert.match(md, /- `payments-ledger`: `\/bin\/sh -c 'pg_isready'`/);
    assert.match(md, /- `ml-models`: no verify command declared/);
    const html = renderHtml(r);
    assert.match(html, /<h2>What a drill would restore and check<\/h2>/);
    assert.match(
      html,
      /<li><code>ml-models<\/code>: no verify command declared/,
      "every namespace, as in the Markdown",
    );
    assert.match(html, /<li><code>payments-ledger<\/code>: <code>\/bin\/sh -c 'pg_isready'<\/code><\/li>/);
  });
});

describe("a verification with a volume its pod opted out", () => {
  it("counts it as excluded, not restored, and says why it is empty, with the objects that lost an owner", async () => {
    const { renderVerification } = await import("../../../cli/recovery/report");
    const comparison = {
      namespaces: [
        {
          namespace: "payments-ledger",
          present: 3,
          missing: 0,
          changed: 0,
          findings: [],
          pvcs: [
            {
              namespace: "payments-ledger",
              name: "data-ledger-db-0",
              phase: "Bound",
              volumeRestore: "excluded" as const,
              ok: true,
            },
          ],
        },
      ],
      totals: { present: 3, missing: 0, changed: 0, ignored: 1 },
      ownerReferencesReset: ["ConfigMap payments-ledger/upload-x"],
      passed: true,
    };
    const md = renderVerification({
      backup: "b",
      namespaces: ["payments-ledger"],
      comparison,
      veleroMessages: { warnings: [], errors: [] },
      skipped: [],
      failed: [],
      existedDifferent: ["v1/ConfigMap payments-ledger/kube-root-ca.crt"],
      checks: [],
      hooks: [],
      objectsInBackup: 4,
      notInTarball: [],
      passed: true,
    }).join("\n");
    assert.match(md, /\| payments-ledger \| 3 \| 0 \| 0 \| 0\/1 restored, 1 excluded by its pod \|/);
    assert.match(md, /PVC payments-ledger\/data-ledger-db-0: Bound; restored empty, as its pod asked/);
    assert.match(md, /Back without their owner references[^\n]*\n- ConfigMap payments-ledger\/upload-x/);
    assert.match(
      md,
      /- left as it was \(already existed, different; compared above\): v1\/ConfigMap payments-ledger\/kube-root-ca.crt/,
    );
  });
});

describe("the margin to each target", () => {
  it("says how much is to spare, flags a target met with none, and says by how much one was missed", async () => {
    const { marginText } = await import("../../../cli/recovery/report");
    const o = (seconds: number, targetMinutes: number) => ({
      seconds,
      targetMinutes,
      met: seconds <= targetMinutes * 60,
      modeled: true,
      note: "",
    });
    assert.equal(marginText(o(45 * 60, 60)), "met, 15m 00s to spare");
    assert.equal(marginText(o(75 * 60, 75)), "met with NO MARGIN (any delay misses it)");
    assert.equal(marginText(o(80 * 60, 75)), "MISSED by 5m 00s");
  });
});
