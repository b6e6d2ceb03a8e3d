/**
 * The real engine adapter: Pulumi's Automation API over `LocalWorkspace`, which drives
 * the `pulumi` CLI found on PATH (`PulumiCommand.get()`) in the project's own folder, so
 * the CLI reads the same Pulumi.yaml and Pulumi.<stack>.yaml a person would. The backend
 * is whatever `pulumi login` (or PULUMI_BACKEND_URL) chose. Loaded only when a command
 * really talks to the engine: tests and `--write-only` never need the CLI.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
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
  return undefined;
}

/** Drives the Pulumi CLI through the Automation API. */
export class AutomationEngine implements EngineAdapter {
  private readonly stacks = new Map<string, Promise<Stack>>();

  /** `env`: extra variables for every CLI call (PULUMI_CONFIG_PASSPHRASE, AWS_PROFILE, ...); the process's own are inherited. */
  constructor(private readonly env: Readonly<Record<string, string>> = {}) {}

  private async open(stack: EngineStack, secretsProvider?: string): Promise<Stack> {
    const id = `${stack.workDir}\0${stack.stack}`;
    let opened = this.stacks.get(id);
    if (!opened) {
      opened = (async () => {
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        // Creates the stack (`pulumi stack init`, with the secrets provider) or selects it.
        return LocalWorkspace.createOrSelectStack(
          { workDir: stack.workDir, stackName: stack.stack },
          { envVars: { ...this.env }, ...(secretsProvider ? { secretsProvider } : {}) },
        );
      })();
      this.stacks.set(id, opened);
    }
    return opened;
  }

  async ensureStack(stack: EngineStack, opts: { readonly secretsProvider?: string }): Promise<void> {
    await this.open(stack, opts.secretsProvider);
  }

  async getConfig(stack: EngineStack, key: string, path: boolean): Promise<EngineConfigValue> {
    const v = await (await this.open(stack)).getConfig(key, path);
    return { value: v.value, secret: v.secret === true };
  }

  async setConfig(stack: EngineStack, key: string, value: EngineConfigValue, path: boolean): Promise<void> {
    await (await this.open(stack)).setConfig(key, { value: value.value, secret: value.secret }, path);
  }

  async outputs(stack: EngineStack): Promise<Readonly<Record<string, unknown>>> {
    const out = await (await this.open(stack)).outputs();
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
  }

  async preview(stack: EngineStack, progress: EngineProgress): Promise<ChangeSummary> {
    const s = await this.open(stack);
    const result = await s.preview({ onEvent: (e) => report(e, progress), color: "never" });
    return result.changeSummary;
  }

  async up(stack: EngineStack, progress: EngineProgress): Promise<ChangeSummary> {
    const s = await this.open(stack);
    const result = await s.up({ onEvent: (e) => report(e, progress), color: "never" });
    return result.summary.resourceChanges ?? {};
  }
}

function report(e: EngineEvent, progress: EngineProgress): void {
  const line = describeEvent(e);
  if (line !== undefined) progress(line);
}
