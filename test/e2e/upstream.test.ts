/**
 * The catalog's upstream programs and the Go modules that build them agree: every
 * program's go.mod requires its module at the catalog's version and lists each binary's
 * package as a tool, and the pairs the catalog promises hold (Kubernetes at the
 * catalog's minor, Velero at the chart's appVersion, the AWS plugin at the image's tag).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { charts, images, kubernetesVersion, upstreamPrograms } from "../../components/catalog";
import { REFERENCE_CHARTS } from "../helpers";
import { pinnedHostGoMod } from "./upstream/engine";

const UPSTREAM = path.join(__dirname, "upstream");

/** The `require` and `tool` lines of a go.mod (both block and single-line forms). */
function goMod(name: string): { requires: Map<string, string>; tools: Set<string> } {
  const text = fs.readFileSync(path.join(UPSTREAM, name, "go.mod"), "utf8");
  const requires = new Map<string, string>();
  const tools = new Set<string>();
  let block: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (/^(require|tool) \($/.test(line)) block = line.split(" ")[0];
    else if (line === ")") block = undefined;
    else {
      const [kind, ...rest] = block ? [block, ...line.split(/\s+/)] : line.split(/\s+/);
      if (kind === "require" && rest.length >= 2) requires.set(rest[0], rest[1]);
      if (kind === "tool" && rest.length >= 1 && rest[0]) tools.add(rest[0]);
    }
  }
  return { requires, tools };
}

describe("the upstream programs of the e2e harness", () => {
  for (const [name, program] of Object.entries(upstreamPrograms)) {
    it(`${name}: test/e2e/upstream/${name}/go.mod requires ${program.module}@${program.version} and builds each binary`, () => {
      const mod = goMod(name);
      assert.equal(
        mod.requires.get(program.module),
        program.version,
        `go.mod requires ${program.module} at ${mod.requires.get(program.module) ?? "nothing"}`,
      );
      for (const pkg of Object.values(program.binaries)) {
        const own = pkg.startsWith("phoenix.e2e/");
        assert.ok(own || mod.tools.has(pkg), `${pkg} is not a tool of test/e2e/upstream/${name}/go.mod`);
      }
    });
  }

  it("the engine is at @pulumi/pulumi's version, and its language host builds against the same modules", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    assert.equal(upstreamPrograms.pulumi.version, `v${pkg.dependencies["@pulumi/pulumi"]}`);
    // The language host's go.mod at a tag points at the repository's own folders (sdk/nodejs/cmd/pulumi-language-nodejs/go.mod@v3.248.0).
    const upstream = [
      "replace (",
      "\tgithub.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
      "\tgithub.com/pulumi/pulumi/pkg/v3 => ../../../../pkg",
      "\tgithub.com/pulumi/pulumi/sdk/v3 => ../../..",
      ")",
    ].join("\n");
    const pinned = pinnedHostGoMod(upstream, "v3.248.0");
    assert.match(pinned, /pkg\/v3 => github\.com\/pulumi\/pulumi\/pkg\/v3 v3\.248\.0\n/);
    assert.match(pinned, /sdk\/v3 => github\.com\/pulumi\/pulumi\/sdk\/v3 v3\.248\.0\n/);
    assert.match(pinned, /clipboard => github\.com\/tgummerer\/clipboard/, "its other replaces stay");
  });

  it("Kubernetes is at the catalog's minor, and the AWS plugin at the image Phoenix deploys", () => {
    assert.match(upstreamPrograms.kubernetes.version, new RegExp(`^v${kubernetesVersion.replace(".", "\\.")}\\.\\d+$`));
    assert.equal(
      goMod("velero").requires.get("github.com/vmware-tanzu/velero-plugin-for-aws"),
      images.veleroPluginForAws.split(":")[1],
    );
  });

  it("Velero is the velero chart's appVersion", (t) => {
    const chart = path.join(REFERENCE_CHARTS, "velero", charts.velero.version, "Chart.yaml");
    if (!fs.existsSync(chart)) {
      console.log(`!!! SKIPPED: ${chart} not found: Velero's version is not checked against the chart !!!`);
      return t.skip("../shared/reference/charts is not beside the repository");
    }
    const appVersion = String((parse(fs.readFileSync(chart, "utf8")) as { appVersion: unknown }).appVersion);
    assert.equal(upstreamPrograms.velero.version, appVersion.startsWith("v") ? appVersion : `v${appVersion}`);
  });
});
