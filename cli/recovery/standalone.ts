/**
 * `phoenix restore verify`: verification on its own, after any restore. The stack's
 * config names the imperative namespaces and their verify commands; the bucket is the
 * stack's restore source replica (or its own storage), unless given.
 */
import { parseStackName } from "../stacks/names";
import { projects } from "../stacks/projects";
import { UsageError } from "../shared/errors";
import type { StoreLocation } from "./adapters";
import { checksOf, hookResults, readSource, str } from "./source";
import type { RecoveryEnv } from "./types";
import { renderVerification } from "./report";
import { verifyRestore, type Verification } from "./verify";
import { pickBackup } from "./velero";
import { VELERO_NAMESPACE } from "../../components/plugins/velero/names";
import * as fs from "node:fs";
import * as path from "node:path";

/** Verifies the latest restore of a backup into the cluster a kubeconfig points at. */
export async function verifyStandalone(
  env: RecoveryEnv,
  opts: {
    backup: string;
    kubeconfigText: string;
    context?: string;
    stack: string;
    bucket?: string;
    bucketRegion?: string;
    report?: string;
  },
): Promise<{ verification: Verification; text: string }> {
  const source = await readSource(env.root, opts.stack);
  let location: StoreLocation;
  if (opts.bucket && opts.bucketRegion) location = { bucket: opts.bucket, region: opts.bucketRegion };
  else {
    // A stack that restores from another region reads that region's replica; otherwise its own bucket.
    const from = source.cfg.backups.restoreFrom?.stack;
    const storageStack = from ? (parseStackName(from)?.stack ?? from) : source.storage.stack;
    const outputs = await env
      .engine()
      .outputs({ project: "storage", workDir: projects(env.root).storage.dir, stack: storageStack });
    location = from
      ? {
          bucket: str(outputs.replicaBucket, "replicaBucket", storageStack),
          region: str(outputs.replicaRegion, "replicaRegion", storageStack),
        }
      : { bucket: str(outputs.bucket, "bucket", storageStack), region: str(outputs.region, "region", storageStack) };
  }
  const store = env.store(location);
  const { backup, reason } = pickBackup(await store.listBackups(), source.imperative, opts.backup);
  if (!backup) throw new UsageError(`--backup ${opts.backup}: ${reason} (${store.location})`);
  const cluster = await env.cluster(opts.kubeconfigText, opts.context);
  const restores = await cluster.restoresOf(VELERO_NAMESPACE, backup.name);
  const restore = restores[0];
  // A finished restore answers at once; one still running is reported, not waited for.
  let outcome: Awaited<ReturnType<typeof cluster.waitRestore>> | undefined;
  let running: string | undefined;
  try {
    outcome = restore ? await cluster.waitRestore(VELERO_NAMESPACE, restore, { timeoutSeconds: 0 }) : undefined;
  } catch (err) {
    running = (err as Error).message;
  }
  // Fields Phoenix's modifiers rewrote for the target region are expected as rewritten.
  const rewrites = restore ? await cluster.restoreRewrites(VELERO_NAMESPACE, restore) : [];
  const verification = await verifyRestore({
    store,
    cluster,
    backup,
    namespaces: source.imperative,
    ...(restore ? { restore } : {}),
    ...(outcome ? { outcome } : {}),
    checks: checksOf({}, source.cfg),
    hooks: hookResults(source.cfg),
    rewrites,
  });
  const lines = renderVerification(verification);
  if (!restore)
    lines.unshift(
      `No Velero Restore of ${backup.name} found in the cluster: objects compared, pod volume restores unknown.`,
      "",
    );
  if (running)
    lines.unshift(
      `Restore ${restore ?? ""} is not over yet (${running}): compared as it stands; run phoenix restore verify again when it ends.`,
      "",
    );
  const text = lines.join("\n") + "\n";
  if (opts.report) {
    fs.mkdirSync(opts.report, { recursive: true });
    fs.writeFileSync(path.join(opts.report, "verification.json"), JSON.stringify(verification, null, 2) + "\n");
    fs.writeFileSync(path.join(opts.report, "verification.md"), text);
  }
  return { verification, text };
}
