/**
 * The drill's teardown: what Kubernetes made in AWS, the stack's resources, the stack and
 * its file, at the end of a drill or in `phoenix drill cleanup ID`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stackFileName } from "../stacks/names";
import type { EngineStack } from "../engine/adapter";
import { projects } from "../stacks/projects";
import type { Phase } from "./phases";
import type { DrillRecord } from "./state";
import type { RecoveryEnv } from "./types";
import { asText } from "./source";
import type { DrillRun } from "./drillRun";

/** Teardown (always runs): unless `--keep`, tears down whatever the drill created. */
export function teardownPhase(run: DrillRun): Phase {
  const { env, req, id, stack, p } = run;
  return {
    name: "teardown",
    title: `Teardown: release load balancers, destroy and remove ${stack}`,
    always: true,
    run: async (update) => {
      if (req.keep) return `kept (--keep): \`phoenix drill cleanup ${id}\` tears it down`;
      if (!p.record) return "nothing was created";
      const done = await tearDown(env, p.record, p.kubeconfig, update);
      p.stackCreated = false;
      return done;
    },
  };
}

/** Tears a drill's stack down: what Kubernetes made in AWS, the stack's resources, the stack, its file. */
export async function tearDown(
  env: RecoveryEnv,
  rec: DrillRecord,
  kubeconfig: string | undefined,
  update: (s: string) => void,
): Promise<string> {
  const engine = env.engine();
  const dirs = projects(env.root);
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack: rec.stack };
  const steps: string[] = [];
  // Destroy runs the program, with the stack's config: a cleanup on another machine writes the file back.
  const file = path.join(dirs.platform.dir, stackFileName(rec.stack));
  if (rec.stackCreated && rec.stackText && !fs.existsSync(file)) fs.writeFileSync(file, rec.stackText);
  const exists = rec.stackCreated && (await engine.listStacks(platform)).includes(rec.stack);
  if (rec.stackCreated && !exists) steps.push(`stack ${rec.stack} was never created`);
  if (exists) {
    let config = kubeconfig;
    if (!config) {
      try {
        config = asText(await engine.secretOutput(platform, "kubeconfig"));
      } catch {
        config = "";
      }
    }
    if (config && rec.clusterName) {
      // Teardown must finish even after Ctrl-C: it gets no signal of its own. A release
      // that fails does not stop it: the platform's own delete hook tries again in destroy.
      try {
        steps.push(
          await env.release(
            config,
            { clusterName: rec.clusterName, region: rec.region, ...(rec.vpcId ? { vpcId: rec.vpcId } : {}) },
            { timeoutSeconds: 20 * 60, progress: update },
          ),
        );
      } catch (err) {
        steps.push(
          `releasing what Kubernetes made in AWS failed (${(err as Error).message}); destroy's delete hook tries again`,
        );
      }
    }
    update(`pulumi destroy --run-program ${rec.stack}`);
    const changes = await engine.destroy(platform, update);
    steps.push(`destroyed ${Object.values(changes).reduce((a, b) => a + b, 0)} resources`);
    await engine.removeStack(platform);
    steps.push(`stack ${rec.stack} removed`);
  }
  for (const f of new Set([...rec.files, file])) fs.rmSync(f, { force: true });
  env.state.update(rec.id, {
    stackCreated: false,
    files: [],
    phase: "teardown",
    ...(rec.status === "running" ? {} : { status: "cleaned" }),
  });
  return steps.join("; ") || "nothing to tear down";
}
