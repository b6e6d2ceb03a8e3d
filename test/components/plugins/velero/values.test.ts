/** Velero's Helm values: schedules of exactly the imperative namespaces, backup locations, and what Argo CD and restores do to backups. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charts, images } from "../../../../components/catalog";
import type { BackupScope } from "../../../../components/types";
import {
  BACKUP_SCOPE_LABEL,
  ownBucketAccess,
  RESTORE_LOCATION,
  restoreModifiers,
  SNAPSHOT_CLASS_LABEL,
  velero,
  veleroSchedules,
  veleroSettingsSchema,
  veleroValues,
  volumeSnapshotClass,
} from "../../../../components/plugins/velero";
import { at } from "../../../helpers";

const fs = veleroSettingsSchema.parse({});
const ebs = veleroSettingsSchema.parse({ fsBackup: false });
const noAnnotations = {};

const scope: BackupScope = {
  enabled: true,
  schedules: [
    { name: "hourly", cron: "0 * * * *", ttl: "72h0m0s", storageLocation: "default" },
    { name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" },
  ],
  includedNamespaces: ["ledger", "models"],
  excludedNamespaces: ["argocd", "kube-system", "shop", "velero"],
};

describe("Velero schedules", () => {
  it("writes one Schedule per configured schedule covering exactly the imperative namespaces", () => {
    const s = veleroSchedules(scope, "file-system");
    assert.deepEqual(Object.keys(s), ["hourly", "daily"]);
    assert.deepEqual(s.hourly.template.includedNamespaces, ["ledger", "models"]);
    assert.deepEqual(s.daily.template.excludedNamespaces, ["argocd", "kube-system", "shop", "velero"]);
    assert.equal(s.hourly.schedule, "0 * * * *");
    assert.equal(s.hourly.template.ttl, "72h0m0s");
    assert.equal(s.daily.useOwnerReferencesInBackup, false, "deleting a Schedule must not delete its backups");
  });

  it("never emits a Schedule with an empty include list (Velero would back up every namespace)", () => {
    assert.deepEqual(veleroSchedules({ ...scope, includedNamespaces: [] }, "file-system"), {});
    assert.deepEqual(veleroSchedules({ ...scope, enabled: false }, "file-system"), {});
  });

  it("uses file-system backups for cross-region restores, EBS snapshots only when asked", () => {
    assert.deepEqual(
      [
        veleroSchedules(scope, "file-system").daily.template.defaultVolumesToFsBackup,
        veleroSchedules(scope, "file-system").daily.template.snapshotVolumes,
      ],
      [true, false],
    );
    assert.deepEqual(
      [
        veleroSchedules(scope, "ebs-snapshots").daily.template.defaultVolumesToFsBackup,
        veleroSchedules(scope, "ebs-snapshots").daily.template.snapshotVolumes,
      ],
      [false, true],
    );
  });
});

describe("what Argo CD and restores do to backups", () => {
  it("labels scheduled Backups with Phoenix's scope label only, never an Argo CD label", () => {
    for (const s of Object.values(veleroSchedules(scope, "file-system"))) {
      assert.deepEqual(s.template.metadata.labels, { [BACKUP_SCOPE_LABEL]: "imperative" });
      assert.ok(!JSON.stringify(s).includes("argocd.argoproj.io"));
    }
  });

  it("leaves includeClusterResources unset (auto): only the cluster objects the imperative namespaces use", () => {
    for (const s of Object.values(veleroSchedules(scope, "file-system")))
      assert.ok(!("includeClusterResources" in s.template));
  });

  it("writes each schedule to the storage location it names", () => {
    const s = veleroSchedules(
      { ...scope, schedules: [{ name: "d", cron: "@daily", ttl: "24h", storageLocation: "elsewhere" }] },
      "file-system",
    );
    assert.equal(s.d.template.storageLocation, "elsewhere");
  });

  it("writes no restore rule at all when nothing is imperative (a rule without namespaces matches every namespace)", () => {
    assert.deepEqual(restoreModifiers([]), { version: "v1", resourceModifierRules: [] });
  });

  it("strips Argo CD's tracking annotation and instance label from every restored object of the backed-up namespaces", () => {
    const mods = restoreModifiers(["ledger", "models"]) as {
      version: string;
      resourceModifierRules: {
        conditions: { groupResource: string; namespaces: string[] };
        mergePatches: { patchData: string }[];
      }[];
    };
    assert.equal(mods.version, "v1");
    const resources = mods.resourceModifierRules.map((r) => r.conditions.groupResource);
    for (const gr of ["persistentvolumeclaims", "secrets", "configmaps", "deployments.apps", "statefulsets.apps"])
      assert.ok(resources.includes(gr), gr);
    for (const rule of mods.resourceModifierRules) {
      assert.deepEqual(rule.conditions.namespaces, ["ledger", "models"]);
      assert.deepEqual(JSON.parse(rule.mergePatches[0].patchData), {
        metadata: {
          annotations: { "argocd.argoproj.io/tracking-id": null },
          labels: { "argocd.argoproj.io/instance": null },
        },
      });
    }
  });
});

/** This region's backup storage, as its storage stack exports it. */
const storage = {
  bucket: "backups-bucket",
  region: "eu-central-1",
  kmsKeyArn: "arn:aws:kms:eu-central-1:111122223333:key/primary",
};
const input = { storage, clusterRegion: "eu-west-1", backup: scope, serviceAccountAnnotations: noAnnotations };

