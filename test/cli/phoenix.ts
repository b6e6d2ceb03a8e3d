/** Runs the `phoenix` command in-process, capturing what it prints, with a scripted engine. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import type {
  ChangeSummary,
  EngineAdapter,
  EngineConfigValue,
  EngineProgress,
  EngineStack,
} from "../../cli/engine/adapter";
import { main } from "../../cli/main";
import type { RecoveryAdapters } from "../../cli/recovery/env";
import { ROOT } from "../helpers";

/** What one run printed and returned. */
export interface PhoenixRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `phoenix argv` against the repository at `root`. */
export async function phoenix(
  argv: readonly string[],
  root: string,
  engine?: EngineAdapter,
  recovery?: RecoveryAdapters,
): Promise<PhoenixRun> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    root: () => root,
    engine: () => {
      if (!engine) throw new Error("this run must not reach the engine");
      return engine;
    },
    // No progress stream: listr2 stays silent beside the test runner's own output.
    io: { out: (t) => void (stdout += t), err: (t) => void (stderr += t) },
    ...(recovery ? { recovery } : {}),
  });
  return { status, stdout, stderr };
}

/**
 * A copy of the repository's two projects holding the prod stack alone (Pulumi.yaml and
 * prod's stack files) in a temporary folder: what the tests expect does not change when
 * the team adds a region.
 */
export function repositoryCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-repo-"));
  const storage = path.join("stacks", "backup-storage");
  fs.mkdirSync(path.join(dir, storage), { recursive: true });
  for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml", "package.json"])
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml"])
    fs.copyFileSync(path.join(ROOT, storage, f), path.join(dir, storage, f));
  return dir;
}

/** A repository copy whose prod stack has deletion protection off, as a destroy needs. */
export function unprotectedCopy(): string {
  const root = repositoryCopy();
  const file = path.join(root, "Pulumi.prod.yaml");
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  doc.setIn(["config", "phoenix:cluster", "deletionProtection"], false);
  fs.writeFileSync(file, doc.toString());
  return root;
}

/** One call the scripted engine received. */
export interface EngineCall {
  readonly op:
    | "ensureStack"
    | "resourceUrns"
    | "getConfig"
    | "setConfig"
    | "outputs"
    | "preview"
    | "up"
    | "destroy"
    | "removeStack"
    | "listStacks"
    | "secretOutput";
  /** `<project>/<stack>`. */
  readonly stack: string;
  readonly detail?: Record<string, unknown>;
}

/** An engine adapter that records every call and answers from a script. */
export class ScriptedEngine implements EngineAdapter {
  readonly calls: EngineCall[] = [];

  constructor(
    private readonly script: {
      /** Decrypted config of existing stacks, by `<project>/<stack>` then key. */
      readonly config?: Record<string, Record<string, string>>;
      /** Outputs of deployed stacks, by `<project>/<stack>`. */
      readonly outputs?: Record<string, Record<string, unknown>>;
      /** Operations that fail, as `<op> <project>/<stack>`. */
      readonly fail?: readonly string[];
      /** URNs in the state of existing stacks, by `<project>/<stack>`. */
      readonly urns?: Record<string, readonly string[]>;
      /** Stacks in the backend, by project ("storage" or "platform"). */
      readonly stacks?: Partial<Record<EngineStack["project"], readonly string[]>>;
    } = {},
  ) {}

  private record(op: EngineCall["op"], s: EngineStack, detail?: Record<string, unknown>): string {
    const stack = `${s.project}/${s.stack}`;
    this.calls.push({ op, stack, ...(detail ? { detail } : {}) });
    if (this.script.fail?.includes(`${op} ${stack}`)) throw new Error(`scripted failure of ${op} ${stack}`);
    return stack;
  }

  /** Stacks `ensureStack` created, by project, as the backend would then list them. */
  private readonly created = new Map<EngineStack["project"], Set<string>>();

  ensureStack(s: EngineStack, opts: { readonly secretsProvider?: string; readonly create: boolean }): Promise<void> {
    this.record("ensureStack", s, {
      workDir: s.workDir,
      create: opts.create,
      ...(opts.secretsProvider ? { secretsProvider: opts.secretsProvider } : {}),
    });
    if (opts.create) this.created.set(s.project, new Set([...(this.created.get(s.project) ?? []), s.stack]));
    return Promise.resolve();
  }

  resourceUrns(s: EngineStack): Promise<readonly string[]> {
    const stack = this.record("resourceUrns", s);
    return Promise.resolve(this.script.urns?.[stack] ?? []);
  }

  getConfig(s: EngineStack, key: string, path: boolean): Promise<EngineConfigValue> {
    const stack = this.record("getConfig", s, { key, path });
    const value = this.script.config?.[stack]?.[key];
    if (value === undefined) return Promise.reject(new Error(`no config ${key} in ${stack}`));
    return Promise.resolve({ value, secret: true });
  }

  setConfig(s: EngineStack, key: string, value: EngineConfigValue, path: boolean): Promise<void> {
    // The value itself is recorded only as its length: tests assert it never leaks.
    this.record("setConfig", s, { key, path, secret: value.secret, length: value.value.length });
    return Promise.resolve();
  }

  outputs(s: EngineStack): Promise<Readonly<Record<string, unknown>>> {
    const stack = this.record("outputs", s);
    return Promise.resolve(this.script.outputs?.[stack] ?? {});
  }

  preview(s: EngineStack, progress: EngineProgress): Promise<ChangeSummary> {
    this.record("preview", s);
    progress(`create aws:s3/bucket:Bucket ${s.stack}`);
    return Promise.resolve({ create: 3 });
  }

  up(
    s: EngineStack,
    progress: EngineProgress,
    opts?: { readonly signal?: AbortSignal; readonly refresh?: boolean },
  ): Promise<ChangeSummary> {
    this.record("up", s, opts?.refresh ? { refresh: true } : undefined);
    progress(`create aws:s3/bucket:Bucket ${s.stack}`);
    return Promise.resolve({ create: 3, same: 1 });
  }

  destroy(s: EngineStack, progress: EngineProgress): Promise<ChangeSummary> {
    this.record("destroy", s);
    progress(`delete aws:s3/bucket:Bucket ${s.stack}`);
    return Promise.resolve({ delete: 3 });
  }

  removeStack(s: EngineStack): Promise<void> {
    this.record("removeStack", s);
    this.created.get(s.project)?.delete(s.stack);
    return Promise.resolve();
  }

  listStacks(p: Pick<EngineStack, "project" | "workDir">): Promise<readonly string[]> {
    this.record("listStacks", { ...p, stack: "*" });
    return Promise.resolve([
      ...new Set([...(this.script.stacks?.[p.project] ?? []), ...(this.created.get(p.project) ?? [])]),
    ]);
  }

  secretOutput(s: EngineStack, name: string): Promise<unknown> {
    const stack = this.record("secretOutput", s, { name });
    return Promise.resolve(this.script.outputs?.[stack]?.[name]);
  }
}
