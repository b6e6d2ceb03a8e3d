/**
 * Brings one region up (or previews it) through the engine adapter: its backup storage
 * stack first, then its platform stack, which reads the storage's outputs. Shared by
 * `phoenix preview|up` and `phoenix replicate --preview|--yes`.
 */
import type { ChangeSummary, EngineAdapter, EngineStack } from "../engine/adapter";
import { inputProblem, UsageError } from "../shared/errors";
import type { Io } from "../shared/io";
import type { ProgressStep } from "../shared/progress";

/** Secrets to copy into a new stack: read decrypted from `from`, written re-encrypted. */
export interface SecretCopy {
  readonly from: EngineStack;
  /** Config paths, as `pulumi config get --path` takes them (`phoenix:gitops.credentials.token`). */
  readonly paths: readonly string[];
}

/** One stack of the region and what to do before its operation. */
export interface RegionStack {
  readonly stack: EngineStack;
  /** Secrets provider for a stack that does not exist yet (the source's, for a replica). */
  readonly secretsProvider?: string;
  readonly copySecrets?: SecretCopy;
  /** Create the stack when it does not exist (`up`, a new replica); a plain preview only selects. */
  readonly create: boolean;
  /** Called once every secret is copied: the stack file no longer holds the source's ciphertext. */
  readonly onSecretsCopied?: () => void;
}

/** What a region operation did, per stack. */
export interface RegionResult {
  readonly storage?: ChangeSummary;
  readonly platform?: ChangeSummary;
  /** Why the platform was not previewed, when it was not. */
  readonly platformSkipped?: string;
}

/** Formats a change summary for a progress line: `create 21, same 3`. */
export function formatChanges(summary: ChangeSummary): string {
  const parts = Object.entries(summary)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.join(", ") || "no changes";
}

/**
 * The steps of one region operation, in order: each stack is created or selected,
 * gets its copied secrets, then runs `op`. The storage stack goes first; a platform
 * preview is skipped when the storage was never deployed, because its StackReference
 * would have no outputs to read (say so instead of failing).
 */
export function regionSteps(
  engine: EngineAdapter,
  op: "preview" | "up",
  region: { readonly storage?: RegionStack; readonly platform: RegionStack },
  result: { -readonly [K in keyof RegionResult]: RegionResult[K] },
): ProgressStep[] {
  const prepare = (s: RegionStack): ProgressStep => ({
    title: `${s.stack.project} stack ${s.stack.stack}: select or create${s.copySecrets ? `, copy ${s.copySecrets.paths.length} secret setting(s) re-encrypted` : ""}`,
    run: async (update) => {
      await engine.ensureStack(s.stack, { secretsProvider: s.secretsProvider, create: s.create });
      for (const key of s.copySecrets?.paths ?? []) {
        update(`copying ${key}`);
        const value = await engine.getConfig(s.copySecrets!.from, key, true);
        // Stored as a secret whatever the source says: it was one in the source's file.
        await engine.setConfig(s.stack, key, { value: value.value, secret: true }, true);
      }
      if (s.copySecrets) s.onSecretsCopied?.();
    },
  });
  const steps: ProgressStep[] = [];
  if (region.storage) {
    const storage = region.storage;
    steps.push(prepare(storage), {
      title: `${op} backup storage stack ${storage.stack.stack}`,
      run: async (update) => {
        result.storage = await engine[op](storage.stack, update);
        update(formatChanges(result.storage));
      },
    });
  }
  const platform = region.platform;
  steps.push(prepare(platform), {
    title: `${op} platform stack ${platform.stack.stack}`,
    run: async (update) => {
      if (op === "preview" && region.storage) {
        const outputs = await engine.outputs(region.storage.stack);
        if (Object.keys(outputs).length === 0) {
          result.platformSkipped = `backup storage stack ${region.storage.stack.stack} has no outputs yet (never deployed): the platform's preview reads them; run \`phoenix up --stack ${platform.stack.stack}\` to deploy both`;
          update("skipped: storage not deployed yet");
          return;
        }
      }
      result.platform = await engine[op](platform.stack, update);
      update(formatChanges(result.platform));
    },
  });
  return steps;
}

/**
 * Runs an engine operation; an engine failure (a failed update, a missing CLI) is
 * reported on stderr and answered `true`, so the command exits 1 with the engine's own
 * words instead of a stack trace. Bad input is rethrown: it exits 2.
 */
export async function engineFailure(run: () => Promise<void>, io: Pick<Io, "err">): Promise<boolean> {
  try {
    await run();
    return false;
  } catch (err) {
    if (err instanceof Error && inputProblem(err) !== undefined) throw err;
    io.err(`engine operation failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return true;
  }
}

/** Logical names the backup bucket had inside the platform stack before the storage project (docs/operations/destroy-and-recreate.md, "Moving an existing bucket"). */
const LEGACY_BUCKET_URN = /::plugins-velero-backups(-replica)?$/;

/**
 * Refuses to run a region whose platform stack still holds its backup bucket: the
 * storage stack would create a new, empty bucket, the platform would drop the old one
 * from its state, and Velero would move to the empty one, which is the very loss the
 * storage project exists to prevent.
 */
export async function checkNoLegacyBucket(
  engine: EngineAdapter,
  platform: EngineStack,
  stackFile: string,
): Promise<void> {
  const legacy = (await engine.resourceUrns(platform)).filter((u) => LEGACY_BUCKET_URN.test(u));
  if (legacy.length > 0) {
    throw new UsageError(
      `${stackFile}: stack ${platform.stack} still holds its backup bucket (${legacy.length} resource${legacy.length === 1 ? "" : "s"} such as ${legacy[0]}): ` +
        'move it into the backup storage project first (docs/operations/destroy-and-recreate.md, "Moving an existing bucket"), or this run would point Velero at a new, empty bucket',
    );
  }
}
