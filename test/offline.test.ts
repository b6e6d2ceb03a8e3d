/** The offline machinery on its own: stack-file loading, placeholders, secret masking. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { partitionOf, sanitize, SECRET } from "../stacks/offline/runtime";
import { listStacks, loadStack, SECRET_PLACEHOLDER, StackFileError } from "../stacks/offline/stackFile";

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
    assert.throws(() => loadStack(dir, "x"), (e: unknown) => e instanceof StackFileError && /`config` must be a map/.test(e.message));
  });
});

describe("placeholders and masking", () => {
  it("derives the partition from the region code and nothing else", () => {
    assert.deepEqual(partitionOf("eu-west-1"), { partition: "aws", dnsSuffix: "amazonaws.com" });
    assert.deepEqual(partitionOf("cn-north-1"), { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" });
    assert.equal(partitionOf("us-gov-west-1")?.partition, "aws-us-gov");
    assert.equal(partitionOf("nowhere"), undefined);
  });

  it("masks secrets, names unknowns and drops undefined leaves", () => {
    const secret = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "hunter2" };
    assert.deepEqual(sanitize({ a: secret, b: [1, secret], c: undefined, d: { e: "x" } }), { a: SECRET, b: [1, SECRET], d: { e: "x" } });
    assert.equal(sanitize(pulumi.unknown), "<computed: unknown during preview>");
  });
});
