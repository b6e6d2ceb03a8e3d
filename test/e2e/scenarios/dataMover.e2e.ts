/**
 * Prod's data mover on real Velero, Kubernetes and the real CSI snapshot controller, as
 * far as anything runs here: Velero, started from the chart rendered with prod's values,
 * has CSI on and moves snapshot data by default; a backup from prod's own Schedule
 * snapshots the ledger's claim through the VolumeSnapshotClass Phoenix declares, and
 * hands the snapshot's data to the data mover (a DataUpload) instead of copying files,
 * and the backup waits for it instead of completing without the data. The EBS CSI
 * driver's snapshot (AWS) is stood in for (../harness/snapshotter.ts); the node agent
 * that would move the data is not run (docs/architecture/e2e.md), so no backup
 * completes and nothing is restored here: what happens after the DataUpload rests on
 * Velero's source, cited where Phoenix reads it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { SNAPSHOT_CLASS_LABEL, VOLUME_SNAPSHOT_CLASS } from "../../../components/plugins/velero";
import { REFERENCE_CHARTS, ROOT } from "../../helpers";
import { startCluster, type Cluster } from "../harness/cluster";
import { minioPolicy } from "../harness/iam";
import { applyObjects, getJson, kubectlOk } from "../harness/kubectl";
import { planObjects, renderRelease } from "../harness/manifests";
import { startObjectStores, type ObjectStores } from "../harness/objectStore";
import { planOf, releaseOf, resourceOf, type PlanJson } from "../harness/plan";
import { waitFor } from "../harness/processes";
import { startProvisioner } from "../harness/provisioner";
import { startSnapshotter } from "../harness/snapshotter";
import { startVelero, VELERO_NS, type Velero } from "../harness/velero";
import { workloads } from "../harness/workloads";
import { cannotRun, runDir } from "./setup";

const skip = cannotRun(true);
if (skip) console.log(`!!! SKIPPED: the data mover: ${skip} !!!`);

const LEDGER = "payments-ledger";
const MODELS = "ml-models";

interface Named {
  metadata: { name: string; labels?: Record<string, string> };
}
interface DataUpload extends Named {
  spec: {
    snapshotType: string;
    csiSnapshot: { volumeSnapshot: string; snapshotClass: string; storageClass: string };
    backupStorageLocation: string;
    sourceNamespace: string;
    sourcePVC: string;
  };
}

describe("prod's data mover on real Velero and the real CSI snapshot controller", { skip }, () => {
  let dir = "";
  let plan: PlanJson;
  let stores: ObjectStores;
  let cluster: Cluster;
  let velero: Velero;
  const stops: (() => void | Promise<void>)[] = [];
  const backup = `moved-${Date.now().toString(36)}`;
  let storageClass: { metadata: { name: string }; provisioner: string };

  before(async () => {
    dir = runDir("datamover");
    plan = planOf("prod");
    stores = await startObjectStores(path.join(dir, "s3"), planOf("prod", { storage: true }));
    stops.push(() => stores.stop());
    const { policy } = minioPolicy(String(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy", "velero").inputs.policy), {
      "<computed: aws:s3/bucket:Bucket backups.bucket>": stores.primary.bucket,
    });
    const who = stores.addUser(stores.primary, "velero", policy);
    cluster = await startCluster("dm", path.join(dir, "cluster"), { volumeSnapshots: true });
    stops.push(() => cluster.stop());
    storageClass = planObjects(plan).find((o) => o.kind === "StorageClass") as unknown as typeof storageClass;
    const provisioner = startProvisioner(cluster.kubeconfigPath, path.join(dir, "volumes"), storageClass.provisioner, {
      csi: true,
    });
    stops.push(() => provisioner.stop());
    const snapshotter = startSnapshotter(cluster.kubeconfigPath, storageClass.provisioner);
    stops.push(() => snapshotter.stop());
    // What Pulumi makes before Velero runs: the StorageClass, the imperative namespaces, Velero's snapshot class.
    applyObjects(
      cluster.kubeconfigPath,
      planObjects(plan).filter(
        (o) =>
          o.kind === "StorageClass" ||
          o.kind === "VolumeSnapshotClass" ||
          (o.kind === "Namespace" && [LEDGER, MODELS].includes(o.metadata.name)),
      ),
    );
    velero = await startVelero(cluster, plan, {
      chartsRoot: REFERENCE_CHARTS,
      store: stores.primary,
      who,
      repositoryPassword: "e2e-data-mover",
    });
    stops.push(() => velero.stop());
    applyObjects(cluster.kubeconfigPath, workloads(LEDGER, MODELS, storageClass.metadata.name, false));
    await waitFor(
      "the ledger's claim to be Bound to a CSI volume",
      () =>
        getJson<{ status: { phase: string } }>(cluster.kubeconfigPath, ["pvc", "data-ledger-db-0", "-n", LEDGER]).status
          .phase === "Bound",
      undefined,
      90_000,
    );
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("prod's values start Velero with CSI on and snapshot data moved by default, and its Schedules move data", () => {
    const release = releaseOf(plan, "velero");
    const rendered = renderRelease(REFERENCE_CHARTS, release, release.values);
    const deployment = rendered.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: { name: string; args: string[] }[] } } };
    };
    const args = deployment.spec.template.spec.containers.find((c) => c.name === "velero")?.args ?? [];
    assert.ok(args.includes("--features=EnableCSI"), args.join(" "));
    assert.ok(args.includes("--default-snapshot-move-data=true"), args.join(" "));
    const schedules = getJson<{ items: { spec: { template: Record<string, unknown> } }[] }>(cluster.kubeconfigPath, [
      "schedules.velero.io",
      "-n",
      VELERO_NS,
    ]).items;
    assert.ok(schedules.length > 0);
    for (const s of schedules)
      assert.deepEqual(
        [s.spec.template.snapshotMoveData, s.spec.template.snapshotVolumes, s.spec.template.defaultVolumesToFsBackup],
        [true, true, false],
      );
    const classes = getJson<{ items: (Named & { driver: string; deletionPolicy: string })[] }>(cluster.kubeconfigPath, [
      "volumesnapshotclasses",
    ]).items;
    assert.deepEqual(
      classes.map((c) => [c.metadata.name, c.driver, c.deletionPolicy, c.metadata.labels?.[SNAPSHOT_CLASS_LABEL]]),
      [[VOLUME_SNAPSHOT_CLASS, storageClass.provisioner, "Delete", "true"]],
    );
  });

  it("a backup from prod's Schedule snapshots the claim with Phoenix's class and hands its data to the data mover", async () => {
    const template = getJson<{ items: { spec: { template: Record<string, unknown> } }[] }>(cluster.kubeconfigPath, [
      "schedules.velero.io",
      "-n",
      VELERO_NS,
    ]).items[0].spec.template;
    // Without prod's backup hooks: they exec into the database's container, and a kwok
    // node runs none (the hook would fail, and the backup with it).
    const spec = Object.fromEntries(Object.entries(template).filter(([k]) => k !== "hooks"));
    kubectlOk(
      cluster.kubeconfigPath,
      ["create", "-f", "-"],
      JSON.stringify({
        apiVersion: "velero.io/v1",
        kind: "Backup",
        metadata: { name: backup, namespace: VELERO_NS },
        spec,
      }),
    );
    // Velero's CSI action makes a VolumeSnapshot of the claim; the real snapshot
    // controller makes its content; the stand-in reports the EBS snapshot taken.
    type Snapshot = Named & {
      spec: { volumeSnapshotClassName?: string; source: { persistentVolumeClaimName?: string } };
      status?: { readyToUse?: boolean };
    };
    let snapshot: Snapshot | undefined;
    await waitFor(
      "Velero's VolumeSnapshot of the ledger's claim to be ready",
      () => {
        snapshot = getJson<{ items: Snapshot[] }>(cluster.kubeconfigPath, ["volumesnapshots", "-n", LEDGER]).items.find(
          (v) => v.status?.readyToUse === true,
        );
        return snapshot !== undefined;
      },
      velero.proc,
      120_000,
    );
    assert.ok(snapshot);
    assert.equal(snapshot.spec.volumeSnapshotClassName, VOLUME_SNAPSHOT_CLASS);
    assert.equal(snapshot.spec.source.persistentVolumeClaimName, "data-ledger-db-0");
    assert.equal(snapshot.metadata.labels?.["velero.io/backup-name"], backup);
    let upload: DataUpload | undefined;
    await waitFor(
      "Velero to hand the snapshot's data to the data mover",
      () => {
        upload = getJson<{ items: DataUpload[] }>(cluster.kubeconfigPath, [
          "datauploads.velero.io",
          "-n",
          VELERO_NS,
        ]).items.find((u) => u.metadata.labels?.["velero.io/backup-name"] === backup);
        return upload !== undefined;
      },
      velero.proc,
      120_000,
    );
    assert.ok(upload);
    assert.deepEqual(
      [
        upload.spec.snapshotType,
        upload.spec.csiSnapshot.snapshotClass,
        upload.spec.csiSnapshot.storageClass,
        upload.spec.backupStorageLocation,
        upload.spec.sourceNamespace,
        upload.spec.sourcePVC,
      ],
      ["CSI", VOLUME_SNAPSHOT_CLASS, storageClass.metadata.name, "default", LEDGER, "data-ledger-db-0"],
    );
    // Not a file-system copy: no PodVolumeBackup for the claim.
    assert.deepEqual(
      getJson<{ items: unknown[] }>(cluster.kubeconfigPath, ["podvolumebackups.velero.io", "-n", VELERO_NS]).items,
      [],
    );
    // The backup waits for the data (pkg/controller/backup_controller.go@v1.18.1: async
    // plugin operations): without a node agent it never completes, so it is never
    // mistaken for a backup that holds the volume.
    await new Promise((r) => setTimeout(r, 5000));
    const phase = getJson<{ status?: { phase?: string } }>(cluster.kubeconfigPath, [
      "backups.velero.io",
      backup,
      "-n",
      VELERO_NS,
    ]).status?.phase;
    assert.equal(phase, "WaitingForPluginOperations");
    // Kept for reading: what Velero and the snapshot controller made.
    const kept = ["volumesnapshots", "volumesnapshotcontents", "datauploads.velero.io"].map((kind) => ({
      kind,
      items: getJson<{ items: unknown[] }>(cluster.kubeconfigPath, [kind, "-A"]).items,
    }));
    fs.mkdirSync(path.join(ROOT, ".e2e"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".e2e", "data-mover.json"), JSON.stringify({ backup, phase, kept }, null, 2));
  });
});
