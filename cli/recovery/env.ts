/**
 * The recovery environment of a command run: the real adapters (S3, Kubernetes, AWS,
 * the teardown of what Kubernetes made), the drill records, and the signal Ctrl-C and
 * SIGTERM raise. Tests give their own adapters through `Deps.recovery`.
 */
import * as path from "node:path";
import type { AwsAccess, BackupStore, RecoveryCluster, ReleaseExternal, StoreLocation } from "./adapters";
import type { RecoveryEnv } from "./types";
import { DrillState } from "./state";
import type { EngineAdapter } from "../engine/adapter";
import type { Io } from "../shared/io";

/** The adapters a recovery command uses; each missing one is the real one. */
export interface RecoveryAdapters {
  readonly store?: (loc: StoreLocation) => BackupStore;
  readonly cluster?: (kubeconfig: string, context?: string) => Promise<RecoveryCluster>;
  readonly aws?: () => AwsAccess;
  readonly release?: ReleaseExternal;
  readonly now?: () => number;
  /** Raised by the test instead of a real signal. */
  readonly controller?: AbortController;
}

/** The two interrupts: `waits` on any signal; `engine` on SIGTERM only (see RecoveryEnv.engineSignal). */
export interface Interrupts {
  readonly waits: AbortController;
  readonly engine: AbortController;
}

/** Builds the environment; `stateDir` defaults to `.phoenix/drills` in the repository. */
export async function recoveryEnv(
  root: string,
  engine: () => EngineAdapter,
  io: Io,
  given: RecoveryAdapters = {},
  stateDir?: string,
): Promise<{ env: RecoveryEnv; interrupts: Interrupts }> {
  const controller = given.controller ?? new AbortController();
  const engineController = new AbortController();
  // The SDKs load only when a real adapter is needed.
  const store = given.store ?? (await import("./s3")).openBackupStore;
  const kube = given.cluster ? undefined : await import("./kube");
  const cluster =
    given.cluster ??
    ((kubeconfig: string, context?: string) =>
      (kube as typeof import("./kube")).openRecoveryCluster(kubeconfig, context === undefined ? {} : { context }));
  const aws = given.aws ?? (await import("./aws")).awsAccess;
  const env: RecoveryEnv = {
    root,
    engine,
    io,
    store: (loc) => store(loc),
    cluster: (kubeconfig, context) => cluster(kubeconfig, context),
    aws,
    release:
      given.release ??
      (async (kubeconfig, target, wait) => (await import("./release")).releaseExternal(kubeconfig, target, wait)),
    state: new DrillState(stateDir ?? path.join(root, ".phoenix", "drills")),
    now: given.now ?? (() => Date.now()),
    signal: controller.signal,
    engineSignal: engineController.signal,
  };
  return { env, interrupts: { waits: controller, engine: engineController } };
}
