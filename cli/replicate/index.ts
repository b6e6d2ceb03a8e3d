/**
 * `phoenix replicate`: writes a new region's stack files derived from a source stack,
 * checks them with the offline plan before anything touches the cloud, and then, on
 * request, previews or deploys the region through the engine adapter: its backup
 * storage first, then its platform, secrets copied re-encrypted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseStackName, storageStackName } from "../../stacks/backup-storage/outputs";
import { stackFileName } from "../../stacks/config";
import type { EngineAdapter, EngineStack } from "../engine/adapter";
import { engineFailure, regionSteps, type RegionResult } from "../deploy/region";
import { Planner } from "../offline/planner";
import { projects } from "../offline/projects";
import { listStacks, projectName, readStackDocument, stackFromDocument } from "../offline/stackFile";
import type { Io } from "../shared/io";
import { withProgress } from "../shared/progress";
import { DEFAULT_VPC_CIDR, deriveReplica, type ExistingStacks, type ReplicaRequest } from "./derive";

/** How far `replicate` goes. */
export type ReplicateMode = "write-only" | "preview" | "yes";

/** What `replicate` did. */
export interface ReplicateResult {
  readonly stack: string;
  readonly region: string;
  readonly cidr: string;
  /** The storage stack whose replica the new stack restores from. */
  readonly restoreFrom: string;
  /** Files written, relative to the repository root. */
  readonly files: readonly string[];
  /** Resources each derived stack plans offline. */
  readonly planned: { readonly storage: number; readonly platform: number };
  /** Secret settings copied re-encrypted (paths only; values are never shown). */
  readonly secrets: readonly string[];
  readonly engine?: RegionResult;
  /** The engine operation failed (reported on stderr); the files stay written and valid. */
  readonly engineFailed?: boolean;
}

function config(doc: unknown): Record<string, unknown> {
  const c = typeof doc === "object" && doc !== null ? (doc as { config?: unknown }).config : undefined;
  return typeof c === "object" && c !== null ? (c as Record<string, unknown>) : {};
}

/** The repository's stacks, as the derivation needs them. */
export function existingStacks(root: string): ExistingStacks {
  const { platform, storage } = projects(root);
  const project = projectName(platform.dir);
  return {
    project,
    platform: listStacks(platform.dir).map((stack) => {
      const network = config(readStackDocument(path.join(platform.dir, stackFileName(stack))))[`${project}:network`];
      const cidr = typeof network === "object" && network !== null ? (network as { cidr?: unknown }).cidr : undefined;
      return { stack, cidr: typeof cidr === "string" ? cidr : DEFAULT_VPC_CIDR };
    }),
    storage: listStacks(storage.dir),
  };
}

/** Runs `replicate`. `engine` is only called for `--preview` and `--yes`. */
export async function replicate(root: string, req: ReplicaRequest, mode: ReplicateMode, engine: () => EngineAdapter, io: Io): Promise<ReplicateResult> {
  const dirs = projects(root);
  const existing = existingStacks(root);
  const sourceFile = path.join(dirs.platform.dir, stackFileName(req.from));
  const sourceText = fs.existsSync(sourceFile) ? fs.readFileSync(sourceFile, "utf8") : "";
  // The source's storage stack file, when it is one of this repository's.
  const storageRef = (config(parse(sourceText || "{}"))[`${existing.project}:backups`] as { storage?: { stack?: unknown } } | undefined)?.storage?.stack;
  const sourceStorage = parseStackName(typeof storageRef === "string" ? storageRef : storageStackName("organization", req.from))?.stack ?? req.from;
  const sourceStorageFile = path.join(dirs.storage.dir, stackFileName(sourceStorage));
  const derived = deriveReplica(req, existing, sourceText, fs.existsSync(sourceStorageFile) ? fs.readFileSync(sourceStorageFile, "utf8") : undefined);

  // The offline plan checks both files before anything is written or touches the cloud.
  const storageFile = path.join(dirs.storage.dir, stackFileName(req.stack));
  const platformFile = path.join(dirs.platform.dir, stackFileName(req.stack));
  const storageLoaded = stackFromDocument(projectName(dirs.storage.dir), req.stack, storageFile, parse(derived.storageText));
  const platformLoaded = stackFromDocument(existing.project, req.stack, platformFile, parse(derived.platformText));
  const planner = new Planner(root, { storage: [storageLoaded] });
  const storagePlan = await planner.planStorage({ loaded: storageLoaded });
  const platformPlan = await planner.planPlatform({ loaded: platformLoaded });

  fs.writeFileSync(storageFile, derived.storageText);
  fs.writeFileSync(platformFile, derived.platformText);
  const result = {
    stack: req.stack,
    region: req.region,
    cidr: derived.cidr,
    restoreFrom: derived.restoreFrom,
    files: [path.relative(root, storageFile), path.relative(root, platformFile)],
    planned: { storage: storagePlan.resources.length, platform: platformPlan.resources.length },
    secrets: derived.secretPaths,
  };
  if (mode === "write-only") return result;

  const adapter = engine();
  const stack = (project: "storage" | "platform", name: string): EngineStack => ({ project, workDir: dirs[project].dir, stack: name });
  const region: RegionResult = {};
  const failed = await engineFailure(() => withProgress(
    regionSteps(adapter, mode === "yes" ? "up" : "preview", {
      // The storage stack has no secrets of Phoenix's; it takes the source's provider too.
      storage: { stack: stack("storage", req.stack), secretsProvider: derived.secretsProvider },
      platform: {
        stack: stack("platform", req.stack),
        secretsProvider: derived.secretsProvider,
        ...(derived.secretPaths.length > 0 ? { copySecrets: { from: stack("platform", req.from), paths: derived.secretPaths } } : {}),
      },
    }, region),
    io,
  ), io);
  return { ...result, engine: region, engineFailed: failed };
}
