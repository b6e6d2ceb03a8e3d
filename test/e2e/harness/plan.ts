/**
 * Plans through the built command, as a user runs it (`phoenix plan --json`), and the
 * stack a drill would deploy: derived from a source stack exactly as `phoenix drill`
 * derives it (replicate, then linked to the source's storage with backups off).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deriveDrillStack } from "../../../cli/recovery/source";
import { existingStacks } from "../../../cli/replicate";
import { deriveReplica } from "../../../cli/replicate/derive";
import { ROOT } from "../../helpers";

/** One planned resource, as `phoenix plan --json` writes it. */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** A Helm release of the plan. */
export interface PlannedRelease {
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

/** What the harness reads of `phoenix plan --json`. */
export interface PlanJson {
  readonly stack: string;
  readonly region: string;
  readonly resources: readonly PlannedResource[];
  readonly helmReleases: readonly PlannedRelease[];
  readonly namespaces: readonly { readonly name: string; readonly class: string }[];
  readonly outputs: Record<string, unknown>;
}

/** The built command's entry (what `npx phoenix` runs). */
export const PHOENIX = path.join(ROOT, "dist", "cli", "run.js");

/**
 * Runs the built command without blocking this process: for a command that talks to a
 * server this process runs (spawnSync would stop its event loop, and the server with it).
 */
export function phoenixCliAsync(
  args: readonly string[],
  opts: { root?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PHOENIX, ...(opts.root ? ["--root", opts.root] : []), ...args], {
      env: { ...process.env, ...opts.env },
      timeout: 600_000,
    });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

/** Runs the built command; fails with its output unless it exits `expect`. */
export function phoenixCli(
  args: readonly string[],
  opts: { root?: string; env?: NodeJS.ProcessEnv; expect?: number } = {},
): { status: number; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [PHOENIX, ...(opts.root ? ["--root", opts.root] : []), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  const result = { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
  if (opts.expect !== undefined && result.status !== opts.expect)
    throw new Error(
      `phoenix ${args.join(" ")} exited ${result.status}, not ${opts.expect}:\n${run.stderr}\n${run.stdout}`,
    );
  return result;
}

/** The offline plan of a stack of the platform project, or of the storage project with `storage`. */
export function planOf(stack: string, opts: { root?: string; storage?: boolean } = {}): PlanJson {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-e2e-plan-")), "plan.json");
  try {
    phoenixCli(
      ["plan", "--stack", stack, ...(opts.storage ? ["--project", "stacks/backup-storage"] : []), "--out", out],
      { ...(opts.root ? { root: opts.root } : {}), expect: 0 },
    );
    return JSON.parse(fs.readFileSync(out, "utf8")) as PlanJson;
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/** Writes, into the repository copy `root`, the stack a drill of `from` into `region` deploys; returns its name. */
export function writeDrillStack(root: string, from: string, region: string): string {
  const stack = `${from}-drill-e2e`;
  const source = fs.readFileSync(path.join(root, `Pulumi.${from}.yaml`), "utf8");
  const derived = deriveReplica({ from, stack, region }, existingStacks(root), source, undefined);
  fs.writeFileSync(
    path.join(root, `Pulumi.${stack}.yaml`),
    deriveDrillStack(derived, existingStacks(root).project, "drill-e2e"),
  );
  return stack;
}

/** A planned resource of `type` whose name ends with `suffix`. */
export function resourceOf(plan: PlanJson, type: string, suffix: string): PlannedResource {
  const r = plan.resources.find((x) => x.type === type && x.name.endsWith(suffix));
  if (!r) throw new Error(`the plan of ${plan.stack} has no ${type} named *${suffix}`);
  return r;
}

/** The plan's Helm release of `chart`. */
export function releaseOf(plan: PlanJson, chart: string): PlannedRelease {
  const r = plan.helmReleases.find((x) => x.chart === chart);
  if (!r) throw new Error(`the plan of ${plan.stack} has no release of chart ${chart}`);
  return r;
}
