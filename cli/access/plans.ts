/**
 * The offline plans the access matrix reads: a platform stack, the backup storage stack
 * it writes to, and the stack a drill of it would deploy (its Velero restores from the
 * replica with its own, narrower role).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { PlanDocument } from "../plan/plan";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import { loadStack, stackFromDocument } from "../stacks/stackFile";
import { parseStorageConfig } from "../stacks/config";
import { stackFileName } from "../stacks/names";
import { deriveDrillStack, readSource, replicaRegion } from "../recovery/source";
import { deriveReplica } from "../replicate/derive";
import { existingStacks } from "../replicate";

/** The three plans of one stack's access. */
export interface AccessPlans {
  /** The storage stack's `access.restoreReaders`. */
  readonly restoreReaders: readonly string[];
  /** The storage stack's `access.admins`. */
  readonly admins: readonly string[];
  readonly storage: PlanDocument;
  readonly platform: PlanDocument;
  /** A drill's ephemeral stack, restoring from the replica; absent without one. */
  readonly restoring?: PlanDocument;
}

/** Plans `stack`, its storage, and the drill stack derived as `phoenix drill` derives it. */
export async function accessPlans(root: string, stack: string): Promise<AccessPlans> {
  const planner = new Planner(root);
  // readSource plans the platform stack already.
  const source = await readSource(root, stack);
  const platform = source.plan;
  const storage = await planner.planStorage({ stack: source.storage.stack });
  const storageStack = loadStack(projects(root).storage.dir, source.storage.stack);
  const { access } = parseStorageConfig(storageStack.config, {
    project: storageStack.project,
    stack: storageStack.stack,
    stackFile: path.relative(root, storageStack.stackFile),
  });
  const [restoreReaders, admins] = [access.restoreReaders ?? [], access.admins];
  if (typeof storage.outputs.replicaRegion !== "string") return { restoreReaders, admins, storage, platform };
  const id = "drill-access";
  const derived = deriveReplica(
    { from: stack, stack: `${stack}-${id}`, region: replicaRegion(root, source) },
    existingStacks(root),
    fs.readFileSync(source.loaded.stackFile, "utf8"),
    undefined,
  );
  const text = deriveDrillStack(derived, source.loaded.project, id);
  const loaded = stackFromDocument(
    source.loaded.project,
    `${stack}-${id}`,
    path.join(path.dirname(source.loaded.stackFile), stackFileName(`${stack}-${id}`)),
    parse(text),
  );
  return { restoreReaders, admins, storage, platform, restoring: await planner.planPlatform({ loaded }) };
}
