/**
 * Scripted recovery adapters: a bucket, a restored cluster and AWS that answer from
 * memory and record every call, and can fail or be interrupted at any step, as a test
 * chooses. The real adapters are tested against local servers (s3.test.ts, kube.test.ts).
 */
import type { Rewrite } from "../../../cli/backup/portability";
import type {
  AwsAccess,
  BackupStore,
  ExecResult,
  RecoveryCluster,
  ReleaseExternal,
  RestoreOutcome,
  StoreLocation,
  Wait,
} from "../../../cli/recovery/adapters";
import type { LiveObject } from "../../../cli/recovery/compare";
import { expectedBack } from "../../../cli/recovery/compare";
import type { RecoveryAdapters } from "../../../cli/recovery/env";
import { drillId } from "../../../cli/recovery/source";
import { Interrupted } from "../../../cli/recovery/phases";
import type { BackupObject } from "../../../cli/recovery/backupTarball";
import { backupSummary, type StoredBlob } from "../../../cli/recovery/velero";
import type { EngineProgress, EngineStack, ChangeSummary } from "../../../cli/engine/adapter";
import { ScriptedEngine } from "../phoenix";
import { backupJson, ledgerObjects } from "./fixtures";

/** Where a scripted step fails or is interrupted: `<adapter>.<method>`. */
export type Step =
  | "store.listBackups"
  | "aws.readSecret"
  | "engine.up"
  | "cluster.waitApplications"
  | "cluster.waitRestore"
  | "cluster.listObjects"
  | "cluster.deleteRestored"
  | "release";

/** A fixed start (2026-11-27T08:00:00Z), one second per clock reading. */
export const T0 = Date.parse("2026-11-27T08:00:00Z");

export class Script {
  readonly calls: string[] = [];
  readonly controller = new AbortController();
  private t = T0;
  /** Seconds the clock moves per reading (a slow drill misses its RTO). */
  tick = 1;

  constructor(
    readonly opts: {
      fail?: Step;
      interrupt?: Step;
      signalDuring?: Step;
      newerIncomplete?: boolean;
      newerPartiallyFailed?: boolean;
      objects?: BackupObject[];
      live?: (objects: BackupObject[]) => LiveObject[];
      checkExit?: number;
      backupCompleted?: string;
      rewrites?: Rewrite[];
      newerKopiaBehind?: boolean;
    } = {},
  ) {}

  /** The drill id a drill started now, in this process, gets. */
  get drillId(): string {
    return drillId(T0);
  }

  private step(name: Step): Promise<void> {
    this.calls.push(name);
    if (this.opts.fail === name) return Promise.reject(new Error(`scripted failure of ${name}`));
    // A signal that arrives while a step that does not listen for it runs: it goes on.
    if (this.opts.signalDuring === name) this.controller.abort(new Interrupted("SIGTERM"));
    if (this.opts.interrupt === name) {
      // As a real signal arrives while a wait is running: the wait sees the signal and stops.
      this.controller.abort(new Interrupted("SIGINT"));
      return Promise.reject(this.controller.signal.reason as Error);
    }
    return Promise.resolve();
  }

  readonly objects = (): BackupObject[] =>
    this.opts.objects ?? [...ledgerObjects(), ...ledgerObjects("ml-models").filter((o) => o.kind === "ConfigMap")];

  store = (loc?: StoreLocation): BackupStore => ({
    location: loc ? `s3://${loc.bucket} (${loc.region})` : "s3://replica (eu-central-1)",
    listBackups: async () => {
      await this.step("store.listBackups");
      return [
        backupSummary(
          backupJson("velero-hourly-20261127070000", {
            completed: this.opts.backupCompleted ?? "2026-11-27T07:00:30Z",
            hooks: { attempted: 2, failed: 0 },
          }),
        ),
        // A newer backup whose metadata replicated before its tarball did.
        ...(this.opts.newerIncomplete || this.opts.newerKopiaBehind
          ? [backupSummary(backupJson("velero-hourly-20261127075900", { completed: "2026-11-27T07:59:30Z" }))]
          : []),
        // A newer backup whose hook or volume failed.
        ...(this.opts.newerPartiallyFailed
          ? [
              backupSummary({
                ...backupJson("velero-hourly-20261127073000", {
                  completed: "2026-11-27T07:30:30Z",
                  phase: "PartiallyFailed",
                }),
                status: {
                  phase: "PartiallyFailed",
                  errors: 2,
                  startTimestamp: "2026-11-27T07:30:00Z",
                  completionTimestamp: "2026-11-27T07:30:30Z",
                },
              }),
            ]
          : []),
      ];
    },
    isComplete: (name: string) =>
      Promise.resolve(!(this.opts.newerIncomplete && name === "velero-hourly-20261127075900")),
    // The ledger database's one volume (the fixtures' pod mounts one claim).
    podVolumeBackups: (name: string) =>
      Promise.resolve([
        {
          namespace: "payments-ledger",
          pod: "ledger-db-0",
          volume: "data",
          phase: "Completed",
          snapshotID: `snap-${name}`,
        },
      ]),
    // The fixtures' backups are file-system backups: nothing moved by the data mover.
    dataMovedVolumes: () => Promise.resolve([]),
    // kopia/payments-ledger/ as each bucket holds it: the blob the newer backup wrote is not on the replica with newerKopiaBehind.
    kopiaBlobs: (ns: string) => {
      const blob = (id: string, at: string): StoredBlob => ({ key: `kopia/${ns}/${id}`, size: 4096, lastModified: at });
      const all = [
        blob("kopia.repository", "2026-11-01T00:00:00Z"),
        blob("p0700", "2026-11-27T07:00:20Z"),
        blob("p0759", "2026-11-27T07:59:20Z"),
      ];
      return Promise.resolve(
        loc?.bucket === "replica" && this.opts.newerKopiaBehind ? all.filter((b) => !b.key.endsWith("p0759")) : all,
      );
    },
    resourceList: () =>
      Promise.resolve(
        this.objects().map((o) => ({
          key: `${o.apiVersion}/${o.kind}`,
          kind: o.kind,
          ...(o.namespace ? { namespace: o.namespace } : {}),
          name: o.name,
        })),
      ),
    backupObjects: () => Promise.resolve(this.objects()),
    // A drill never asks these; `phoenix status` is tested against s3rver and MinIO instead.
    objectBytes: () => Promise.reject(new Error("the scripted store does not answer objectBytes")),
    objectLock: () => Promise.reject(new Error("the scripted store does not answer objectLock")),
    restoreRecord: () =>
      Promise.resolve({
        messages: {
          warnings: ['payments-ledger: could not restore, LimitRange "defaults" already exists'],
          errors: [],
        },
        items: [],
      }),
  });

