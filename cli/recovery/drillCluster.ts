/**
 * The drill's cluster phase: record the drill, write and create the ephemeral stack with
 * its secrets copied re-encrypted, and `pulumi up` it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type { EngineAdapter, EngineStack } from "../engine/adapter";
import type { Phase } from "./phases";
import { asText, configString } from "./source";
import { recordDrill, type DrillRun } from "./drillRun";

/** Records the drill (as "may exist"), writes the stack file and creates the stack, with its secrets copied re-encrypted. */
async function createDrillStack(run: DrillRun, engine: EngineAdapter, update: (s: string) => void): Promise<void> {
  const { env, req, id, stack, region, stackFile, platform, project, p } = run;
  const text = run.derivation?.text ?? "";
  const derived = run.derivation?.derived;
  // Recorded before anything is created, as "may exist": a drill killed at any point
  // can be found and finished, its cluster's name known before `up` makes anything.
  const clusterName = configString(text, [`${project}:cluster`, "name"]) ?? `${project}-${stack}`;
  p.record = env.state.write({
    id,
    source: req.from,
    stack,
    region,
    startedAt: new Date(run.startedAt).toISOString(),
    host: os.hostname(),
    pid: process.pid,
    phase: "cluster",
    status: "running",
    stackCreated: true,
    files: [stackFile],
    stackText: text,
    keep: req.keep,
    clusterName,
  });
  fs.writeFileSync(stackFile, text);
  p.stackCreated = true;
  await engine.ensureStack(platform, {
    create: true,
    ...(derived?.secretsProvider ? { secretsProvider: derived.secretsProvider } : {}),
  });
  const source_: EngineStack = { ...platform, stack: req.from };
  for (const key of derived?.secretPaths ?? []) {
    update(`copying secret ${key} re-encrypted`);
    await engine.setConfig(platform, key, await engine.getConfig(source_, key, true), true);
  }
}

/** Cluster: link backup storage, `pulumi up` the stack, keep its outputs and kubeconfig. */
export function clusterPhase(run: DrillRun): Phase {
  const { env, stack, platform, p } = run;
  return {
    name: "cluster",
    title: `Cluster: link backup storage, then \`pulumi up\` ${stack}`,
    run: async (update) => {
      const engine = env.engine();
      await createDrillStack(run, engine, update);
      const changes = await engine.up(platform, update, { signal: env.engineSignal });
      p.outputs = await engine.outputs(platform);
      p.kubeconfig = asText(await engine.secretOutput(platform, "kubeconfig"));
      recordDrill(run, {
        ...(asText(p.outputs.clusterName) ? { clusterName: asText(p.outputs.clusterName) } : {}),
        ...(typeof p.outputs.vpcId === "string" ? { vpcId: p.outputs.vpcId } : {}),
      });
      return `${stack} up: ${Object.entries(changes)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`;
    },
  };
}