describe("Velero values", () => {
  const v = veleroValues(fs, input);
  it("installs the AWS plugin pinned in the catalog", () => {
    assert.equal(at(v, "initContainers", 0, "image"), images.veleroPluginForAws);
    assert.match(images.veleroPluginForAws, /:v1\.14\.\d+$/, "v1.14.x pairs with Velero 1.18");
  });
  it("uses the pod's AWS identity, not a credentials file", () => {
    assert.equal(at(v, "credentials", "useSecret"), false);
    assert.equal(at(v, "serviceAccount", "server", "name"), "velero-server");
    const irsa = { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/velero" };
    assert.deepEqual(
      at(veleroValues(fs, { ...input, serviceAccountAnnotations: irsa }), "serviceAccount", "server", "annotations"),
      irsa,
    );
  });
  it("points the backup location at the storage stack's bucket, in the bucket's region", () => {
    assert.deepEqual(at(v, "configuration", "backupStorageLocation"), [
      { name: "default", provider: "aws", bucket: "backups-bucket", default: true, config: { region: "eu-central-1" } },
    ]);
  });
  it("takes EBS snapshots in the cluster's region, not the bucket's", () => {
    assert.deepEqual(at(v, "configuration", "volumeSnapshotLocation"), [
      { name: "default", provider: "aws", config: { region: "eu-west-1" } },
    ]);
  });
  it("deploys the node agent with kopia when file-system backups are on", () => {
    assert.equal(at(v, "deployNodeAgent"), true);
    assert.equal(at(v, "configuration", "uploaderType"), "kopia");
    assert.equal(at(v, "configuration", "defaultVolumesToFsBackup"), true);
    const snapshots = veleroValues(ebs, input);
    assert.deepEqual(
      [at(snapshots, "deployNodeAgent"), at(snapshots, "configuration", "defaultVolumesToFsBackup")],
      [false, false],
    );
  });
  it("schedules exactly the backup scope it is given", () => {
    assert.deepEqual(at(v, "schedules"), veleroSchedules(scope, "file-system"));
  });
  it("with the data mover: CSI snapshots whose data moves, the node agent, EnableCSI and the server's default", () => {
    const mover = veleroValues(veleroSettingsSchema.parse({ volumeBackup: "data-mover" }), input);
    assert.deepEqual(
      [
        at(mover, "deployNodeAgent"),
        at(mover, "configuration", "defaultVolumesToFsBackup"),
        at(mover, "configuration", "features"),
        at(mover, "configuration", "defaultSnapshotMoveData"),
      ],
      [true, false, "EnableCSI", true],
    );
    const { template } = veleroSchedules(scope, "data-mover").daily;
    assert.deepEqual(
      [template.defaultVolumesToFsBackup, template.snapshotVolumes, template.snapshotMoveData],
      [false, true, true],
    );
    // The other methods' schedules say nothing of moving data (their plans are unchanged).
    assert.equal("snapshotMoveData" in veleroSchedules(scope, "file-system").daily.template, false);
    assert.equal(at(v, "configuration", "features"), undefined);
  });
});

describe("Velero's volume backup setting", () => {
  it("defaults to file-system backups, and reads the deprecated fsBackup", () => {
    assert.deepEqual(
      [fs.volumeBackup, ebs.volumeBackup, veleroSettingsSchema.parse({ fsBackup: true }).volumeBackup],
      ["file-system", "ebs-snapshots", "file-system"],
    );
  });
  it("refuses both spellings at once, naming the one to remove", () => {
    assert.throws(
      () => veleroSettingsSchema.parse({ volumeBackup: "data-mover", fsBackup: true }),
      /remove fsBackup \(volumeBackup: data-mover decides\)/,
    );
  });
  it("refuses an unknown method, listing the allowed ones", () => {
    assert.throws(
      () => veleroSettingsSchema.parse({ volumeBackup: "restic" }),
      /file-system.*data-mover.*ebs-snapshots/s,
    );
  });
  it("asks for the privileged Pod Security level whenever the node agent runs", () => {
    const level = (m: string) => velero.podSecurity(veleroSettingsSchema.parse({ volumeBackup: m }));
    assert.deepEqual(["file-system", "data-mover", "ebs-snapshots"].map(level), [
      "privileged",
      "privileged",
      "baseline",
    ]);
  });
});

describe("Velero's snapshot class", () => {
  it("is the one Velero picks for the driver, and deletes each EBS snapshot once its data has moved", () => {
    const c = volumeSnapshotClass("ebs.csi.aws.com");
    assert.deepEqual(
      [c.kind, c.driver, c.deletionPolicy, c.metadata.labels[SNAPSHOT_CLASS_LABEL]],
      ["VolumeSnapshotClass", "ebs.csi.aws.com", "Delete", "true"],
    );
  });
});

describe("restoring another region's backups", () => {
  it("adds a read-only backup storage location in the replica's own region, never the default", () => {
    const restoreFrom = {
      bucket: "prod-replica",
      region: "eu-north-1",
      kmsKeyArn: "arn:aws:kms:eu-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    };
    const v = veleroValues(fs, { ...input, restoreFrom });
    assert.deepEqual(at(v, "configuration", "backupStorageLocation", 1), {
      name: RESTORE_LOCATION,
      provider: "aws",
      bucket: "prod-replica",
      default: false,
      accessMode: "ReadOnly",
      config: { region: "eu-north-1" },
    });
    assert.equal(at(v, "configuration", "backupStorageLocation", 0, "default"), true);
    assert.equal(at(v, "configuration", "backupStorageLocation", 0, "bucket"), "backups-bucket");
    assert.equal((at(v, "configuration", "backupStorageLocation") as unknown[]).length, 2);
  });

  it("with backups off it writes nowhere: its own bucket read-only, or, restoring from a replica, that replica its only location", () => {
    const off = { ...scope, enabled: false };
    const restoreFrom = {
      bucket: "prod-replica",
      region: "eu-north-1",
      kmsKeyArn: "arn:aws:kms:eu-north-1:111122223333:key/r",
    };
    assert.deepEqual(
      at(veleroValues(fs, { ...input, backup: off, restoreFrom }), "configuration", "backupStorageLocation"),
      [
        {
          name: RESTORE_LOCATION,
          provider: "aws",
          bucket: "prod-replica",
          default: true,
          accessMode: "ReadOnly",
          config: { region: "eu-north-1" },
        },
      ],
    );
    assert.deepEqual(at(veleroValues(fs, { ...input, backup: off }), "configuration", "backupStorageLocation"), [
      {
        name: "default",
        provider: "aws",
        bucket: "backups-bucket",
        default: true,
        accessMode: "ReadOnly",
        config: { region: "eu-central-1" },
      },
    ]);
    assert.deepEqual(
      [ownBucketAccess(scope, true), ownBucketAccess(off, true), ownBucketAccess(off, false)],
      ["write", "none", "read"],
    );
  });

  it("refuses a Velero restore source, replication or retention in the platform's settings: they belong to the storage stacks", () => {
    for (const key of ["restoreFrom", "replication", "noncurrentVersionDays"]) {
      assert.throws(
        () => veleroSettingsSchema.parse({ [key]: {} }),
        new RegExp(`unknown key\\(s\\) ${key}; allowed here: volumeBackup, fsBackup`),
        key,
      );
    }
  });
});

describe("Velero's registry entry", () => {
  it("lets chart conformance accept any schedule name, and checks each schedule against the Schedule CRD instead", () => {
    assert.ok(velero.freeFormValues.includes("schedules"), "the chart's schedules map is keyed by name");
    const [schedule] = velero.renderedResources ?? [];
    assert.deepEqual(
      [schedule?.chart, schedule?.at, schedule?.kind, schedule?.crdChart],
      [charts.velero.chart, "schedules", "Schedule", charts.velero.chart],
    );
    assert.ok(
      Object.keys(veleroSchedules(scope, "file-system").daily).every((k) => schedule?.specKeys.includes(k)),
      "every key Phoenix writes reaches the Schedule's spec",
    );
  });
});
