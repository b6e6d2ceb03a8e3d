/**
 * One drill under way: its id, source, target region and ephemeral stack, what its phases
 * share, and its record in the drill state.
 */
import * as path from "node:path";
import { stackFileName } from "../stacks/names";
import type { EngineStack } from "../engine/adapter";
import { projects } from "../stacks/projects";
import type { DerivedReplica } from "../replicate/derive";
import type { DrillRecord } from "./state";
import type { DrillRequest, Progress, RecoveryEnv } from "./types";
import { drillId, readSource, replicaRegion, type Source } from "./source";

/** One drill under way: what was asked, where it goes, and what its phases share. */
export interface DrillRun {
  readonly env: RecoveryEnv;
  readonly req: DrillRequest;
  readonly id: string;
  readonly startedAt: number;
  readonly source: Source;
  readonly region: string;
  readonly project: string;
  /** The ephemeral stack, `<source>-<id>`, its file and its place in the engine. */
  readonly stack: string;
  readonly stackFile: string;
  readonly platform: EngineStack;
  readonly p: Progress;
  /** The stack preflight derives, which the cluster phase writes and deploys. */
  derivation?: Derivation;
}

/** The ephemeral stack as replicate derives it, and the stack file's text. */
export interface Derivation {
  readonly derived: DerivedReplica;
  readonly text: string;
}

/** The drill's id, source, target region and stack: what it knows before any phase runs. */
export async function startDrill(env: RecoveryEnv, req: DrillRequest): Promise<DrillRun> {
  const startedAt = env.now();
  const id = drillId(startedAt);
  const source = await readSource(env.root, req.from);
  const region = req.region ?? replicaRegion(env.root, source);
  const stack = `${req.from}-${id}`;
  const dirs = projects(env.root);
  const platform: EngineStack = { project: "platform", workDir: dirs.platform.dir, stack };
  const stackFile = path.join(dirs.platform.dir, stackFileName(stack));
  return {
    env,
    req,
    id,
    startedAt,
    source,
    region,
    project: source.loaded.project,
    stack,
    stackFile,
    platform,
    p: { stackCreated: false },
  };
}

/** Updates the drill's record, once the cluster phase has written it. */
export function recordDrill(run: DrillRun, patch: Partial<DrillRecord>): void {
  if (run.p.record) run.p.record = run.env.state.update(run.id, patch);
}
