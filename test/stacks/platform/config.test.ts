import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, isArmInstanceType, parseStackConfig } from "../../../stacks/platform/config";
import { flatConfig, TEST_BCRYPT } from "../../helpers";

const id = { project: "phoenix", stack: "prod" };

function problems(raw: Record<string, string>): { key: string; message: string }[] {
  try {
    parseStackConfig(raw, id);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.match(err.message, /^Pulumi\.prod\.yaml: invalid stack configuration/);
    return [...err.problems];
  }
  assert.fail("config was accepted");
}

function problemAt(raw: Record<string, string>, key: string): string {
  const found = problems(raw).find((p) => p.key === key);
  assert.ok(found, `no problem reported at ${key}: ${JSON.stringify(problems(raw))}`);
  return found.message;
}

describe("stack config defaults", () => {
  it("fills production-safe defaults from a minimal stack", () => {
    const cfg = parseStackConfig(flatConfig(), id);
    assert.equal(cfg.region, "eu-west-1");
    assert.equal(cfg.cluster.name, "phoenix-prod");
    assert.equal(cfg.stackFile, "Pulumi.prod.yaml");
    assert.deepEqual(cfg.cluster.endpoint, { privateAccess: true, publicAccess: false, publicAccessCidrs: [] });
    assert.equal(cfg.cluster.deletionProtection, true);
    assert.deepEqual(cfg.cluster.logTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    assert.equal(cfg.cluster.compute.mode, "managedNodeGroups");
    if (cfg.cluster.compute.mode === "managedNodeGroups") {
      assert.equal(cfg.cluster.compute.nodeGroups.length, 1);
      assert.equal(cfg.cluster.compute.nodeGroups[0].minSize, 3, "one node per AZ at least");
    }
    assert.deepEqual(cfg.network, { cidr: "10.0.0.0/16", natGateways: "perAz" });
    assert.equal(cfg.gitops.targetRevision, "main");
    assert.equal(cfg.gitops.path, "clusters/eu-west-1", "the root path is per region by default");
    // The storage stack defaults to the one of the same name (organization/phoenix-backup-storage/<stack>); no restore source.
    assert.deepEqual(cfg.backups, {
      enabled: true,
      schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" }],
      storage: {},
    });
    assert.deepEqual(cfg.plugins, {
      loadBalancerController: { enabled: true, gatewayApi: true, replicas: 2 },
      certManager: { enabled: true },
      // external-dns needs zones to be useful, so it is opt-in.
      externalDns: { enabled: false, hostedZones: [], policy: "upsert-only", sources: ["service", "ingress"] },
      metricsServer: { enabled: true, replicas: 2 },
      argocd: { ha: false, admin: { enabled: true, passwordBcrypt: TEST_BCRYPT } },
      velero: { volumeBackup: "file-system" },
    });
    assert.deepEqual(cfg.identity, { mode: "podIdentity" });
  });

  it("fills defaults inside a partially set node group and auto mode", () => {
    const ng = parseStackConfig(
      flatConfig({
        cluster: { compute: { mode: "managedNodeGroups", nodeGroups: [{ name: "spot", capacityType: "SPOT" }] } },
      }),
      id,
    );
    assert.equal(
      ng.cluster.compute.mode === "managedNodeGroups" && ng.cluster.compute.nodeGroups[0].instanceTypes[0],
      "m7i.large",
    );
    const auto = parseStackConfig(flatConfig({ cluster: { compute: { mode: "autoMode" } } }), id);
    assert.deepEqual(auto.cluster.compute, { mode: "autoMode", nodePools: ["general-purpose", "system"] });
  });

  it("refuses a misspelt project namespace instead of ignoring its keys", () => {
    const raw = { ...flatConfig(), "pheonix:tags": JSON.stringify({ team: "x" }) };
    assert.match(
      problemAt(raw, "pheonix:tags"),
      /unknown config namespace "pheonix" \(did you mean phoenix:\?\): this project reads phoenix:\* keys, and passes aws:\*, kubernetes:\*/,
    );
  });

  it("ignores other providers' keys and accepts other regions and partitions", () => {
    const raw = { ...flatConfig({}, "us-gov-west-1"), "aws:profile": "ops", "kubernetes:context": "x" };
    assert.equal(parseStackConfig(raw, id).region, "us-gov-west-1");
  });
});

describe("stack config errors name the file, the key, the fault and the fix", () => {
  it("requires aws:region", () => {
    const raw = flatConfig();
    delete raw["aws:region"];
    assert.match(problemAt(raw, "aws:region"), /is required: set aws:region/);
  });

  it("rejects a malformed region, and a well-formed one AWS does not list", () => {
    assert.match(problemAt(flatConfig({}, "Europe"), "aws:region"), /AWS region code such as eu-west-1/);
    assert.match(
      problemAt(flatConfig({}, "xx-nowhere-1"), "aws:region"),
      /is not a region AWS lists \(checked against the AWS SDK's partitions table\)/,
    );
    assert.match(problemAt(flatConfig({}, "eu-west-9"), "aws:region"), /is not a region AWS lists/);
  });

  it("requires a GitOps source", () => {
    assert.match(
      problemAt(flatConfig({ gitops: undefined }), "phoenix:gitops"),
      /is required: set phoenix:gitops.repoURL/,
    );
  });

  it("rejects unknown top-level and nested keys, listing what is allowed", () => {
    assert.match(
      problemAt(flatConfig({ clustr: {} }), "phoenix:clustr"),
      /unknown key \(did you mean phoenix:cluster\?\); allowed: phoenix:cluster, phoenix:network/,
    );
    assert.match(
      problemAt(flatConfig({ network: { cidr: "10.0.0.0/16", natGateway: "single" } }), "phoenix:network.natGateway"),
      /unknown key\(s\) natGateway \(did you mean natGateways\?\); allowed here: cidr, natGateways/,
    );
    assert.match(
      problemAt(flatConfig({ plugins: { velero: { fsbackup: false } } }), "phoenix:plugins.velero.fsbackup"),
      /did you mean fsBackup\?\); allowed here: volumeBackup, fsBackup/,
    );
  });

  it("reports an enum's allowed values", () => {
    assert.match(
      problemAt(flatConfig({ network: { natGateways: "two" } }), "phoenix:network.natGateways"),
      /"perAz"\|"single"/,
    );
  });

  it("rejects a public endpoint without CIDRs and CIDRs without a public endpoint", () => {
    assert.match(
      problemAt(
        flatConfig({ cluster: { endpoint: { publicAccess: true } } }),
        "phoenix:cluster.endpoint.publicAccessCidrs",
      ),
      /list 0\.0\.0\.0\/0 explicitly/,
    );
    assert.match(
      problemAt(
        flatConfig({ cluster: { endpoint: { publicAccessCidrs: ["203.0.113.0/24"] } } }),
        "phoenix:cluster.endpoint.publicAccessCidrs",
      ),
      /publicAccess is false/,
    );
    assert.match(
      problemAt(flatConfig({ cluster: { endpoint: { privateAccess: false } } }), "phoenix:cluster.endpoint"),
      /at least one of privateAccess and publicAccess/,
    );
  });

  it("points at the exact list element of a bad CIDR", () => {
    const raw = flatConfig({
      cluster: { endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "10.0.0.1/8"] } },
    });
    assert.match(
      problemAt(raw, "phoenix:cluster.endpoint.publicAccessCidrs[1]"),
      /IPv4 CIDR block with no host bits set/,
    );
  });

  it("checks VPC size, node group bounds, access entries and names", () => {
    // Every documented VPC prefix length, at both ends, and one past each.
    for (const ok of ["10.0.0.0/16", "10.0.0.0/20"])
      assert.equal(parseStackConfig(flatConfig({ network: { cidr: ok } }), id).network.cidr, ok);
    for (const bad of ["10.0.0.0/15", "10.0.0.0/21", "10.0.0.0/24"])
      assert.match(
        problemAt(flatConfig({ network: { cidr: bad } }), "phoenix:network.cidr"),
        /prefix from \/16 to \/20/,
        bad,
      );
    assert.match(
      problemAt(
        flatConfig({
          cluster: { compute: { mode: "managedNodeGroups", nodeGroups: [{ name: "a", minSize: 4, desiredSize: 3 }] } },
        }),
        "phoenix:cluster.compute.nodeGroups[0].minSize",
      ),
      /is above desiredSize: needs minSize <= desiredSize <= maxSize/,
    );
    assert.match(
      problemAt(
        flatConfig({
          cluster: {
            compute: { mode: "managedNodeGroups", nodeGroups: [{ name: "a", minSize: 1, desiredSize: 7, maxSize: 6 }] },
          },
        }),
        "phoenix:cluster.compute.nodeGroups[0].desiredSize",
      ),
      /is above maxSize: needs minSize <= desiredSize <= maxSize/,
    );
    assert.match(
      problemAt(flatConfig({ cluster: { compute: { mode: "fargate" } } }), "phoenix:cluster.compute.mode"),
      /managedNodeGroups.*autoMode/,
    );
    assert.match(
      problemAt(
        flatConfig({ cluster: { accessEntries: [{ principalArn: "admins", policy: "view" }] } }),
        "phoenix:cluster.accessEntries[0].principalArn",
      ),
      /IAM role or user ARN/,
    );
    assert.match(
      problemAt(
        flatConfig({
          cluster: {
            accessEntries: [
              { principalArn: "arn:aws:iam::111122223333:role/a", policy: "cluster-admin", namespaces: ["x"] },
            ],
          },
        }),
        "phoenix:cluster.accessEntries[0]",
      ),
      /cluster-admin is cluster-wide/,
    );
    assert.match(
      problemAt(
        flatConfig({ namespaces: { imperative: [{ name: "Payments" }] } }),
        "phoenix:namespaces.imperative[0].name",
      ),
      /DNS-1123 label/,
    );
  });

  it("checks GitOps URLs and paths, backup cron and TTL", () => {
    assert.match(
      problemAt(flatConfig({ gitops: { repoURL: "github.com/org/repo" } }), "phoenix:gitops.repoURL"),
      /https:\/\/, ssh:\/\/ or git@/,
    );
    assert.match(
      problemAt(flatConfig({ gitops: { repoURL: "git@github.com:org/r.git", path: "../etc" } }), "phoenix:gitops.path"),
      /relative path|\.\./,
    );
    assert.match(
      problemAt(
        flatConfig({ backups: { schedules: [{ name: "d", cron: "daily", ttl: "720h" }] } }),
        "phoenix:backups.schedules[0].cron",
      ),
      /five-field cron/,
    );
    assert.match(
      problemAt(
        flatConfig({ backups: { schedules: [{ name: "d", cron: "@daily", ttl: "30d" }] } }),
        "phoenix:backups.schedules[0].ttl",
      ),
      /duration in hours/,
    );
    assert.match(problemAt(flatConfig({ backups: { schedules: [] } }), "phoenix:backups.schedules"), /at least 1|>=1/i);
  });

  it("rejects duplicate names that would silently collapse into one entry", () => {
    assert.match(
      problemAt(
        flatConfig({
          backups: {
            schedules: [
              { name: "d", cron: "@daily", ttl: "24h" },
              { name: "d", cron: "@hourly", ttl: "24h" },
            ],
          },
        }),
        "phoenix:backups.schedules[1].name",
      ),
      /"d" is used twice/,
    );
    const apps = [
      { name: "a", path: "a", namespace: "a" },
      { name: "a", path: "b", namespace: "b" },
    ];
    assert.match(
      problemAt(
        flatConfig({ gitops: { repoURL: "https://g/r.git", applications: apps } }),
        "phoenix:gitops.applications[1].name",
      ),
      /used twice/,
    );
    assert.match(
      problemAt(
        flatConfig({
          gitops: { repoURL: "https://g/r.git", applications: [{ name: "root", path: "x", namespace: "x" }] },
        }),
        "phoenix:gitops.applications[0].name",
      ),
      /"root" is reserved by Phoenix/,
    );
    const shared = [
      { name: "a", path: "a", namespace: "shop" },
      { name: "b", path: "b", namespace: "shop", podSecurity: "privileged" },
    ];
    assert.match(
      problemAt(
        flatConfig({ gitops: { repoURL: "https://g/r.git", applications: shared } }),
        "phoenix:gitops.applications[1].podSecurity",
      ),
      /namespace "shop" is already restricted for another application: give both the same podSecurity/,
    );
    const groups = [{ name: "g" }, { name: "g" }];
    assert.match(
      problemAt(
        flatConfig({ cluster: { compute: { mode: "managedNodeGroups", nodeGroups: groups } } }),
        "phoenix:cluster.compute.nodeGroups[1].name",
      ),
      /used twice/,
    );
    const admin = { principalArn: "arn:aws:iam::111122223333:role/a", policy: "view" };
    assert.match(
      problemAt(flatConfig({ cluster: { accessEntries: [admin, admin] } }), "phoenix:cluster.accessEntries[1]"),
      /a second time/,
    );
  });

  it("refuses settings that would build a cluster whose nodes cannot work", () => {
    assert.match(
      problemAt(
        flatConfig({
          cluster: { endpoint: { privateAccess: false, publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
        }),
        "phoenix:cluster.endpoint.privateAccess",
      ),
      /keep privateAccess: true/,
    );
    const arm = { name: "arm", amiType: "AL2023_ARM_64_STANDARD" };
    assert.match(
      problemAt(
        flatConfig({ cluster: { compute: { mode: "managedNodeGroups", nodeGroups: [arm] } } }),
        "phoenix:cluster.compute.nodeGroups[0].instanceTypes",
      ),
      /Graviton/,
    );
    const ok = parseStackConfig(
      flatConfig({
        cluster: {
          compute: { mode: "managedNodeGroups", nodeGroups: [{ ...arm, instanceTypes: ["m7g.large", "c6gn.xlarge"] }] },
        },
      }),
      id,
    );
    assert.equal(ok.cluster.compute.mode, "managedNodeGroups");
    assert.match(problemAt(flatConfig({ cluster: { logTypes: ["api", "api"] } }), "phoenix:cluster.logTypes"), /twice/);
    assert.match(
      problemAt(flatConfig({ cluster: { logTypes: [] } }), "phoenix:cluster.logTypes"),
      /at least one log type/,
    );
  });

  it("checks cron fields, TTLs, labels and tags closely", () => {
    const schedule = (cron: string, ttl = "24h") => flatConfig({ backups: { schedules: [{ name: "s", cron, ttl }] } });
    assert.match(problemAt(schedule("a b c d e"), "phoenix:backups.schedules[0].cron"), /five-field cron/);
    for (const good of ["0 3 * * *", "*/15 * * * MON-FRI", "0 0 1 JAN *", "@every 6h"])
      parseStackConfig(schedule(good), id);
    assert.match(problemAt(schedule("@daily", "0h0m0s"), "phoenix:backups.schedules[0].ttl"), /longer than zero/);
    assert.match(problemAt(flatConfig({ tags: { "aws:owner": "x" } }), "phoenix:tags.aws:owner"), /reserved by AWS/);
    const labelled = { name: "g", labels: { "-bad": "x" } };
    assert.match(
      problemAt(
        flatConfig({ cluster: { compute: { mode: "managedNodeGroups", nodeGroups: [labelled] } } }),
        "phoenix:cluster.compute.nodeGroups[0].labels.-bad",
      ),
      /label key/,
    );
  });

  it("tells Graviton instance types from x86 ones", () => {
    for (const t of [
      "m7g.large",
      "c6gn.xlarge",
      "r7gd.2xlarge",
      "g5g.xlarge",
      "t4g.medium",
      "im4gn.large",
      "x2gd.large",
    ])
      assert.equal(isArmInstanceType(t), true, t);
    for (const t of [
      "m7i.large",
      "m7i-flex.large",
      "g5.xlarge",
      "c7a.large",
      "m5dn.large",
      "p5.48xlarge",
      "inf2.xlarge",
      "t3.medium",
    ])
      assert.equal(isArmInstanceType(t), false, t);
  });

  it("rejects a plain value where a map belongs", () => {
    const raw = { ...flatConfig(), "phoenix:network": "10.0.0.0/16" };
    assert.match(problemAt(raw, "phoenix:network"), /must be a YAML map/);
  });

  it("reports every problem at once, not just the first", () => {
    const found = problems(flatConfig({ network: { natGateways: "x", cidr: "nope" }, backups: { enabled: "yes" } }));
    assert.deepEqual(found.map((p) => p.key).sort(), [
      "phoenix:backups.enabled",
      "phoenix:network.cidr",
      "phoenix:network.natGateways",
    ]);
  });

  it("ends its message with the fix", () => {
    assert.throws(
      () => parseStackConfig(flatConfig({ network: { natGateways: "x" } }), id),
      /Fix this key in Pulumi\.prod\.yaml; docs\/reference\/configuration\.md "Stack configuration" lists every key/,
    );
  });
});

describe("plugin settings", () => {
  const withArgo = (argocd: Record<string, unknown>) => flatConfig({ plugins: { argocd } });
  const sso = { issuer: "https://sso.example.com", clientId: "argocd", adminGroups: ["platform"] };

  it("refuses an Argo CD admin without a password, and no admin without SSO", () => {
    assert.match(
      problemAt(withArgo({}), "phoenix:plugins.argocd.admin.passwordBcrypt"),
      /admin user is enabled without a password.*--secret/,
    );
    assert.match(
      problemAt(withArgo({ admin: { enabled: false } }), "phoenix:plugins.argocd.admin.enabled"),
      /lock everyone out/,
    );
    assert.match(
      problemAt(withArgo({ admin: { enabled: false }, sso }), "phoenix:plugins.argocd.url"),
      /auth\/callback/,
    );
    const ok = parseStackConfig(withArgo({ admin: { enabled: false }, sso, url: "https://argocd.example.com" }), id);
    assert.deepEqual(ok.plugins.argocd.sso?.requestedScopes, ["openid", "profile", "email", "groups"]);
  });

  it("wants a bcrypt hash, never the password itself, and refuses it in plain text", () => {
    assert.match(
      problemAt(withArgo({ admin: { passwordBcrypt: "hunter2" } }), "phoenix:plugins.argocd.admin.passwordBcrypt"),
      /bcrypt hash/,
    );
    const plain = { ...id, isSecret: () => false };
    assert.throws(
      () => parseStackConfig(withArgo({ admin: { passwordBcrypt: TEST_BCRYPT } }), plain),
      /phoenix:plugins\.argocd\.admin\.passwordBcrypt: is stored in plain text: store it as a secret with pulumi config set --secret --path/,
    );
    const secret = { ...id, isSecret: (k: string) => k === "phoenix:plugins" };
    assert.equal(
      parseStackConfig(withArgo({ admin: { passwordBcrypt: TEST_BCRYPT } }), secret).plugins.argocd.admin
        .passwordBcrypt,
      TEST_BCRYPT,
    );
  });

  it("needs hosted zones for external-dns, well-formed ids, and Gateway API CRDs for gateway sources", () => {
    assert.match(
      problemAt(flatConfig({ plugins: { externalDns: { enabled: true } } }), "phoenix:plugins.externalDns.hostedZones"),
      /needs hostedZones/,
    );
    assert.match(
      problemAt(
        flatConfig({
          plugins: { externalDns: { enabled: true, hostedZones: [{ id: "zone-1", domain: "example.com" }] } },
        }),
        "phoenix:plugins.externalDns.hostedZones[0].id",
      ),
      /hosted zone id/,
    );
    const zones = [{ id: "Z123", domain: "example.com" }];
    assert.match(
      problemAt(
        flatConfig({
          plugins: {
            loadBalancerController: { gatewayApi: false },
            externalDns: { enabled: true, hostedZones: zones, sources: ["gateway-httproute"] },
          },
        }),
        "phoenix:plugins.externalDns.sources",
      ),
      /Gateway API CRDs/,
    );
  });

  it("refuses Velero's storage keys, which moved to the backup storage project, saying where each lives now", () => {
    const velero = (settings: Record<string, unknown>) => flatConfig({ plugins: { velero: settings } });
    assert.match(
      problemAt(velero({ replication: { region: "eu-central-1" } }), "phoenix:plugins.velero.replication"),
      /moved out of the platform stack .*stacks\/backup-storage\/Pulumi\.<stack>\.yaml \(phoenix-backup-storage:replication\)/,
    );
    assert.match(
      problemAt(velero({ noncurrentVersionDays: 30 }), "phoenix:plugins.velero.noncurrentVersionDays"),
      /moved out of the platform stack .*phoenix-backup-storage:noncurrentVersionDays/,
    );
    assert.match(
      problemAt(
        velero({ restoreFrom: { bucket: "prod-replica", region: "eu-central-1" } }),
        "phoenix:plugins.velero.restoreFrom",
      ),
      /moved out of the platform stack .*phoenix:backups\.restoreFrom\.stack: <organization>\/phoenix-backup-storage\/<primary stack>/,
    );
    // Each once, with where it went, not a second time as an unknown key; other problems still show.
    const found = problems(velero({ replication: { region: "eu-central-1" }, fsbackup: false }));
    assert.deepEqual(found.map((p) => p.key).sort(), [
      "phoenix:plugins.velero.fsbackup",
      "phoenix:plugins.velero.replication",
    ]);
    assert.equal(parseStackConfig(velero({ fsBackup: false }), id).plugins.velero.volumeBackup, "ebs-snapshots");
  });

  it("names the allowed keys of a plugin when one is misspelt", () => {
    assert.match(
      problemAt(flatConfig({ plugins: { metricsServer: { replica: 3 } } }), "phoenix:plugins.metricsServer.replica"),
      /allowed here: enabled, replicas/,
    );
    assert.match(
      problemAt(flatConfig({ plugins: { certManger: {} } }), "phoenix:plugins.certManger"),
      /allowed here: loadBalancerController, certManager/,
    );
  });

  it("takes IRSA as the identity option", () => {
    assert.equal(parseStackConfig(flatConfig({ identity: { mode: "irsa" } }), id).identity.mode, "irsa");
    assert.match(problemAt(flatConfig({ identity: { mode: "keys" } }), "phoenix:identity.mode"), /podIdentity|irsa/);
  });
});

describe("apps and backup settings", () => {
  const gitops = (extra: Record<string, unknown>) =>
    flatConfig({ gitops: { repoURL: "https://git.example.com/org/gitops.git", ...extra } });

  it("takes repository credentials that match the URL's scheme, and refuses them in plain text", () => {
    const creds = { type: "https", username: "x-access-token", token: "t0ken" };
    const secret = { ...id, isSecret: (k: string) => k === "phoenix:gitops" || k === "phoenix:plugins" };
    assert.deepEqual(parseStackConfig(gitops({ credentials: creds }), secret).gitops.credentials, creds);
    assert.throws(
      () =>
        parseStackConfig(gitops({ credentials: creds }), { ...id, isSecret: (k: string) => k === "phoenix:plugins" }),
      /phoenix:gitops\.credentials\.token: is stored in plain text/,
    );
    assert.match(
      problemAt(gitops({ credentials: { type: "ssh", sshPrivateKey: "k" } }), "phoenix:gitops.credentials.type"),
      /must match repoURL/,
    );
    assert.match(
      problemAt(gitops({ credentials: { type: "basic" } }), "phoenix:gitops.credentials.type"),
      /"https".*"ssh"/,
    );
  });

  it("defaults each Application to automated sync with prune and self-heal, and refuses prune without automation", () => {
    const app = { name: "shop", path: "apps/shop", namespace: "shop" };
    assert.deepEqual(parseStackConfig(gitops({ applications: [app] }), id).gitops.applications[0].syncPolicy, {
      automated: true,
      prune: true,
      selfHeal: true,
    });
    assert.match(
      problemAt(
        gitops({ applications: [{ ...app, syncPolicy: { automated: false } }] }),
        "phoenix:gitops.applications[0].syncPolicy",
      ),
      /only act with automated/,
    );
  });

  it("gives imperative namespaces an owner, and checks quota and limit quantities", () => {
    const ns = (entry: Record<string, unknown>) =>
      flatConfig({ namespaces: { imperative: [{ name: "ledger", ...entry }] } });
    assert.equal(parseStackConfig(ns({}), id).namespaces.imperative[0].owner, "phoenix");
    assert.match(
      problemAt(
        ns({ resourceQuota: { "requests.storage": "lots" } }),
        "phoenix:namespaces.imperative[0].resourceQuota.requests.storage",
      ),
      /Kubernetes quantity/,
    );
    assert.match(
      problemAt(
        ns({ limitRange: { default: { gpu: "1" } } }),
        "phoenix:namespaces.imperative[0].limitRange.default.gpu",
      ),
      /allowed here: cpu, memory/,
    );
  });

  it("hardens by default, and takes the one key that states otherwise", () => {
    const ns = (entry: Record<string, unknown>) =>
      flatConfig({ namespaces: { imperative: [{ name: "ledger", ...entry }] } });
    const ledger = parseStackConfig(ns({}), id).namespaces.imperative[0];
    assert.deepEqual([ledger.podSecurity, ledger.defaultDeny], ["restricted", true]);
    const relaxed = parseStackConfig(ns({ podSecurity: "baseline", defaultDeny: false }), id).namespaces.imperative[0];
    assert.deepEqual([relaxed.podSecurity, relaxed.defaultDeny], ["baseline", false]);
    assert.match(problemAt(ns({ defaultDeny: "no" }), "phoenix:namespaces.imperative[0].defaultDeny"), /boolean/);
    const app = { name: "shop", path: "apps/shop", namespace: "shop" };
    const cfg = parseStackConfig(
      gitops({
        applications: [app, { ...app, name: "legacy", namespace: "legacy", podSecurity: "privileged" }],
        allowedKinds: [{ group: "monitoring.coreos.com", kind: "ServiceMonitor" }],
      }),
      id,
    );
    assert.deepEqual(
      cfg.gitops.applications.map((a) => a.podSecurity),
      ["restricted", "privileged"],
    );
    assert.deepEqual(cfg.gitops.allowedKinds, [{ group: "monitoring.coreos.com", kind: "ServiceMonitor" }]);
    assert.match(
      problemAt(gitops({ allowedKinds: [{ group: "", kind: "configmap" }] }), "phoenix:gitops.allowedKinds[0].kind"),
      /must be a Kind such as ServiceMonitor/,
    );
    assert.equal(parseStackConfig(flatConfig(), id).cluster.logRetentionDays, 365);
    assert.equal(parseStackConfig(flatConfig({ cluster: { logRetentionDays: 90 } }), id).cluster.logRetentionDays, 90);
  });

  it("lets a schedule name only a backup storage location Phoenix defines", () => {
    const schedule = (storageLocation: string) =>
      flatConfig({ backups: { schedules: [{ name: "d", cron: "@daily", ttl: "24h", storageLocation }] } });
    assert.equal(parseStackConfig(schedule("default"), id).backups.schedules[0].storageLocation, "default");
    assert.match(
      problemAt(schedule("elsewhere"), "phoenix:backups.schedules[0].storageLocation"),
      /must name a backup storage location Phoenix defines: default/,
    );
  });
});

describe("backup storage stacks", () => {
  const backups = (b: Record<string, unknown>) => flatConfig({ backups: b });

  it("names the storage stack to write to and the one to restore from as <project>/<stack> or <organization>/<project>/<stack>", () => {
    const cfg = parseStackConfig(
      backups({
        storage: { stack: "acme/phoenix-backup-storage/shared" },
        restoreFrom: { stack: "phoenix-backup-storage/prod" },
      }),
      id,
    );
    assert.deepEqual(
      [cfg.backups.storage.stack, cfg.backups.restoreFrom?.stack],
      ["acme/phoenix-backup-storage/shared", "phoenix-backup-storage/prod"],
    );
    for (const [key, value] of [
      ["storage", { stack: "prod" }],
      ["restoreFrom", { stack: "a/b/c/d" }],
    ] as const) {
      assert.match(
        problemAt(backups({ [key]: value }), `phoenix:backups.${key}.stack`),
        /must be a stack name <project>\/<stack> \(this backend's organization\) or <organization>\/<project>\/<stack>/,
      );
    }
    assert.match(problemAt(backups({ restoreFrom: {} }), "phoenix:backups.restoreFrom.stack"), /is required here/);
    assert.match(
      problemAt(
        backups({ restoreFrom: { stack: "organization/phoenix-backup-storage/prod", bucket: "b" } }),
        "phoenix:backups.restoreFrom.bucket",
      ),
      /allowed here: stack/,
    );
  });
});

describe("problems across sections, all at once", () => {
  it("reports field problems, moved keys, region checks and secret checks from one run", () => {
    const raw = flatConfig(
      {
        network: { natGateways: "three" },
        backups: { restoreFrom: { stack: "prod" } },
        plugins: {
          argocd: { admin: { passwordBcrypt: "hunter2" } },
          velero: { replication: { region: "eu-central-1" } },
        },
      },
      "xx-nowhere-1",
    );
    const keys = problems(raw)
      .map((p) => p.key)
      .sort();
    assert.deepEqual(keys, [
      "aws:region",
      "phoenix:backups.restoreFrom.stack",
      "phoenix:network.natGateways",
      "phoenix:plugins.argocd.admin.passwordBcrypt",
      "phoenix:plugins.velero.replication",
    ]);
  });

  it("takes every region the AWS SDK lists, in every partition", () => {
    for (const region of ["us-gov-east-1", "cn-northwest-1", "us-iso-east-1", "ap-southeast-4"])
      assert.equal(parseStackConfig(flatConfig({}, region), id).region, region);
  });

  it("says what to do about a missing required field, and refuses dns01 on a disabled cert-manager", () => {
    const sso = { issuer: "https://sso.example.com", adminGroups: ["platform"] };
    assert.match(
      problemAt(
        flatConfig({ plugins: { argocd: { admin: { enabled: false }, url: "https://argocd.example.com", sso } } }),
        "phoenix:plugins.argocd.sso.clientId",
      ),
      /is required here: set it in Pulumi\.prod\.yaml/,
    );
    const dns01 = { email: "ops@example.com", hostedZones: [{ id: "Z1", domain: "example.com" }] };
    assert.match(
      problemAt(
        flatConfig({ plugins: { certManager: { enabled: false, dns01 } } }),
        "phoenix:plugins.certManager.dns01",
      ),
      /cert-manager is disabled/,
    );
  });
});

describe("phoenix:runner: the deploy runner reaches the API", () => {
  const publicEndpoint = { endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } };
  const runner = (kind: string, cidrs: string[] = [], labels = ["phoenix-deploy"]) => ({ kind, labels, cidrs });
  it("is required: no silent default runner", () => {
    assert.match(
      problemAt(flatConfig({ runner: undefined }), "phoenix:runner"),
      /is required: set phoenix:runner \(kind, labels, cidrs\)/,
    );
  });
  it("accepts a self-hosted runner with its ranges, and a static-egress runner inside publicAccessCidrs", () => {
    assert.deepEqual(
      parseStackConfig(flatConfig({ runner: runner("self-hosted", ["10.100.0.0/24"]) }), id).runner.cidrs,
      ["10.100.0.0/24"],
    );
    assert.equal(
      parseStackConfig(
        flatConfig({ cluster: publicEndpoint, runner: runner("static-egress", ["203.0.113.10/32"]) }),
        id,
      ).runner.kind,
      "static-egress",
    );
  });
  it("refuses, naming the key, a runner that cannot reach a private-only endpoint", () => {
    assert.match(
      problemAt(flatConfig({ runner: runner("static-egress", ["203.0.113.10/32"]) }), "phoenix:runner.kind"),
      /cannot reach a private-only endpoint .*self-hosted/,
    );
    assert.match(
      problemAt(flatConfig({ runner: runner("github-hosted") }), "phoenix:runner.kind"),
      /cannot reach a private-only endpoint/,
    );
  });
  it("refuses GitHub's standard runners in front of a CIDR-restricted endpoint, and egress addresses the endpoint does not allow", () => {
    assert.match(
      problemAt(flatConfig({ cluster: publicEndpoint, runner: runner("github-hosted") }), "phoenix:runner.kind"),
      /no small fixed range/,
    );
    assert.match(
      problemAt(
        flatConfig({ cluster: publicEndpoint, runner: runner("static-egress", ["198.51.100.7/32"]) }),
        "phoenix:runner.cidrs[0]",
      ),
      /198\.51\.100\.7\/32 is not inside phoenix:cluster\.endpoint\.publicAccessCidrs \(203\.0\.113\.0\/24\)/,
    );
    assert.match(
      problemAt(flatConfig({ cluster: publicEndpoint, runner: runner("static-egress") }), "phoenix:runner.cidrs"),
      /needs its egress addresses/,
    );
    assert.match(
      problemAt(flatConfig({ runner: runner("self-hosted") }), "phoenix:runner.cidrs"),
      /needs its private source ranges/,
    );
    assert.match(
      problemAt(
        flatConfig({ runner: runner("self-hosted", ["10.1.0.0/16"], ["ubuntu latest"]) }),
        "phoenix:runner.labels[0]",
      ),
      /runner label/,
    );
  });
});