  readonly cluster = (): Promise<RecoveryCluster> =>
    Promise.resolve({
      waitApplications: async (_w: Wait) => {
        await this.step("cluster.waitApplications");
        return { total: 3 };
      },
      waitBackup: (_ns: string, _backup: string, podVolumeBackups: number) => {
        this.calls.push(`waitBackup with ${podVolumeBackups} pod volume backups`);
        return Promise.resolve();
      },
      createRestore: (m) => {
        this.calls.push(`createRestore ${JSON.stringify((m as { spec: unknown }).spec)}`);
        return Promise.resolve();
      },
      applyConfigMap: (m) => {
        this.calls.push(`applyConfigMap ${JSON.stringify(m)}`);
        return Promise.resolve();
      },
      restoreRewrites: () => Promise.resolve(this.opts.rewrites ?? []),
      waitRestore: async (): Promise<RestoreOutcome> => {
        await this.step("cluster.waitRestore");
        return {
          phase: "Completed",
          warnings: 1,
          errors: 0,
          volumeRestores: [
            { podNamespace: "payments-ledger", podName: "ledger-db-0", volume: "data", phase: "Completed" },
          ],
        };
      },
      restoresOf: () => Promise.resolve(["velero-hourly-20261127070000-r"]),
      listObjects: async (namespaces) => {
        await this.step("cluster.listObjects");
        const objects = this.objects().filter((o) => namespaces.includes(o.namespace ?? ""));
        return this.opts.live
          ? this.opts.live(objects)
          : objects.filter(expectedBack).map((o) => ({
              apiVersion: o.apiVersion,
              kind: o.kind,
              namespace: o.namespace,
              name: o.name,
              object: { ...o.object, status: { phase: "Bound" } },
            }));
      },
      deleteRestored: async (namespaces, resources, restore) => {
        await this.step("cluster.deleteRestored");
        this.calls.push(`deleteRestored ${namespaces.join(",")} ${restore} (${resources.length} types)`);
        return resources.length;
      },
      exec: (ns, _pods, container, command): Promise<ExecResult> => {
        this.calls.push(`exec ${ns} ${container} ${command[0]}`);
        return Promise.resolve({ pod: "ledger-db-0", exitCode: this.opts.checkExit ?? 0, output: "42" });
      },
    });

  aws = (): AwsAccess => ({
    readSecret: async (arn, region) => {
      await this.step("aws.readSecret");
      this.calls.push(`readSecret ${arn} ${region}`);
    },
  });

  release: ReleaseExternal = async (kubeconfig, target) => {
    await this.step("release");
    this.calls.push(`release ${target.clusterName} ${target.region} ${kubeconfig.length > 0}`);
    return "released 1 load balancer";
  };

  now = (): number => {
    const t = this.t;
    this.t += this.tick * 1000;
    return t;
  };

  adapters(): RecoveryAdapters {
    return {
      store: (loc) => this.store(loc),
      cluster: this.cluster,
      aws: this.aws,
      release: this.release,
      now: this.now,
      controller: this.controller,
    };
  }

  /** An engine with prod's storage outputs and the drill stack's, failing or interrupting `up` when scripted. */
  engine(extra: ConstructorParameters<typeof ScriptedEngine>[0] = {}): ScriptedEngine {
    const drillStack = `platform/prod-${this.drillId}`;
    const script = {
      ...extra,
      outputs: {
        "storage/prod": {
          bucket: "primary",
          region: "eu-west-1",
          replicaBucket: "replica",
          replicaRegion: "eu-central-1",
          replicaRepositoryPasswordSecretArn: "arn:aws:secretsmanager:eu-central-1:111122223333:secret:kopia",
        },
        [drillStack]: {
          clusterName: `phoenix-prod-${this.drillId}`,
          restoreModifiers: "phoenix-restore-modifiers",
          kubeconfig: "apiVersion: v1\nkind: Config\n",
          restoreChecks: [
            { namespace: "payments-ledger", container: "postgres", command: ["pg_isready"], timeout: "2m" },
          ],
        },
        "platform/prod": { clusterName: "phoenix-prod", kubeconfig: "apiVersion: v1\nkind: Config\n" },
        ...(extra.outputs ?? {}),
      },
    };
    const step = (s: Step): Promise<void> => this.step(s);
    return new (class extends ScriptedEngine {
      async up(
        s: EngineStack,
        progress: EngineProgress,
        opts?: { readonly signal?: AbortSignal; readonly refresh?: boolean },
      ): Promise<ChangeSummary> {
        if (s.project === "platform") await step("engine.up");
        return super.up(s, progress, opts);
      }
    })(script);
  }
}
