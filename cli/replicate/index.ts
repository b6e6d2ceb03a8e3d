/**
 * `phoenix replicate`: writes a new region's stack files derived from a source stack,
 * checks them with the offline plan before anything touches the cloud, and then, on
 * request, previews or deploys the region through the engine adapter: its backup
 * storage first, then its platform, secrets copied re-encrypted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { parseStackName, stackFileName } from "../stacks/names";
import type { EngineAdapter, EngineStack } from "../engine/adapter";
import { engineFailure, regionSteps, type RegionResult } from "../deploy/region";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import { listStacks, projectName, readStackDocument, StackFileError, stackFromDocument } from "../stacks/stackFile";
import type { Io } from "../shared/io";
import { withProgress } from "../shared/progress";
import { UsageError } from "../shared/errors";
import {
  DEFAULT_VPC_CIDR,
  deriveReplica,
  NOT_REENCRYPTED,
  securePaths,
  type ExistingStacks,
  type ReplicaRequest,
} from "./derive";

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
      const file = path.join(platform.dir, stackFileName(stack));
      let doc: unknown;
      try {
        doc = readStackDocument(file);
      } catch (err) {
        // Said as what it is: replicate reads every stack's VPC block to pick a free one.
        throw new StackFileError(
          `replicate reads every platform stack's VPC block to choose a free one, and ${stackFileName(stack)} cannot be read: ${err instanceof Error ? err.message : String(err)}\nFix or remove that file, then run replicate again.`,
        );
      }
      const network = config(doc)[`${project}:network`];
      const cidr = typeof network === "object" && network !== null ? (network as { cidr?: unknown }).cidr : undefined;
      return { stack, cidr: typeof cidr === "string" ? cidr : DEFAULT_VPC_CIDR };
    }),
    storage: listStacks(storage.dir),
  };
}

/** The files `replicate` writes for a stack, and what it needs of them to go on. */
interface Written {
  readonly storageText: string;
  readonly platformText: string;
  readonly cidr: string;
  readonly restoreFrom: string;
  readonly secretPaths: readonly string[];
  readonly secretsProvider?: string;
}

/**
 * The files an earlier `replicate --write-only` (or a `--yes` stopped by the engine) wrote,
 * read back so `--resume` can check them and go on with the engine: the secrets still to
 * re-encrypt are the `secure:` leaves the file still carries.
 */
function writtenBefore(root: string, project: string, req: Pick<ReplicaRequest, "from" | "stack">): Written {
  const dirs = projects(root);
  const storageFile = path.join(dirs.storage.dir, stackFileName(req.stack));
  const platformFile = path.join(dirs.platform.dir, stackFileName(req.stack));
  const missing = [storageFile, platformFile].filter((f) => !fs.existsSync(f));
  if (missing.length > 0)
    throw new UsageError(
      `--resume: ${missing.map((f) => path.relative(root, f)).join(" and ")} not found: run replicate without --resume to write them first`,
    );
  const platformText = fs.readFileSync(platformFile, "utf8");
  const doc = parseDocument(platformText);
  const network = doc.getIn(["config", `${project}:network`, "cidr"]);
  const restoreFrom = doc.getIn(["config", `${project}:backups`, "restoreFrom", "stack"]);
  const provider = doc.get("secretsprovider");
  return {
    storageText: fs.readFileSync(storageFile, "utf8"),
    platformText,
    cidr: typeof network === "string" ? network : DEFAULT_VPC_CIDR,
    restoreFrom: typeof restoreFrom === "string" ? restoreFrom : "",
    secretPaths: securePaths(doc),
    ...(typeof provider === "string" ? { secretsProvider: provider } : {}),
  };
}

/** Runs `replicate`. `engine` is only called for `--preview` and `--yes`; `resume` goes on from files written before. */
export async function replicate(
  root: string,
  req: ReplicaRequest,
  mode: ReplicateMode,
  engine: () => EngineAdapter,
  io: Io,
  resume = false,
): Promise<ReplicateResult> {
  const existing = existingStacks(root);
  if (resume && mode === "write-only")
    throw new UsageError("--resume goes on with the engine: give --preview or --yes");
  if (resume && !existing.platform.some((p) => p.stack === req.from))
    throw new UsageError(`--from ${req.from}: no such stack (no Pulumi.${req.from}.yaml)`);
  const derived = resume ? writtenBefore(root, existing.project, req) : deriveFromSource(root, req, existing);
  return checkWriteAndRun(root, req, mode, engine, io, derived, !resume);
}

