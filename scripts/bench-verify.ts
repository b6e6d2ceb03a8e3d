/**
 * Verification time on a backup of N objects (default 10,000), with the real adapters
 * against local servers: the backup in Velero's layout on a local S3 server (s3rver), the
 * restored cluster on a local Kubernetes API server. Prints figures; asserts nothing.
 *
 *   node --import tsx scripts/bench-verify.ts [objects] [runs]
 */
import { expectedBack } from "../cli/recovery/compare";
import { openRecoveryCluster } from "../cli/recovery/kube";
import { openBackupStore } from "../cli/recovery/s3";
import { verifyRestore } from "../cli/recovery/verify";
import type { BackupObject } from "../cli/recovery/backupTarball";
import { backupSummary } from "../cli/recovery/velero";
import { backupJson, obj } from "../test/cli/recovery/fixtures";
import { fakeKube, localS3, putBackup, restoredCollections } from "../test/cli/recovery/servers";

const total = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 3);
const namespaces = ["payments-ledger", "ml-models"];

function objects(): BackupObject[] {
  const out: BackupObject[] = [];
  for (let i = 0; out.length < total; i++) {
    const ns = namespaces[i % namespaces.length];
    const n = `obj-${i}`;
    switch (i % 10) {
      case 0:
        out.push(
          obj("apps/v1", "Deployment", "deployments.apps", ns, n, {
            spec: {
              replicas: 2,
              template: { spec: { containers: [{ name: "app", image: "registry.example/app:1.0" }] } },
            },
          }),
        );
        break;
      case 1:
        out.push(obj("v1", "Service", "services", ns, n, { spec: { clusterIP: "10.0.0.1", ports: [{ port: 80 }] } }));
        break;
      case 2:
      case 3:
        out.push(
          obj("v1", "Secret", "secrets", ns, n, {
            type: "Opaque",
            data: { v: Buffer.from(`value-${i}`).toString("base64") },
          }),
        );
        break;
      default:
        out.push(
          obj("v1", "ConfigMap", "configmaps", ns, n, {
            data: { "settings.json": JSON.stringify({ i, flags: ["a", "b"] }) },
          }),
        );
    }
  }
  return out;
}

async function main(): Promise<void> {
  const backup = objects();
  const s3 = await localS3(["replica"]);
  const t0 = performance.now();
  await putBackup(s3, "replica", "bench", backup);
  const kube = await fakeKube(restoredCollections(backup, expectedBack), 500);
  console.log(
    `backup of ${backup.length} objects written to the local S3 server in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const v = await verifyRestore({
      store: openBackupStore({ bucket: "replica", region: "eu-central-1" }, s3.client),
      cluster: await openRecoveryCluster(kube.kubeconfig),
      backup: backupSummary(backupJson("bench")),
      namespaces,
      checks: [],
      hooks: [],
    });
    times.push((performance.now() - started) / 1000);
    if (!v.comparison.passed) throw new Error("the bench's restore should verify");
    if (r === 0)
      console.log(
        `compared: ${v.comparison.totals.present} present, ${v.comparison.totals.missing} missing, ${v.comparison.totals.changed} changed; ${kube.requests.length} API requests`,
      );
  }
  times.sort((a, b) => a - b);
  console.log(
    `verification of ${backup.length} objects, ${runs} runs: median ${times[Math.floor(times.length / 2)].toFixed(2)} s, min ${times[0].toFixed(2)} s, max ${times[times.length - 1].toFixed(2)} s`,
  );
  await kube.close();
  await s3.close();
}

void main();
