/**
 * Plans stacks of both projects offline, in one process: a platform stack's
 * `StackReference`s are answered from the referenced storage stacks' own offline plans
 * (with placeholders for what only AWS knows), so `phoenix plan --stack prod` needs
 * nothing but the repository. Storage plans are cached per planner: `--all` plans each
 * storage stack once.
 */
import * as path from "node:path";
import { regionInfo } from "../../components/regions";
import {
  BACKUP_STORAGE_PROJECT,
  ConfigError,
  type ConfigProblem,
  LOCK_OUTPUTS,
  parseStackName,
  REPLICA_OUTPUTS,
} from "../stacks/names";
import { buildPlan, type PlanDocument, type PlanInput } from "./plan";
import { evaluatePolicies } from "./policy";
import { planCost } from "./cost";
import { backupLock, platformComposition, platformProgram, platformStorage, storageProgram } from "../stacks/programs";
import { projects, type ProjectDir } from "../stacks/projects";
import { DIY_ORGANIZATION, evaluateOffline, resolve } from "./runtime";
import { loadStack, type LoadedStack } from "../stacks/stackFile";

/** The plan with the policy pack's verdict on it: the same rules `pulumi preview --policy-pack policy` runs. */
async function judgedPlan(input: PlanInput): Promise<PlanDocument> {
  const doc = buildPlan(input);
  return { ...doc, policy: await evaluatePolicies(doc) };
}

/** A stack to plan: from its file, or already loaded (a stack file not yet written). */
export type StackSource = { readonly stack: string } | { readonly loaded: LoadedStack };

/** Plans stacks of the repository at `root`. */
export class Planner {
  private readonly storagePlans = new Map<string, PlanDocument>();

  constructor(
    readonly root: string,
    /** Stack files not on disk yet, by project kind and stack (what `replicate` is about to write). */
    private readonly pending: { readonly storage?: readonly LoadedStack[] } = {},
  ) {}

  /** Plans a stack of either project. */
  async plan(project: ProjectDir, source: StackSource): Promise<PlanDocument> {
    return project.kind === "storage" ? this.planStorage(source) : this.planPlatform(source);
  }

  /** Plans a backup storage stack. */
  async planStorage(source: StackSource): Promise<PlanDocument> {
    const loaded = this.load(projects(this.root).storage, source);
    const cached = this.storagePlans.get(loaded.stack);
    if (cached && "stack" in source) return cached;
    const { parseStorageConfig } = await import("../stacks/config");
    const cfg = parseStorageConfig(loaded.config, {
      project: loaded.project,
      stack: loaded.stack,
      stackFile: this.display(loaded),
    });
    const program = await storageProgram();
    const result = await evaluateOffline(loaded, program);
    const outputs = (await resolve(result.outputs)) as Record<string, unknown>;
    const doc = await judgedPlan({
      project: loaded.project,
      stack: loaded.stack,
      region: cfg.region,
      resources: result.resources,
      namespaces: [],
      outputs,
    });
    this.storagePlans.set(loaded.stack, doc);
    return doc;
  }