/** Derives the new stack's files from the source's. */
function deriveFromSource(root: string, req: ReplicaRequest, existing: ExistingStacks): Written {
  const dirs = projects(root);
  const sourceFile = path.join(dirs.platform.dir, stackFileName(req.from));
  const sourceText = fs.existsSync(sourceFile) ? fs.readFileSync(sourceFile, "utf8") : "";
  // The source's storage stack file, when it is one of this repository's.
  const storageRef = (
    config(parse(sourceText || "{}"))[`${existing.project}:backups`] as { storage?: { stack?: unknown } } | undefined
  )?.storage?.stack;
  const sourceStorage = (typeof storageRef === "string" ? parseStackName(storageRef)?.stack : undefined) ?? req.from;
  const sourceStorageFile = path.join(dirs.storage.dir, stackFileName(sourceStorage));
  return deriveReplica(
    req,
    existing,
    sourceText,
    fs.existsSync(sourceStorageFile) ? fs.readFileSync(sourceStorageFile, "utf8") : undefined,
  );
}

/**
 * Drops the "not yet re-encrypted" comments once the engine has rewritten every secret
 * with the new stack's own key (`pulumi config set` keeps a file's comments), so that
 * `phoenix up` no longer refuses the file.
 */
function dropReencryptionMarks(file: string): void {
  const text = fs.readFileSync(file, "utf8");
  const cleaned = text
    .split("\n")
    .filter((line) => !(line.includes(NOT_REENCRYPTED) && line.trim().startsWith("#")))
    .map((line) => (line.includes(NOT_REENCRYPTED) ? line.replace(/\s+#[^#]*$/, "") : line))
    .join("\n");
  if (cleaned !== text) fs.writeFileSync(file, cleaned);
}

/** Plans both files offline, writes them (unless they are there already), then runs the engine if asked. */
async function checkWriteAndRun(
  root: string,
  req: ReplicaRequest,
  mode: ReplicateMode,
  engine: () => EngineAdapter,
  io: Io,
  derived: Written,
  write: boolean,
): Promise<ReplicateResult> {
  const dirs = projects(root);
  const project = projectName(dirs.platform.dir);
  // The offline plan checks both files before anything is written or touches the cloud.
  const storageFile = path.join(dirs.storage.dir, stackFileName(req.stack));
  const platformFile = path.join(dirs.platform.dir, stackFileName(req.stack));
  const storageLoaded = stackFromDocument(
    projectName(dirs.storage.dir),
    req.stack,
    storageFile,
    parse(derived.storageText),
  );
  const platformLoaded = stackFromDocument(project, req.stack, platformFile, parse(derived.platformText));
  const planner = new Planner(root, { storage: [storageLoaded] });
  const storagePlan = await planner.planStorage({ loaded: storageLoaded });
  const platformPlan = await planner.planPlatform({ loaded: platformLoaded });

  if (write) {
    fs.writeFileSync(storageFile, derived.storageText);
    fs.writeFileSync(platformFile, derived.platformText);
  }
  const result = {
    stack: req.stack,
    region: platformPlan.region,
    cidr: derived.cidr,
    restoreFrom: derived.restoreFrom,
    files: [path.relative(root, storageFile), path.relative(root, platformFile)],
    planned: { storage: storagePlan.resources.length, platform: platformPlan.resources.length },
    secrets: derived.secretPaths,
  };
  if (mode === "write-only") return result;

  const adapter = engine();
  const stack = (project: "storage" | "platform", name: string): EngineStack => ({
    project,
    workDir: dirs[project].dir,
    stack: name,
  });
  const region: RegionResult = {};
  const failed = await engineFailure(
    () =>
      withProgress(
        regionSteps(
          adapter,
          mode === "yes" ? "up" : "preview",
          {
            // The storage stack has no secrets of Phoenix's; it takes the source's provider too.
            storage: { stack: stack("storage", req.stack), secretsProvider: derived.secretsProvider, create: true },
            platform: {
              stack: stack("platform", req.stack),
              secretsProvider: derived.secretsProvider,
              create: true,
              ...(derived.secretPaths.length > 0
                ? {
                    copySecrets: { from: stack("platform", req.from), paths: derived.secretPaths },
                    onSecretsCopied: () => dropReencryptionMarks(platformFile),
                  }
                : {}),
            },
          },
          region,
        ),
        io,
      ),
    io,
  );
  return { ...result, engine: region, engineFailed: failed };
}
