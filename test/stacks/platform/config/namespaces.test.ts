/** `phoenix:namespaces.imperative[]` backup hooks and restore checks: accepted with defaults, refused with the key and the fix. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseStackConfig } from "../../../../stacks/platform/config";
import { flatConfig, runProgram } from "../../../helpers";
import { resolve } from "../../../../cli/plan/runtime";

const id = { project: "phoenix", stack: "prod" };
const withLedger = (entry: Record<string, unknown>) =>
  flatConfig({ namespaces: { imperative: [{ name: "ledger", ...entry }] } });

function problemsOf(raw: Record<string, string>): { key: string; message: string }[] {
  try {
    parseStackConfig(raw, id);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("imperative namespace hooks and checks", () => {
  it("takes hooks with their defaults (60s, onError Fail) and a restore check", () => {
    const cfg = parseStackConfig(
      withLedger({
        backupHooks: { pods: { app: "db" }, pre: [{ container: "postgres", command: ["pg_dump", "ledger"] }] },
        verify: { container: "postgres", command: ["pg_isready"], timeout: "2m" },
      }),
      id,
    );
    const ledger = cfg.namespaces.imperative[0];
    assert.deepEqual(ledger.backupHooks, {
      pods: { app: "db" },
      pre: [{ container: "postgres", command: ["pg_dump", "ledger"], timeout: "60s", onError: "Fail" }],
      post: [],
    });
    assert.deepEqual(ledger.verify, { container: "postgres", command: ["pg_isready"], timeout: "2m" });
  });

  it("refuses empty hooks, an empty command, a bad timeout or onError, and unknown keys, each by key", () => {
    const keys = (entry: Record<string, unknown>) => problemsOf(withLedger(entry)).map((p) => `${p.key}: ${p.message}`);
    assert.match(
      keys({ backupHooks: {} }).join("\n"),
      /phoenix:namespaces\.imperative\[0\]\.backupHooks: declares no hook: give pre or post/,
    );
    assert.match(
      keys({ backupHooks: { pre: [{ container: "pg", command: [] }] } }).join("\n"),
      /backupHooks\.pre\[0\]\.command/,
    );
    assert.match(
      keys({ backupHooks: { pre: [{ container: "pg", command: ["x"], timeout: "ten" }] } }).join("\n"),
      /backupHooks\.pre\[0\]\.timeout: must be a duration such as 30s/,
    );
    assert.match(
      keys({ backupHooks: { post: [{ container: "pg", command: ["x"], onError: "Ignore" }] } }).join("\n"),
      /backupHooks\.post\[0\]\.onError/,
    );
    assert.match(
      keys({ verify: { container: "pg", command: ["x"], onError: "Fail" } }).join("\n"),
      /verify\.onError: unknown key/,
    );
  });

  it("puts the hooks into every schedule and the checks into the stack outputs", async () => {
    const { resources, outputs } = await runProgram(
      withLedger({
        backupHooks: { post: [{ container: "db", command: ["sync"] }] },
        verify: { pods: { app: "db" }, container: "db", command: ["check"] },
      }),
    );
    const velero = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "velero");
    const schedules = (
      velero?.inputs.values as {
        schedules: Record<string, { template: { hooks?: { resources: { includedNamespaces: string[] }[] } } }>;
      }
    ).schedules;
    for (const s of Object.values(schedules))
      assert.deepEqual(
        s.template.hooks?.resources.map((r) => r.includedNamespaces),
        [["ledger"]],
      );
    assert.deepEqual(await resolve(outputs.restoreChecks), [
      { namespace: "ledger", pods: { app: "db" }, container: "db", command: ["check"], timeout: "60s" },
    ]);
  });
});
