/** Velero's layout and objects as recovery reads and writes them, on real samples where ../shared has them. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { closedSpecSchema, findCrd, schemaValidator } from "../../../cli/charts/conformance";
import {
  backupKeys,
  backupSummary,
  covers,
  parseRestoreResourceList,
  parseRestoreResults,
  pickBackup,
  restoreKeys,
  restoreManifest,
  restorePhase,
} from "../../../cli/recovery/velero";
import { REFERENCE_CHARTS, ROOT } from "../../helpers";
import { backupJson } from "./fixtures";

const FORMATS = path.resolve(ROOT, "..", "shared", "reference", "formats", "velero");
const present = fs.existsSync(FORMATS) && fs.existsSync(REFERENCE_CHARTS);
if (!present)
  process.stderr.write(
    `\n!!! SKIPPED: ${FORMATS} or ${REFERENCE_CHARTS} not found: checks against Velero's real formats and Restore CRD did not run !!!\n\n`,
  );
const skip = present ? false : "SKIPPED: ../shared/reference not found";

describe("Velero's object-store layout", () => {
  it("names a backup's and a restore's keys as object_store_layout.go does, with and without a prefix", () => {
    assert.deepEqual(backupKeys("", "b1"), {
      metadata: "backups/b1/velero-backup.json",
      contents: "backups/b1/b1.tar.gz",
      resourceList: "backups/b1/b1-resource-list.json.gz",
      podVolumeBackups: "backups/b1/b1-podvolumebackups.json.gz",
      volumeInfo: "backups/b1/b1-volumeinfo.json.gz",
    });
    assert.equal(backupKeys("dr/", "b1").contents, "dr/backups/b1/b1.tar.gz");
    assert.deepEqual(restoreKeys("", "r1"), {
      results: "restores/r1/restore-r1-results.gz",
      resourceList: "restores/r1/restore-r1-resource-list.json.gz",
    });
  });

  it("matches the recorded layout", { skip }, () => {
    const layout = JSON.parse(fs.readFileSync(path.join(FORMATS, "object-store-layout.json"), "utf8")) as {
      backupKeys: Record<string, string>;
      restoreKeys: Record<string, string>;
    };
    const k = backupKeys("p", "b");
    assert.equal(`${layout.backupKeys.metadata}`, "<p>/backups/<b>/velero-backup.json");
    for (const [ours, theirs] of [
      [k.metadata, layout.backupKeys.metadata],
      [k.contents, layout.backupKeys.contents],
      [k.resourceList, layout.backupKeys.resourceList],
      [k.podVolumeBackups, layout.backupKeys.podVolumeBackups],
    ]) {
      assert.equal(ours, theirs.replace("<p>", "p").replace(/<b>/g, "b"));
    }
    assert.equal(restoreKeys("p", "r").results, layout.restoreKeys.results.replace("<p>", "p").replace(/<r>/g, "r"));
  });
});

describe("backups", () => {
  it("reads a backup's summary, hook counts included", () => {
    const s = backupSummary(backupJson("b1", { hooks: { attempted: 2, failed: 0 } }));
    assert.deepEqual(
      {
        name: s.name,
        phase: s.phase,
        completedAt: s.completedAt,
        scheduleName: s.scheduleName,
        hooks: s.hooks,
        items: s.itemsBackedUp,
      },
      {
        name: "b1",
        phase: "Completed",
        completedAt: "2026-11-27T07:00:30Z",
        scheduleName: "velero-hourly",
        hooks: { attempted: 2, failed: 0 },
        items: 8,
      },
    );
  });

  it("reads a real backup status", { skip }, () => {
    const status = JSON.parse(
      fs.readFileSync(path.join(FORMATS, "rosa-oadp-hello-world-backup-status.json"), "utf8"),
    ) as Record<string, unknown>;
    const s = backupSummary({ metadata: { name: "hello" }, spec: {}, status });
    assert.equal(s.phase, "Completed");
    assert.equal(s.completedAt, status.completionTimestamp);
    assert.equal(s.itemsBackedUp, 58);
  });

  it("picks the latest Completed backup holding every namespace; never a partial one by default", () => {
    const backups = [
      backupSummary(backupJson("old", { completed: "2026-11-27T05:00:00Z" })),
      backupSummary(backupJson("newest-partial", { completed: "2026-11-27T07:30:00Z", phase: "PartiallyFailed" })),
      backupSummary(backupJson("newer-other-ns", { completed: "2026-11-27T07:20:00Z", namespaces: ["ml-models"] })),
      backupSummary(backupJson("new", { completed: "2026-11-27T07:00:00Z" })),
    ];
    assert.equal(pickBackup(backups, ["ml-models", "payments-ledger"]).backup?.name, "new");
    assert.equal(pickBackup(backups, ["ml-models"]).backup?.name, "newer-other-ns");
    assert.equal(pickBackup(backups, ["x"], "newest-partial").reason, "backup newest-partial does not hold x");
    assert.equal(
      pickBackup(backups, ["ml-models"], "newest-partial").backup?.name,
      "newest-partial",
      "named on purpose, a partial backup is allowed",
    );
    assert.match(pickBackup(backups, [], "nope").reason ?? "", /not in the location \(4 backups there\)/);
    assert.match(pickBackup([], ["a"]).reason ?? "", /no Completed backup holding a among 0/);
    assert.ok(covers(backupSummary(backupJson("all", { namespaces: ["*"] })), ["anything"]));
  });
});

describe("restores", () => {
  it("reads a real restore resource list, each entry with its result", { skip }, () => {
    const items = parseRestoreResourceList(
      JSON.parse(fs.readFileSync(path.join(FORMATS, "harvester-demo-restore-resource-list.json"), "utf8")),
    );
    assert.ok(items.length > 5);
    assert.ok(items.some((i) => i.result === "skipped" && i.namespace === "demo" && i.name === "vm1"));
    assert.ok(
      items.some((i) => i.result === "failed" && i.namespace === undefined && i.name === "datavolumes.cdi.kubevirt.io"),
    );
  });

  it("flattens restore results by scope", () => {
    const m = parseRestoreResults({
      warnings: { velero: ["w1"], namespaces: { ledger: ['could not restore, ConfigMap "x" already exists'] } },
      errors: { cluster: ["e1"] },
    });
    assert.deepEqual(m, {
      warnings: ["velero: w1", 'ledger: could not restore, ConfigMap "x" already exists'],
      errors: ["cluster: e1"],
    });
  });

  it("tells a running restore from a finished one", () => {
    assert.deepEqual(
      [
        "New",
        "InProgress",
        "WaitingForPluginOperations",
        "Completed",
        "PartiallyFailed",
        "Failed",
        "FailedValidation",
      ].map((p) => restorePhase(p)),
      ["running", "running", "running", "succeeded", "partial", "failed", "failed"],
    );
  });

  it(
    "creates a Restore of only the imperative namespaces, with the modifiers, that the real Restore CRD accepts",
    { skip },
    () => {
      const m = restoreManifest({
        name: "r1",
        veleroNamespace: "velero",
        backup: "b1",
        namespaces: ["ml-models", "payments-ledger"],
        modifiersConfigMap: "phoenix-restore-modifiers",
      });
      const spec = (m as { spec: Record<string, unknown> }).spec;
      assert.deepEqual(spec.includedNamespaces, ["ml-models", "payments-ledger"]);
      assert.equal(spec.existingResourcePolicy, "none");
      assert.deepEqual(spec.resourceModifier, { kind: "ConfigMap", name: "phoenix-restore-modifiers" });
      // Unset, so a claim's volume comes back with it; false leaves the claim Pending (proven in test/e2e/scenarios/backupRestore.e2e.ts).
      assert.ok(!("includeClusterResources" in spec), "includeClusterResources must stay unset");
      const crd = findCrd(path.join(REFERENCE_CHARTS, "velero", "12.1.0", "crds"), "Restore");
      assert.ok(crd, "the Restore CRD is in the chart");
      const schema = closedSpecSchema(crd, "v1");
      assert.ok(schema);
      assert.deepEqual(schemaValidator(schema)(spec), []);
      // The same check catches a misspelt field.
      assert.notDeepEqual(schemaValidator(schema)({ ...spec, existingResourcePolicies: "none" }), []);
      // And the docs' own Restore type agrees on the fields' names.
      const docs = parse(fs.readFileSync(path.join(FORMATS, "velero-docs-restore-api-type.yaml"), "utf8")) as {
        spec: Record<string, unknown>;
      };
      for (const k of Object.keys(spec)) assert.ok(k in docs.spec, `${k} is a Restore spec field`);
    },
  );
});
