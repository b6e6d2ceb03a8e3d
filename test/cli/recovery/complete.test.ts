/** A backup is complete on a replica only with the kopia content its pod volume backups wrote (pure parts and the check). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BackupStore } from "../../../cli/recovery/adapters";
import { completeness, listingsOnce } from "../../../cli/recovery/complete";
import {
  backupSummary,
  kopiaGaps,
  kopiaPrefix,
  parseDataMovedVolumes,
  parsePodVolumeBackups,
  type PodVolumeBackupEntry,
  type StoredBlob,
} from "../../../cli/recovery/velero";
import { backupJson } from "./fixtures";

const blob = (id: string, at: string, size = 100): StoredBlob => ({
  key: `kopia/ledger/${id}`,
  size,
  lastModified: at,
});
const backup = backupSummary(backupJson("b1", { completed: "2026-11-27T07:00:30Z" }));

function store(
  bucket: string,
  blobs: StoredBlob[] | Error,
  volumes: PodVolumeBackupEntry[],
  complete = true,
  moved: PodVolumeBackupEntry[] = [],
): BackupStore & { listed: number } {
  const s = {
    location: `s3://${bucket}`,
    listed: 0,
    listBackups: () => Promise.resolve([backup]),
    isComplete: () => Promise.resolve(complete),
    podVolumeBackups: () => Promise.resolve(volumes),
    dataMovedVolumes: () => Promise.resolve(moved),
    kopiaBlobs: () => {
      s.listed++;
      return blobs instanceof Error ? Promise.reject(blobs) : Promise.resolve(blobs);
    },
    resourceList: () => Promise.resolve([]),
    backupObjects: () => Promise.resolve([]),
    objectBytes: () => Promise.reject(new Error("not asked")),
    objectLock: () => Promise.reject(new Error("not asked")),
    restoreRecord: () => Promise.resolve({}),
  };
  return s;
}

const volume: PodVolumeBackupEntry = {
  namespace: "ledger",
  pod: "db-0",
  volume: "data",
  phase: "Completed",
  snapshotID: "k1",
};

describe("the kopia layout Velero v1.18.1 writes", () => {
  it("one repository per volume namespace under the location's prefix", () => {
    assert.equal(kopiaPrefix("", "ledger"), "kopia/ledger/");
    assert.equal(kopiaPrefix("cluster-a/", "ledger"), "cluster-a/kopia/ledger/");
  });

  it("reads the pod volume backups list, and null as none", () => {
    assert.deepEqual(parsePodVolumeBackups(null), []);
    const list = [
      {
        metadata: { name: "b1-x" },
        spec: { pod: { kind: "Pod", namespace: "ledger", name: "db-0" }, volume: "data", uploaderType: "kopia" },
        status: { phase: "Completed", snapshotID: "k1" },
      },
    ];
    assert.deepEqual(parsePodVolumeBackups(list), [volume]);
  });

  it("reads the data mover's volumes from the volume info: only those whose snapshot data moved", () => {
    // Shaped as BackupVolumeInfo (internal/volume/volumes_information.go@v1.18.1) writes them.
    const info = [
      {
        pvcName: "data",
        pvcNamespace: "ledger",
        pvName: "pvc-1",
        backupMethod: "CSISnapshot",
        snapshotDataMoved: true,
        skipped: false,
        result: "succeeded",
        snapshotDataMovementInfo: {
          dataMover: "velero",
          uploaderType: "kopia",
          snapshotHandle: "k9",
          size: 10737418240,
        },
      },
      {
        pvcName: "cache",
        pvcNamespace: "ledger",
        backupMethod: "CSISnapshot",
        snapshotDataMoved: false,
        skipped: false,
      },
      { pvcName: "old", pvcNamespace: "ledger", backupMethod: "PodVolumeBackup", snapshotDataMoved: false },
    ];
    assert.deepEqual(parseDataMovedVolumes(info), [
      { namespace: "ledger", pod: "", volume: "data", phase: "Completed", snapshotID: "k9", bytes: 10737418240 },
    ]);
    assert.deepEqual(parseDataMovedVolumes(null), []);
    assert.equal(parseDataMovedVolumes([{ ...info[0], result: "failed" }])[0].phase, "failed");
  });

  it("a gap is a blob the primary held by the backup's end that the replica lacks or holds at another size", () => {
    const primary = [
      blob("kopia.repository", "2026-11-01T00:00:00Z"),
      blob("p1", "2026-11-27T07:00:20Z"),
      blob("p2", "2026-11-27T07:00:25Z"),
      blob("p3", "2026-11-27T07:30:00Z"),
    ];
    const replica = [blob("kopia.repository", "2026-11-01T00:00:00Z"), blob("p2", "2026-11-27T07:00:25Z", 50)];
    assert.deepEqual(
      kopiaGaps(primary, replica, "2026-11-27T07:00:30Z").map((b) => b.key),
      ["kopia/ledger/p1", "kopia/ledger/p2"],
    );
  });
});

describe("completeness", () => {
  const full = [blob("kopia.repository", "2026-11-01T00:00:00Z"), blob("p1", "2026-11-27T07:00:20Z")];

  it("is complete with Velero's objects and every kopia blob written by the backup's end", async () => {
    assert.deepEqual(await completeness(store("replica", full, [volume]), store("primary", full, [volume]), backup), {
      missing: [],
      notes: [],
    });
  });

  it("checks the repositories the data mover wrote into, as the pod volume backups'", async () => {
    const moved = [{ ...volume, pod: "", snapshotID: "k9" }];
    const behind = await completeness(
      store("replica", full.slice(0, 1), [], true, moved),
      store("primary", full, [], true, moved),
      backup,
    );
    assert.deepEqual(behind.missing, ["1 kopia blob(s) of ledger written by 2026-11-27T07:00:30Z (p1)"]);
  });

  it("names the blobs still on their way, and a repository that is not there at all", async () => {
    const behind = await completeness(
      store("replica", full.slice(0, 1), [volume]),
      store("primary", full, [volume]),
      backup,
    );
    assert.deepEqual(behind.missing, ["1 kopia blob(s) of ledger written by 2026-11-27T07:00:30Z (p1)"]);
    const none = await completeness(store("replica", [], [volume]), undefined, backup);
    assert.deepEqual(none.missing, ["the kopia repository of ledger (no kopia.repository)"]);
  });

  it("counts blobs written up to 5 minutes after the backup's recorded end: clocks differ, and its last blobs land just before it", async () => {
    const late = [...full, blob("xlast", "2026-11-27T07:02:00Z")];
    assert.deepEqual(
      (await completeness(store("replica", full, [volume]), store("primary", late, [volume]), backup)).missing,
      ["1 kopia blob(s) of ledger written by 2026-11-27T07:00:30Z (xlast)"],
    );
  });

  it("with the primary lost, checks the repository and says the content was not compared", async () => {
    const c = await completeness(
      store("replica", full, [volume]),
      store("primary", new Error("connect ETIMEDOUT"), [volume]),
      backup,
    );
    assert.deepEqual(c.missing, []);
    assert.match(
      c.notes[0],
      /kopia content of ledger not compared with the primary, which cannot be read \(connect ETIMEDOUT\)/,
    );
  });

  it("looks at no kopia content for a backup without completed pod volume backups, nor for a failed one", async () => {
    const replica = store("replica", [], [{ ...volume, phase: "Failed", snapshotID: undefined }]);
    assert.deepEqual((await completeness(replica, undefined, backup)).missing, []);
    assert.equal(replica.listed, 0);
  });

  it("Velero's own objects come first", async () => {
    assert.deepEqual((await completeness(store("replica", full, [volume], false), undefined, backup)).missing, [
      "its tarball, resource list, pod volume backups list or volume info",
    ]);
  });

  it("lists each repository once per location, however many backups are looked at", async () => {
    const replica = store("replica", full, [volume]);
    const once = listingsOnce();
    await completeness(replica, undefined, backup, once);
    await completeness(replica, undefined, backup, once);
    assert.equal(replica.listed, 1);
  });
});