  /** Plans a platform stack, and the storage stacks it reads. */
  async planPlatform(source: StackSource): Promise<PlanDocument> {
    const loaded = this.load(projects(this.root).platform, source);
    const [{ parseStackConfig }, { planPlatform }, { storageStacks }, { lockRetentionProblems }] = await Promise.all([
      import("../stacks/config"),
      platformComposition(),
      platformStorage(),
      backupLock(),
    ]);
    const stackFile = this.display(loaded);
    // Validate and classify before the mock runtime starts: a bad stack file fails here,
    // before anything is planned.
    const cfg = parseStackConfig(loaded.config, {
      project: loaded.project,
      stack: loaded.stack,
      stackFile,
      isSecret: (k) => loaded.secretKeys.includes(k),
    });
    planPlatform(cfg);
    const refs = storageStacks(cfg, DIY_ORGANIZATION);
    const stackOutputs: Record<string, Record<string, unknown>> = {};
    const problems: ConfigProblem[] = [];
    const read = async (name: string, key: string, replica: boolean): Promise<void> => {
      const parts = parseStackName(name);
      const storageDir = path.relative(this.root, projects(this.root).storage.dir);
      if (parts?.project !== BACKUP_STORAGE_PROJECT) {
        problems.push({
          key,
          message: `names ${name}, which is not a stack of the backup storage project (${BACKUP_STORAGE_PROJECT}, in ${storageDir})`,
        });
        return;
      }
      const known = this.pending.storage?.find((s) => s.stack === parts.stack);
      let doc: PlanDocument;
      try {
        doc = await this.planStorage(known ? { loaded: known } : { stack: parts.stack });
      } catch (err) {
        if (!(err instanceof Error) || err.name !== "StackFileError") throw err;
        problems.push({
          key,
          message: `names ${name}, whose stack file ${path.join(storageDir, `Pulumi.${parts.stack}.yaml`)} does not exist: create it (for a new region, \`phoenix replicate\` writes both stack files), or name an existing storage stack`,
        });
        return;
      }
      const replicaRegion = doc.outputs[REPLICA_OUTPUTS.region];
      if (replica && typeof replicaRegion !== "string") {
        problems.push({
          key,
          message: `names ${name}, which has no DR replica to restore from: set phoenix-backup-storage:replication.region in its stack file`,
        });
        return;
      }
      const region = replica ? String(replicaRegion) : doc.region;
      if (regionInfo(region)?.partition !== regionInfo(cfg.region)?.partition) {
        problems.push({
          key,
          message: `names ${name}, whose bucket is in ${region}, another AWS partition than ${cfg.region}: backups cannot be read across partitions`,
        });
        return;
      }
      stackOutputs[name] = doc.outputs;
      // The stack this one writes to: no schedule may outlive the storage's Object Lock.
      if (!replica) {
        const days = doc.outputs[LOCK_OUTPUTS.days];
        problems.push(...lockRetentionProblems(cfg, name, typeof days === "number" ? days : undefined));
      }
    };
    await read(refs.storage, `${loaded.project}:backups.storage.stack`, false);
    if (refs.restoreFrom) await read(refs.restoreFrom, `${loaded.project}:backups.restoreFrom.stack`, true);
    if (problems.length > 0) throw new ConfigError(stackFile, problems);

    // Imported only now: the program must load after the mocks are in place (pulumi/pulumi#4472 discussion; Pulumi docs, "Unit testing").
    const program = await platformProgram();
    const result = await evaluateOffline({ ...loaded, stackOutputs }, program);
    const outputs = (await resolve(result.outputs)) as Record<string, unknown>;
    const doc = await judgedPlan({
      project: loaded.project,
      stack: loaded.stack,
      region: cfg.region,
      resources: result.resources,
      namespaces: result.outputs.namespaces,
      outputs,
    });
    const drRegion = stackOutputs[refs.storage]?.[REPLICA_OUTPUTS.region];
    const cost = planCost(doc.resources, {
      region: cfg.region,
      ...(typeof drRegion === "string" ? { drRegion } : {}),
      standby: cfg.standby !== undefined,
      argocdHa: cfg.plugins.argocd.ha,
      applications: cfg.gitops.applications.length,
      recovery: cfg.recovery,
      plugins: { velero: { volumeBackup: cfg.plugins.velero.volumeBackup } },
    });
    return { ...doc, cost };
  }

  private load(project: ProjectDir, source: StackSource): LoadedStack {
    return "loaded" in source ? source.loaded : loadStack(project.dir, source.stack);
  }

  /** The stack file as messages name it: relative to the repository root. */
  private display(loaded: LoadedStack): string {
    return path.relative(this.root, loaded.stackFile) || loaded.stackFile;
  }
}
