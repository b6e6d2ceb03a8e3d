/**
 * The phases after the cluster, shared by the drill and `recover`: GitOps sync, restore
 * (with the portability rewrites) and verification; and running all phases into a
 * report.
 */
import * as path from "node:path";
import { type PhoenixConfig } from "../stacks/names";
import type { RecoveryCluster, StoreLocation } from "./adapters";
import { restoreModifiersConfigMap } from "../backup/modifiers";
import { runPhases, type Phase, type PhaseName, type PhaseResult } from "./phases";
import { buildReport, writeReport, type RecoveryReport, type ReportBase } from "./report";
import { verifyRestore } from "./verify";
import { restoreManifest, restorePhase, type BackupSummary } from "./velero";
import type { Progress, RecoveryEnv } from "./types";
import { checksOf, hookResults } from "./source";
import { RESTORE_MODIFIERS_CONFIGMAP, VELERO_NAMESPACE } from "../../components/plugins/velero/names";

export function waitFor(
  minutes: number,
  env: RecoveryEnv,
  update: (s: string) => void,
): { timeoutSeconds: number; signal: AbortSignal; progress: (s: string) => void } {
  return { timeoutSeconds: minutes * 60, signal: env.signal, progress: update };
}

/** A drill's or recovery's Restore: the backup's name and the run's id, within a label value's 63 characters. */
export function restoreName(backup: string, id: string): string {
  return `${backup}-${id}`.slice(0, 63).replace(/-+$/, "");
}

/** The phases after the cluster exists: gitops, restore, verify (the e2e harness runs the last two against real Velero). */
export function restorePhases(
  env: RecoveryEnv,
  cfg: PhoenixConfig,
  namespaces: readonly string[],
  location: () => string,
  p: Progress,
  id: string,
): Phase[] {
  const cluster = async (): Promise<RecoveryCluster> => env.cluster(p.kubeconfig ?? "");
  return [
    {
      name: "gitops",
      title: "GitOps: every Argo CD Application Synced and Healthy",
      run: async (update) => {
        const r = await (await cluster()).waitApplications(waitFor(cfg.recovery.gitopsTimeoutMinutes, env, update));
        return `${r.total} Applications Synced and Healthy`;
      },
    },
    {
      name: "restore",
      title: "Restore the imperative namespaces",
      run: async (update) => {
        const backup = p.backup as BackupSummary;
        const c = await cluster();
        const wait = waitFor(cfg.recovery.restoreTimeoutMinutes, env, update);
        // Only pod volume backups sync as objects of their own. A data-mover backup's
        // DataUploads travel in its tarball, and Velero restores them whatever the
        // restore's namespaces (resourceMustHave, pkg/restore/restore.go:86-89,1132@v1.18.1).
        const volumes = (await env.store(p.location as StoreLocation).podVolumeBackups(backup.name)).length;
        update(`waiting for Velero to sync ${backup.name} and its ${volumes} pod volume backups`);
        await c.waitBackup(VELERO_NAMESPACE, backup.name, volumes, wait);
        const name = restoreName(backup.name, id);
        let modifiers =
          typeof p.outputs?.restoreModifiers === "string" ? p.outputs.restoreModifiers : RESTORE_MODIFIERS_CONFIGMAP;
        const rewrites = p.portability?.rewrites ?? [];
        if (rewrites.length > 0) {
          // This restore's own modifiers: the standing ones plus this backup's rewrites into this region.
          modifiers = `phoenix-restore-${id}`.slice(0, 63).replace(/-+$/, "");
          update(`writing ${modifiers}: ${rewrites.length} field(s) rewritten for ${p.portability?.targetRegion}`);
          await c.applyConfigMap(
            restoreModifiersConfigMap({ name: modifiers, veleroNamespace: VELERO_NAMESPACE, namespaces, rewrites }),
          );
        }
        await c.createRestore(
          restoreManifest({
            name,
            veleroNamespace: VELERO_NAMESPACE,
            backup: backup.name,
            namespaces,
            modifiersConfigMap: modifiers,
          }),
        );
        const outcome = await c.waitRestore(VELERO_NAMESPACE, name, wait);
        p.restore = { name, outcome };
        const summary = `restore ${name} from ${location()}: ${outcome.phase}, ${outcome.warnings} warnings, ${outcome.errors} errors, ${outcome.volumeRestores.length} pod volumes`;
        const why = [outcome.failureReason, ...(outcome.validationErrors ?? [])].filter(Boolean).join("; ");
        if (restorePhase(outcome.phase) === "failed") throw new Error(`${summary}${why ? ` (${why})` : ""}`);
        return summary;
      },
    },
    {
      name: "verify",
      title: "Verify: objects, volumes, Velero's messages, the namespaces' own checks",
      run: async (update) => {
        const v = await verifyRestore({
          store: env.store(p.location as StoreLocation),
          cluster: await cluster(),
          backup: p.backup as BackupSummary,
          namespaces,
          ...(p.restore ? { restore: p.restore.name, outcome: p.restore.outcome } : {}),
          checks: checksOf(p.outputs ?? {}, cfg),
          rewrites: p.portability?.rewrites ?? [],
          hooks: hookResults(cfg),
          progress: update,
        });
        p.verification = v;
        const t = v.comparison.totals;
        const summary = `${t.present} present, ${t.missing} missing, ${t.changed} changed; ${v.checks.filter((c) => c.passed).length}/${v.checks.length} verify commands passed`;
        if (!v.passed) throw new Error(`verification failed: ${summary}`);
        return summary;
      },
    },
  ];
}

/** Runs the phases, then writes the report (once in its phase, again after teardown); returns it. */
export async function finish(
  kind: RecoveryReport["kind"],
  env: RecoveryEnv,
  base: ReportBase,
  phases: Phase[],
  p: Progress,
  onPhase?: (name: PhaseName) => void,
): Promise<RecoveryReport> {
  const soFar: PhaseResult[] = [];
  const reportPhase: Phase = {
    name: "report",
    title: `Report to ${path.relative(env.root, base.reportDir) || base.reportDir}`,
    always: true,
    run: () => {
      // Written now, and again once teardown is over, so a lost teardown still leaves a report.
      writeReport(base.reportDir, buildReport({ kind, ...base, finishedAt: env.now(), phases: soFar, progress: p }));
      return Promise.resolve(`written to ${base.reportDir} (report.json, report.md, report.html)`);
    },
  };
  const all = [
    ...phases.filter((x) => x.name !== "teardown"),
    reportPhase,
    ...phases.filter((x) => x.name === "teardown"),
  ];
  const done = await runPhases(all, {
    io: env.io,
    signal: env.signal,
    clock: env.now,
    startedAt: base.startedAt,
    onPhase,
    onResult: (r) => soFar.push(r),
  });
  const report = buildReport({
    kind,
    ...base,
    finishedAt: env.now(),
    phases: done.results,
    progress: p,
    ...(done.failure ? { failure: done.failure } : {}),
    interrupted: done.interrupted,
  });
  try {
    writeReport(base.reportDir, report);
  } catch (err) {
    // The report phase already says it failed; the result still reaches the terminal.
    env.io.err(`cannot write the report to ${base.reportDir}: ${(err as Error).message}\n`);
  }
  return report;
}
