/**
 * The stack a recovery starts from: its config, plan and storage read once, the
 * ephemeral stack file a drill derives from it, and the restore checks and hooks it
 * declares.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { BACKUP_STORAGE_PROJECT, parseStackName, type PhoenixConfig, stackFileName } from "../stacks/names";
import type { EngineStack } from "../engine/adapter";
import { Planner } from "../plan/planner";
import { projects } from "../stacks/projects";
import type { PlanDocument } from "../plan/plan";
import { loadStack, stackFileText, type LoadedStack } from "../stacks/stackFile";
import { type DerivedReplica } from "../replicate/derive";
import { isRecord } from "../shared/data";
import { UsageError } from "../shared/errors";
import { type HookResult, type RestoreCheck } from "./verify";

/** The source stack, as recovery needs it. */
export interface Source {
  readonly loaded: LoadedStack;
  readonly cfg: PhoenixConfig;
  readonly plan: PlanDocument;
  /** The storage stack the source writes to, in the storage project. */
  readonly storage: EngineStack;
  /** Its name as a stack reference takes it. */
  readonly storageRef: string;
  readonly imperative: readonly string[];
}

export async function readSource(root: string, stack: string): Promise<Source> {
  const dirs = projects(root);
  const loaded = loadStack(dirs.platform.dir, stack);
  const { parseStackConfig } = await import("../stacks/config");
  const cfg = parseStackConfig(loaded.config, {
    project: loaded.project,
    stack,
    stackFile: path.relative(root, loaded.stackFile) || loaded.stackFile,
  });
  const plan = await new Planner(root).planPlatform({ loaded });
  const storageRef = cfg.backups.storage.stack ?? `${BACKUP_STORAGE_PROJECT}/${stack}`;
  const storageName = parseStackName(storageRef)?.stack ?? stack;
  return {
    loaded,
    cfg,
    plan,
    storage: { project: "storage", workDir: dirs.storage.dir, stack: storageName },
    storageRef,
    imperative: plan.namespaces.filter((n) => n.class === "imperative").map((n) => n.name),
  };
}

/**
 * The ephemeral stack's file: derived as `replicate` derives a region, then linked to
 * the source's backup storage instead of new buckets (a drill must not leave retained
 * buckets behind), with its own schedules off (it must never write backups), and its
 * cluster destroyable.
 */
export function deriveDrillStack(derived: DerivedReplica, project: string, id: string): string {
  const doc = parseDocument(derived.platformText);
  const set = (p: readonly (string | number)[], value: string | boolean, why: string): void => {
    const node = doc.createNode(value);
    node.comment = ` drill: ${why}`;
    doc.setIn(["config", ...p], node);
  };
  doc.commentBefore = ` Ephemeral stack of drill ${id}: written by \`phoenix drill\`, removed by its teardown.\n${doc.commentBefore ?? ""}`;
  set(
    [`${project}:backups`, "storage", "stack"],
    derived.restoreFrom,
    "linked to the source's backup storage: no buckets of its own",
  );
  set([`${project}:backups`, "enabled"], false, "an ephemeral cluster never writes backups");
  set([`${project}:cluster`, "deletionProtection"], false, "torn down when the drill ends");
  // Nothing of a drill may reach the source's DNS zones: external-dns would write records
  // there that teardown never removes, and DNS-01 challenges would use them.
  if (doc.hasIn(["config", `${project}:plugins`, "externalDns"]))
    set([`${project}:plugins`, "externalDns", "enabled"], false, "a drill never writes the source's DNS records");
  if (doc.hasIn(["config", `${project}:plugins`, "certManager", "dns01"])) {
    doc.deleteIn(["config", `${project}:plugins`, "certManager", "dns01"]);
    const cm = doc.getIn(["config", `${project}:plugins`, "certManager"], true) as
      { commentBefore?: string | null } | undefined;
    if (cm) cm.commentBefore = " drill: dns01 left out: no ACME challenge in the source's zones";
  }
  return stackFileText(doc, derived.platformText);
}

/**
 * The region a drill goes to by default: the source storage's DR replica's, where the
 * backups it restores live (read from the storage stack file, offline).
 */
export function replicaRegion(root: string, source: Source): string {
  return storageReplicaRegion(root, source.storage.stack, source.loaded.stack);
}

/** The DR replica's region of a storage stack, from its stack file (offline); `whose` names the platform stack in the message. */
export function storageReplicaRegion(root: string, storageStack: string, whose: string): string {
  const dirs = projects(root);
  const file = path.join(dirs.storage.dir, stackFileName(storageStack));
  const doc = fs.existsSync(file) ? (parse(fs.readFileSync(file, "utf8")) as unknown) : undefined;
  const config = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
  const replication = config[`${BACKUP_STORAGE_PROJECT}:replication`];
  const region = isRecord(replication) ? replication.region : undefined;
  if (typeof region !== "string") {
    throw new UsageError(
      `${path.relative(root, file) || file}: ${BACKUP_STORAGE_PROJECT}:replication.region is not set, so ${whose}'s backups have no DR replica to drill from: set it, or give --region`,
    );
  }
  return region;
}

/**
 * A drill's id: sortable by start, short enough for a stack name, and apart from a drill
 * started in the same millisecond elsewhere (a digest of the machine and process).
 */
export function drillId(now: number, host = os.hostname(), pid = process.pid): string {
  return `drill-${now.toString(36)}-${createHash("sha256").update(`${host}:${pid}`).digest("hex").slice(0, 4)}`;
}

export function hookResults(cfg: PhoenixConfig): HookResult[] {
  return cfg.namespaces.imperative.map((n) => ({
    namespace: n.name,
    declared: { pre: n.backupHooks?.pre.length ?? 0, post: n.backupHooks?.post.length ?? 0 },
  }));
}

export function checksOf(outputs: Readonly<Record<string, unknown>>, cfg: PhoenixConfig): RestoreCheck[] {
  const out = outputs.restoreChecks;
  if (Array.isArray(out)) return out.filter(isRecord) as unknown as RestoreCheck[];
  // A stack deployed before it exported its checks: the config has them.
  return cfg.namespaces.imperative.flatMap((n) => (n.verify ? [{ namespace: n.name, ...n.verify }] : []));
}

/** A string at a path under `config:` of a stack file's text. */
export function configString(text: string, at: readonly string[]): string | undefined {
  const v = parseDocument(text).getIn(["config", ...at]);
  return typeof v === "string" ? v : undefined;
}

/** A string value, or empty. */
export function asText(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function str(v: unknown, what: string, stack: string): string {
  if (typeof v !== "string" || v === "")
    throw new Error(`stack ${stack} has no output "${what}": run \`phoenix up --stack ${stack}\` first`);
  return v;
}
