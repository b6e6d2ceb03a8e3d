/** Velero's backup tarballs, read as the recovery reads them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readBackupTarball } from "../../../cli/recovery/backupTarball";
import { ledgerObjects, tarball } from "./fixtures";

describe("backup tarballs", () => {
  it("reads every object once, the preferred version's copy winning", async () => {
    const objects = ledgerObjects();
    const read = await readBackupTarball(await tarball(objects, { staleCopy: true }));
    assert.equal(read.length, objects.length);
    assert.ok(
      read.every((o) => o.object.stale === undefined),
      "the preferred-version copy wins over the plain one",
    );
    const sts = read.find((o) => o.kind === "StatefulSet");
    assert.deepEqual(
      { resource: sts?.resource, namespace: sts?.namespace, name: sts?.name, apiVersion: sts?.apiVersion },
      { resource: "statefulsets.apps", namespace: "payments-ledger", name: "ledger-db", apiVersion: "apps/v1" },
    );
  });

  it("refuses what is not gzip", async () => {
    await assert.rejects(readBackupTarball(Buffer.from("not a tarball")), /incorrect header|unexpected end|invalid/i);
  });
});
