/** The offline machinery on its own: stack-file loading, placeholders, secret masking. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPlan } from "../../../cli/plan/plan";
import { partitionOf } from "../../../components/regions";
import {
  OfflineMocks,
  sanitize,
  SECRET,
  STACK_REFERENCE,
  UnknownStackReferenceError,
  type RecordedResource,
} from "../../../cli/plan/runtime";
import { listStacks, loadStack, SECRET_PLACEHOLDER, StackFileError } from "../../../cli/stacks/stackFile";

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-stackfile-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("stack file loading", () => {
  it("flattens config the way the Pulumi CLI passes it: namespaced keys, maps as JSON, secure values as a placeholder", () => {
    const dir = project({
      "Pulumi.yaml": "name: phoenix\nruntime: nodejs\n",
      "Pulumi.eu.yaml": [
        "config:",
        "  aws:region: eu-north-1",
        "  network:",
        "    cidr: 10.1.0.0/16",
        "  phoenix:gitops:",
        "    repoURL: https://g/r.git",
        "    token:",
        "      secure: AAABAKsomething",
        "",
      ].join("\n"),
    });
    const s = loadStack(dir, "eu");
    assert.equal(s.project, "phoenix");
    assert.deepEqual(s.config, {
      "aws:region": "eu-north-1",
      "phoenix:network": JSON.stringify({ cidr: "10.1.0.0/16" }),
      "phoenix:gitops": JSON.stringify({ repoURL: "https://g/r.git", token: SECRET_PLACEHOLDER }),
    });
    assert.deepEqual(listStacks(dir), ["eu"]);
  });

  it("refuses stack names that are paths, a project without a name, and a config that is not a map", () => {
    const dir = project({ "Pulumi.yaml": "runtime: nodejs\n", "Pulumi.x.yaml": "config: [1, 2]\n" });
    assert.throws(() => loadStack(dir, "../etc"), /is not a stack name/);
    assert.throws(() => loadStack(dir, "x"), /Pulumi\.yaml: the project file must set `name`/);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: phoenix\n");
    assert.throws(
      () => loadStack(dir, "x"),
      (e: unknown) => e instanceof StackFileError && /`config` must be a map/.test(e.message),
    );
  });
});

describe("placeholders and masking", () => {
  it("derives the partition from the region code and nothing else", () => {
    assert.deepEqual(partitionOf("eu-west-1"), { partition: "aws", dnsSuffix: "amazonaws.com" });
    assert.deepEqual(partitionOf("cn-north-1"), { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" });
    assert.equal(partitionOf("us-gov-west-1")?.partition, "aws-us-gov");
    assert.equal(partitionOf("nowhere"), undefined);
    assert.equal(partitionOf("xx-nowhere-1"), undefined, "shaped like a region code, but not one AWS lists");
  });

  it("masks secrets, names unknowns and drops undefined leaves", () => {
    const secret = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "hunter2" };
    assert.deepEqual(sanitize({ a: secret, b: [1, secret], c: undefined, d: { e: "x" } }), {
      a: SECRET,
      b: [1, SECRET],
      d: { e: "x" },
    });
    assert.equal(sanitize(pulumi.unknown), "<computed: unknown during preview>");
  });
});

describe("stack references", () => {
  const reference = (name: string) => ({
    type: STACK_REFERENCE,
    name: "backup-storage",
    inputs: { name },
    provider: "",
    custom: true,
    id: name,
  });

  it("answers a StackReference with the outputs of the stack it names, as the engine reads them", () => {
    const outputs = { bucket: "b", region: "eu-west-1" };
    const mocks = new OfflineMocks("eu-west-1", { "organization/phoenix-backup-storage/prod": outputs });
    assert.deepEqual(mocks.newResource(reference("organization/phoenix-backup-storage/prod")), {
      id: "organization/phoenix-backup-storage/prod",
      state: { name: "organization/phoenix-backup-storage/prod", outputs, secretOutputNames: [] },
    });
  });

  it("refuses a stack it was not given, naming it and the stacks it knows, rather than inventing outputs", () => {
    const mocks = new OfflineMocks("eu-west-1", { "organization/phoenix-backup-storage/prod": {} });
    assert.throws(
      () => mocks.newResource(reference("organization/phoenix-backup-storage/dr")),
      (e: unknown) =>
        e instanceof UnknownStackReferenceError &&
        e.stackName === "organization/phoenix-backup-storage/dr" &&
        /reads stack organization\/phoenix-backup-storage\/dr, which the offline run was not given \(known: organization\/phoenix-backup-storage\/prod\)/.test(
          e.message,
        ),
    );
  });
});

describe("plan document", () => {
  const rec = (
    type: string,
    name: string,
    parent: string | undefined,
    inputs: Record<string, unknown>,
  ): RecordedResource => ({
    urn: `urn:${type}::${name}`,
    type,
    name,
    parentUrn: parent,
    dependencies: [],
    custom: !type.startsWith("phoenix:"),
    options: { protect: false, retainOnDelete: false, ignoreChanges: [] },
    inputs,
  });
  const plugins = rec("phoenix:plugins:Plugins", "plugins", undefined, {});
  const velero = (included: string[]) =>
    rec("kubernetes:helm.sh/v3:Release", "velero", plugins.urn, {
      name: "velero",
      chart: "velero",
      version: "12.1.0",
      repositoryOpts: { repo: "https://charts" },
      namespace: "velero",
      values: {
        schedules: {
          daily: {
            schedule: "@daily",
            template: {
              includedNamespaces: included,
              excludedNamespaces: ["velero"],
              ttl: "24h",
              storageLocation: "default",
            },
          },
        },
      },
    });
  const namespaces = [
    { name: "ledger", class: "imperative", backedUp: true, sources: ["inventory"] },
    { name: "velero", class: "platform", backedUp: false, sources: ["plugin:velero"] },
  ];

  it("reads 'backed up' from the schedules Velero will really get, not from the intent", () => {
    const doc = buildPlan({
      project: "p",
      stack: "s",
      region: "r",
      resources: [plugins, velero([])],
      namespaces,
      outputs: {},
    });
    assert.deepEqual(
      doc.namespaces.map((n) => [n.name, n.backedUp]),
      [
        ["ledger", false],
        ["velero", false],
      ],
      "no schedule includes ledger",
    );
    const ok = buildPlan({
      project: "p",
      stack: "s",
      region: "r",
      resources: [plugins, velero(["ledger"])],
      namespaces,
      outputs: {},
    });
    assert.deepEqual(
      ok.namespaces.map((n) => [n.name, n.backedUp]),
      [
        ["ledger", true],
        ["velero", false],
      ],
    );
    assert.deepEqual(ok.backupSchedules, [
      {
        name: "daily",
        schedule: "@daily",
        includedNamespaces: ["ledger"],
        excludedNamespaces: ["velero"],
        ttl: "24h",
        storageLocation: "default",
        hookNamespaces: [],
      },
    ]);
  });

  it("places each resource in its layer with its parent", () => {
    const doc = buildPlan({
      project: "p",
      stack: "s",
      region: "r",
      resources: [velero(["ledger"]), plugins],
      namespaces,
      outputs: {},
    });
    assert.deepEqual(
      doc.resources.map((r) => [r.type, r.layer, r.parent, r.depth]),
      [
        ["phoenix:plugins:Plugins", "plugins", null, 0],
        ["kubernetes:helm.sh/v3:Release", "plugins", "phoenix:plugins:Plugins::plugins", 1],
      ],
    );
    assert.deepEqual(
      doc.helmReleases.map((h) => [h.name, h.chart, h.version, h.repository, h.namespace, h.layer]),
      [["velero", "velero", "12.1.0", "https://charts", "velero", "plugins"]],
    );
  });
});
