/**
 * The one narrow seam between Phoenix's commands and the Pulumi engine. Every engine
 * call `replicate`, `preview` and `up` make goes through an `EngineAdapter`: the real
 * one drives the Pulumi CLI through the Automation API (./automation.ts); tests drive
 * the commands end to end with a scripted one and assert the calls, in order.
 */

/** A stack of one of the repository's projects. */
export interface EngineStack {
  /** Which project: backup storage (stacks/backup-storage) or platform (the root). */
  readonly project: "storage" | "platform";
  /** The project folder (`LocalWorkspace` runs there). */
  readonly workDir: string;
  /** Stack name, as in Pulumi.<stack>.yaml. */
  readonly stack: string;
}

/** A config value as the engine holds it. Secret values never leave the adapter's callers unmasked. */
export interface EngineConfigValue {
  readonly value: string;
  readonly secret: boolean;
}

/** Counts of resource operations, as the engine reports them (`create`, `update`, `same`, ...). */
export type ChangeSummary = Readonly<Record<string, number>>;

/** One line of progress from the engine (a step starting, a diagnostic). */
export type EngineProgress = (line: string) => void;

/** What Phoenix asks of the engine. */
export interface EngineAdapter {
  /**
   * Selects the stack; with `create`, creates it first when it does not exist (with
   * `secretsProvider`, when given). Without `create`, a missing stack is an error.
   */
  ensureStack(stack: EngineStack, opts: { readonly secretsProvider?: string; readonly create: boolean }): Promise<void>;
  /** URNs in the stack's state (empty for a stack that does not exist): what a command checks before it changes anything. */
  resourceUrns(stack: EngineStack): Promise<readonly string[]>;
  /** One config value of an existing stack, decrypted: `path` addresses a leaf inside a map key (`pulumi config get --path`). */
  getConfig(stack: EngineStack, key: string, path: boolean): Promise<EngineConfigValue>;
  /** Sets one config value; a secret is encrypted with the stack's own secrets provider. */
  setConfig(stack: EngineStack, key: string, value: EngineConfigValue, path: boolean): Promise<void>;
  /** The stack's outputs (empty for a stack that was never deployed). */
  outputs(stack: EngineStack): Promise<Readonly<Record<string, unknown>>>;
  /** `pulumi preview`, streaming progress. */
  preview(stack: EngineStack, progress: EngineProgress): Promise<ChangeSummary>;
  /**
   * `pulumi up`, streaming progress. `signal` cancels it (the engine finishes what is in
   * flight, then stops and unlocks the stack); `refresh` reads the cloud first, as a
   * rebuild after a disaster needs (the state still lists what was lost).
   */
  up(
    stack: EngineStack,
    progress: EngineProgress,
    opts?: { readonly signal?: AbortSignal; readonly refresh?: boolean },
  ): Promise<ChangeSummary>;
  /**
   * `pulumi destroy --run-program`: the program runs, so its `beforeDelete` resource
   * hooks (the platform's teardown of what Kubernetes made in AWS) run too.
   */
  destroy(stack: EngineStack, progress: EngineProgress): Promise<ChangeSummary>;
  /** `pulumi stack rm`: the (empty) stack and its config in the backend. */
  removeStack(stack: EngineStack): Promise<void>;
  /** Names of the project's stacks in the backend (without organization and project). */
  listStacks(project: Pick<EngineStack, "project" | "workDir">): Promise<readonly string[]>;
  /** One stack output in clear, secret or not (a kubeconfig): for the caller's own use, never to print. */
  secretOutput(stack: EngineStack, name: string): Promise<unknown>;
}
