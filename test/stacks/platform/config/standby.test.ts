/** `phoenix:standby`: what a pilot-light standby runs while it stands by and once promoted, and what it refuses. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseStackConfig } from "../../../../stacks/platform/config";
import { STANDBY_NODE_GROUP } from "../../../../stacks/platform/config/standby";
import { flatConfig, TEST_BCRYPT } from "../../../helpers";

const id = { project: "phoenix", stack: "use1" };
const restoreFrom = { restoreFrom: { stack: "phoenix-backup-storage/prod" } };
const written = {
  cluster: {
    compute: {
      mode: "managedNodeGroups",
      nodeGroups: [{ name: "system", minSize: 3, desiredSize: 3, maxSize: 9 }],
    },
  },
  backups: restoreFrom,
  plugins: {
    externalDns: { enabled: true, hostedZones: [{ id: "Z0123456789EXAMPLE", domain: "example.com" }] },
    certManager: {
      dns01: { email: "ops@example.com", hostedZones: [{ id: "Z0123456789EXAMPLE", domain: "example.com" }] },
    },
  },
};

function problems(raw: Record<string, string>): string[] {
  try {
    parseStackConfig(raw, id);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
    throw err;
  }
  return [];
}

const groupsOf = (cfg: ReturnType<typeof parseStackConfig>) =>
  cfg.cluster.compute.mode === "managedNodeGroups"
    ? cfg.cluster.compute.nodeGroups.map(
        (g) => `${g.name} ${g.minSize}/${g.desiredSize}/${g.maxSize} ${g.instanceTypes[0]}`,
      )
    : [];

describe("a pilot-light standby", () => {
  it("stands by with its node groups at zero beside its system nodes, no DNS and no backups of its own", () => {
    const cfg = parseStackConfig(flatConfig({ ...written, standby: { strategy: "pilot-light" } }), id);
    assert.deepEqual(groupsOf(cfg), ["system 0/0/9 m7i.large", `${STANDBY_NODE_GROUP} 1/1/1 t3.large`]);
    assert.equal(cfg.plugins.externalDns.enabled, false, "DNS stays the primary's");
    assert.equal(cfg.plugins.certManager.dns01, undefined, "no ACME challenge in the primary's zones");
    assert.equal(cfg.backups.enabled, false, "its Velero only reads the primary's replica");
    assert.deepEqual(cfg.standby, {
      strategy: "pilot-light",
      systemNodes: { count: 1, instanceType: "t3.large" },
      promoted: false,
    });
  });

  it("once promoted runs everything as written, and keeps its system nodes (removing them would evict Argo CD and Velero mid-recovery)", () => {
    const cfg = parseStackConfig(flatConfig({ ...written, standby: { promoted: true } }), id);
    assert.deepEqual(groupsOf(cfg), ["system 3/3/9 m7i.large", `${STANDBY_NODE_GROUP} 1/1/1 t3.large`]);
    assert.equal(cfg.plugins.externalDns.enabled, true);
    assert.equal(cfg.plugins.certManager.dns01?.email, "ops@example.com");
    assert.equal(cfg.backups.enabled, true);
  });

  it("leaves a stack without the key exactly as written", () => {
    const cfg = parseStackConfig(flatConfig(written), id);
    assert.deepEqual(groupsOf(cfg), ["system 3/3/9 m7i.large"]);
    assert.equal(cfg.standby, undefined);
    assert.equal(cfg.plugins.externalDns.enabled, true);
  });

  it("refuses a standby with no primary to restore from, naming the key and the fix", () => {
    const { backups: _drop, ...noPrimary } = written;
    void _drop;
    assert.deepEqual(
      problems(flatConfig({ ...noPrimary, standby: {} })).filter((p) => p.startsWith("phoenix:standby:")),
      [
        "phoenix:standby: a standby needs the primary it stands by for: set phoenix:backups.restoreFrom.stack to the primary's storage stack (phoenix replicate --strategy pilot-light writes both)",
      ],
    );
  });

  it("refuses fewer than three system nodes under a highly available Argo CD, whose Redis replicas need a node each", () => {
    const ha = {
      ...written,
      plugins: { ...written.plugins, argocd: { ha: true, admin: { passwordBcrypt: TEST_BCRYPT } } },
    };
    assert.match(
      problems(flatConfig({ ...ha, standby: {} })).join("\n"),
      /phoenix:standby\.systemNodes\.count: must be at least 3 with phoenix:plugins\.argocd\.ha/,
    );
    assert.deepEqual(problems(flatConfig({ ...ha, standby: { systemNodes: { count: 3 } } })), []);
  });

  it("refuses an unknown strategy and a malformed instance type by key", () => {
    const out = problems(
      flatConfig({ ...written, standby: { strategy: "warm", systemNodes: { instanceType: "large" } } }),
    ).join("\n");
    assert.match(out, /phoenix:standby\.strategy: must be pilot-light/);
    assert.match(out, /phoenix:standby\.systemNodes\.instanceType: must be an EC2 instance type/);
  });
});
