/**
 * The real engine adapter: Pulumi's Automation API over `LocalWorkspace`, which drives
 * the `pulumi` CLI found on PATH (`PulumiCommand.get()`) in the project's own folder, so
 * the CLI reads the same Pulumi.yaml and Pulumi.<stack>.yaml a person would. The backend
 * is whatever `pulumi login` (or PULUMI_BACKEND_URL) chose. Loaded only when a command
 * really talks to the engine: tests and `--write-only` never need the CLI.
 */
import type { EngineEvent, LocalWorkspace as Workspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { TEARDOWN_LOG_PREFIX } from "../../components/teardown/release";
import { UsageError } from "../shared/errors";
import type { ChangeSummary, EngineAdapter, EngineConfigValue, EngineProgress, EngineStack } from "./adapter";

/** One progress line for an engine event, or undefined for events not worth a line. */
export function describeEvent(e: EngineEvent): string | undefined {
  if (e.resourcePreEvent) {
    const m = e.resourcePreEvent.metadata;
    if (m.op === "same") return undefined;
    return `${m.op} ${m.type} ${m.urn.split("::").pop() ?? m.urn}`;
  }
  if (e.diagnosticEvent && (e.diagnosticEvent.severity === "warning" || e.diagnosticEvent.severity === "error")) {
    return `${e.diagnosticEvent.severity}: ${e.diagnosticEvent.message.trim().split("\n")[0]}`;
  }
  // The teardown hook's progress: a destroy waits on it for minutes.
  if (e.diagnosticEvent?.severity === "info" && e.diagnosticEvent.message.startsWith(TEARDOWN_LOG_PREFIX))
    return e.diagnosticEvent.message.trim();
  return undefined;
}

/** What every engine call needs: the Automation API module and the CLI it found. */
interface Automation {
  readonly LocalWorkspace: typeof Workspace;
  readonly pulumiCommand: PulumiCommand;
}

/** The message of a missing `pulumi` CLI: what is missing and how to get it. */
export const NO_PULUMI_CLI =
  "the Pulumi CLI is not installed: no `pulumi` on PATH. Install it (https://www.pulumi.com/docs/iac/download-install/) " +
  "or put its folder on PATH, then run this again. `phoenix plan`, `charts verify` and `drill run --rehearse` need no CLI.";

/** Loads the Automation API and finds the CLI once; a missing CLI is an input error (exit 2), not a stack trace. */
async function loadAutomation(): Promise<Automation> {
  const { LocalWorkspace, PulumiCommand } = await import("@pulumi/pulumi/automation");
  try {
    return { LocalWorkspace, pulumiCommand: await PulumiCommand.get() };
  } catch (err) {
    // PulumiCommand.get() runs `pulumi version`; spawn fails with ENOENT when there is none.
    if (err instanceof Error && /ENOENT/.test(err.message)) throw new UsageError(NO_PULUMI_CLI);
    throw err;
  }
}

/** Drives the Pulumi CLI through the Automation API. */
export class AutomationEngine implements EngineAdapter {
  private readonly stacks = new Map<string, Promise<Stack>>();
  private automation: Promise<Automation> | undefined;

  private load(): Promise<Automation> {
    this.automation ??= loadAutomation();
    return this.automation;
  }

  /** `env`: extra variables for every CLI call (PULUMI_CONFIG_PASSPHRASE, AWS_PROFILE, ...); the process's own are inherited. */
  constructor(private readonly env: Readonly<Record<string, string>> = {}) {}

  /** Opens a stack once: `create` creates it when missing; otherwise it must exist (`pulumi stack select`). */
  private async open(
    stack: EngineStack,
    opts: { readonly create?: boolean; readonly secretsProvider?: string } = {},
  ): Promise<Stack> {
    const id = `${stack.workDir}\0${stack.stack}`;
    let opened = this.stacks.get(id);
    if (!opened) {
      opened = (async () => {
        const { LocalWorkspace, pulumiCommand } = await this.load();
        const args = { workDir: stack.workDir, stackName: stack.stack };
        const ws = {
          pulumiCommand,
          envVars: { ...this.env },
          ...(opts.secretsProvider ? { secretsProvider: opts.secretsProvider } : {}),
        };
        // A stack that is only read (the source of a replica) or previewed is never created by accident.
        return opts.create ? LocalWorkspace.createOrSelectStack(args, ws) : LocalWorkspace.selectStack(args, ws);
      })();
      this.stacks.set(id, opened);
    }
    return opened;
  }

  async ensureStack(
    stack: EngineStack,
    opts: { readonly secretsProvider?: string; readonly create: boolean },
  ): Promise<void> {
    await this.open(stack, opts);
  }

  async resourceUrns(stack: EngineStack): Promise<readonly string[]> {
    const { LocalWorkspace, pulumiCommand } = await this.load();
    const ws = await LocalWorkspace.create({ pulumiCommand, workDir: stack.workDir, envVars: { ...this.env } });
    const known = await ws.listStacks();
    if (!known.some((s) => s.name === stack.stack || s.name.endsWith(`/${stack.stack}`))) return [];
    const deployment = await ws.exportStack(stack.stack);
    const resources = (deployment.deployment as { resources?: { urn?: unknown }[] } | undefined)?.resources ?? [];
    return resources.map((r) => (typeof r.urn === "string" ? r.urn : ""));
  }

  async getConfig(stack: EngineStack, key: string, path: boolean): Promise<EngineConfigValue> {
    const v = await (await this.open(stack)).getConfig(key, path);
    return { value: v.value, secret: v.secret === true };
  }

  async setConfig(stack: EngineStack, key: string, value: EngineConfigValue, path: boolean): Promise<void> {
    try {
      await (await this.open(stack)).setConfig(key, { value: value.value, secret: value.secret }, path);
    } catch (err) {
      // The Automation API passes the value on the `pulumi config set` command line, and
      // a failed call's message quotes that line: never let a secret through.
      throw new Error(redact(err instanceof Error ? err.message : String(err), value.value));
    }
  }

  async outputs(stack: EngineStack): Promise<Readonly<Record<string, unknown>>> {
    const out = await (await this.open(stack)).outputs();
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
  }

  async destroy(stack: EngineStack, progress: EngineProgress): Promise<ChangeSummary> {
    const s = await this.open(stack);
    // Delete hooks run only when the program runs (Pulumi docs, "Resource hooks").
    // Refreshed first: a drill interrupted mid-`up` may hold resources the state has not caught up with.
    const result = await s.destroy({
      onEvent: (e) => report(e, progress),
      color: "never",
      runProgram: true,
      refresh: true,
    });
    return result.summary.resourceChanges ?? {};
  }

  async removeStack(stack: EngineStack): Promise<void> {
    const s = await this.open(stack);
    await s.workspace.removeStack(stack.stack);
    this.stacks.delete(`${stack.workDir}\0${stack.stack}`);
  }

  async listStacks(project: Pick<EngineStack, "project" | "workDir">): Promise<readonly string[]> {
    const { LocalWorkspace, pulumiCommand } = await this.load();
    const ws = await LocalWorkspace.create({ pulumiCommand, workDir: project.workDir, envVars: { ...this.env } });
    // Names come back as `<org>/<project>/<stack>` on some backends, bare on others.
    return (await ws.listStacks()).map((s) => s.name.split("/").pop() ?? s.name);
  }

  async secretOutput(stack: EngineStack, name: string): Promise<unknown> {
    return (await (await this.open(stack)).outputs())[name]?.value;
  }

  async preview(stack: EngineStack, progress: EngineProgress): Promise<ChangeSummary> {
    const s = await this.open(stack);
    const result = await s.preview({ onEvent: (e) => report(e, progress), color: "never" });
    return result.changeSummary;
  }

  async up(
    stack: EngineStack,
    progress: EngineProgress,
    opts: { readonly signal?: AbortSignal; readonly refresh?: boolean } = {},
  ): Promise<ChangeSummary> {
    const s = await this.open(stack);
    const result = await s.up({
      onEvent: (e) => report(e, progress),
      color: "never",
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.refresh ? { refresh: true } : {}),
    });
    return result.summary.resourceChanges ?? {};
  }
}

/** `text` with every occurrence of `secret` replaced by `[secret]`. */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join("[secret]");
}

function report(e: EngineEvent, progress: EngineProgress): void {
  const line = describeEvent(e);
  if (line !== undefined) progress(line);
}
