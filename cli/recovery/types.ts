/**
 * What the drill, `recover` and their phases share: the environment they run against,
 * the requests, and what the phases find (each phase writes what it found; the report
 * reads it).
 */
import type { EngineAdapter } from "../engine/adapter";
import type { Io } from "../shared/io";
import type {
  AwsAccess,
  BackupStore,
  RecoveryCluster,
  ReleaseExternal,
  RestoreOutcome,
  StoreLocation,
} from "./adapters";
import { modelRecovery, type ModeledPilotLight } from "./model";
import type { DrillCosts } from "./drillCost";
import { type BackupCheck } from "../backup/check";
import { DrillState, type DrillRecord } from "./state";
import { type Verification } from "./verify";
import { type BackupSummary } from "./velero";

/** What recovery runs against; tests replace every part. */
export interface RecoveryEnv {
  readonly root: string;
  readonly engine: () => EngineAdapter;
  readonly store: (loc: StoreLocation) => BackupStore;
  readonly cluster: (kubeconfig: string, context?: string) => Promise<RecoveryCluster>;
  readonly aws: () => AwsAccess;
  readonly release: ReleaseExternal;
  readonly state: DrillState;
  readonly io: Io;
  readonly now: () => number;
  /** Fires on Ctrl-C or SIGTERM: stops the waits. */
  readonly signal: AbortSignal;
  /**
   * Fires on SIGTERM only: cancels a running `pulumi up`. A terminal's Ctrl-C reaches the
   * `pulumi` child already (same process group), and a second SIGINT would make it stop
   * at once instead of finishing what is in flight.
   */
  readonly engineSignal: AbortSignal;
}

/** What the user asked of a drill. */
export interface DrillRequest {
  readonly from: string;
  /** Default: the region of the source storage's DR replica, where the backups to restore are. */
  readonly region?: string;
  readonly backup?: string;
  readonly keep: boolean;
  readonly reportDir?: string;
  readonly rehearse: boolean;
  /** Restore even when the backup holds references that nothing resolves in the target region. */
  readonly acceptUnportable?: boolean;
  /** Drill this pilot-light standby in place instead of an ephemeral stack (`--standby`). */
  readonly standby?: string;
  /** Refuse a drill whose modeled cost is above this many US dollars (`--max-cost`). */
  readonly maxCostUsd?: number;
}

/** What the phases share as they go. */
export interface Progress {
  record?: DrillRecord;
  location?: StoreLocation;
  backup?: BackupSummary;
  rpo?: { ageSeconds: number; lagSeconds?: number; lagNote: string };
  /** Newer backups of the namespaces that were not used, and why. */
  passedOver?: readonly PassedOver[];
  kubeconfig?: string;
  outputs?: Readonly<Record<string, unknown>>;
  restore?: { name: string; outcome: RestoreOutcome };
  verification?: Verification;
  stackCreated: boolean;
  modeled?: ReturnType<typeof modelRecovery>;
  modeledRpo?: { seconds: number; basis: string };
  /** The backup checked against the target region: what the restore rewrites, and what nothing resolves. */
  portability?: BackupCheck;
  /** A rehearsal's restore as a drill would run it. */
  wouldRestore?: { namespaces: readonly string[]; checks: readonly { namespace: string; command: string }[] };
  /** Modeled seconds of the storage stack a real recovery into another region deploys first, which a drill does not. */
  storageSeconds?: number;
  /** A rehearsal's model of the same recovery from a pilot-light standby in the target region. */
  pilotLight?: ModeledPilotLight;
  /** A drill's modeled cost, and what its measured cost is computed from. */
  cost?: DrillCosts;
}

/** A newer backup a recovery did not use. */
export interface PassedOver {
  readonly name: string;
  readonly why: string;
}

/** What the user asked of `recover`. */
export interface RecoverRequest {
  readonly stack: string;
  /** Another region: rebuilt there as a replica stack named `as`. */
  readonly region?: string;
  readonly as?: string;
  readonly backup?: string;
  readonly reportDir?: string;
  /** Restore even when the backup holds references that nothing resolves in the target region. */
  readonly acceptUnportable?: boolean;
}
