/**
 * Every bad input refused: one table of malformed stack files, each run through
 * `phoenix plan --json`, each asserting exit 2, the file and the key named in the
 * message with the fix, and that no plan was written. A file is the repository's own
 * prod stack file with one mistake, as a person would make it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { phoenix, repositoryCopy } from "../phoenix";

interface Case {
  readonly name: string;
  /** Turns the prod stack file into the malformed one. */
  readonly edit: (text: string) => string;
  /** What the message must name: the key, and the fix. */
  readonly message: RegExp;
  /** What it must not say (a false extra error). */
  readonly not?: RegExp;
  /** The storage stack file instead of the platform's. */
  readonly storage?: boolean;
}

const CASES: readonly Case[] = [
  {
    name: "cron hour out of range",
    edit: (t) => t.replace('cron: "0 3 * * *"', 'cron: "0 25 * * *"'),
    message: /phoenix:backups\.schedules\[1\]\.cron: is not a schedule that can run \(.*expected range 0-23\)/,
  },
  {
    name: "cron minute out of range",
    edit: (t) => t.replace('cron: "0 * * * *"', 'cron: "60 * * * *"'),
    message: /phoenix:backups\.schedules\[0\]\.cron: is not a schedule that can run/,
  },
  {
    name: "cron day that never comes",
    edit: (t) => t.replace('cron: "0 3 * * *"', 'cron: "0 3 31 2 *"'),
    message: /phoenix:backups\.schedules\[1\]\.cron: is not a schedule that can run/,
  },
  {
    name: "cron with four fields",
    edit: (t) => t.replace('cron: "0 3 * * *"', 'cron: "0 3 * *"'),
    message: /phoenix:backups\.schedules\[1\]\.cron: must be a five-field cron expression/,
    not: /is not a schedule that can run/,
  },
  {
    name: "a region that does not exist",
    edit: (t) => t.replace("aws:region: eu-west-1", "aws:region: eu-west-9"),
    message: /aws:region: is not a region AWS lists/,
  },
  {
    name: "a region that is not a region code",
    edit: (t) => t.replace("aws:region: eu-west-1", "aws:region: ireland"),
    message: /aws:region: must be an AWS region code such as eu-west-1/,
    not: /not a region AWS lists/,
  },
  {
    name: "a stack file without config:",
    edit: (t) => t.replace("config:\n", "settings:\n"),
    message: /Pulumi\.prod\.yaml: has no `config:` map/,
  },
  {
    name: "settings at the top level",
    edit: (t) => `${t}phoenix:tags:\n  team: x\n`,
    message: /`phoenix:tags` at the top level, where Pulumi ignores it: settings belong under `config:`/,
  },
  {
    name: "a misspelt config namespace",
    edit: (t) => t.replace("phoenix:tags:", "phenix:tags:"),
    message: /phenix:tags: unknown config namespace "phenix" \(did you mean phoenix:\?\)/,
  },
  {
    name: "a misspelt top-level key",
    edit: (t) => t.replace("phoenix:network:", "phoenix:netwrok:"),
    message: /phoenix:netwrok: unknown key \(did you mean phoenix:network\?\)/,
  },
  {
    name: "a misspelt nested key",
    edit: (t) => t.replace("natGateways: perAz", "natGateway: perAz"),
    message: /phoenix:network\.natGateway: unknown key\(s\) natGateway \(did you mean natGateways\?\)/,
  },
  {
    name: "a misspelt plugin setting",
    edit: (t) => t.replace("      ha: true", "      hA: true"),
    message: /phoenix:plugins\.argocd\.hA: unknown key\(s\) hA \(did you mean ha\?\)/,
  },
  {
    name: "an instance type written with a dash",
    edit: (t) => t.replace("instanceTypes: [m7i.large, m6i.large]", "instanceTypes: [m7i-large, m6i.large]"),
    message: /instanceTypes\[0\]: must be an EC2 instance type such as m7i\.large/,
    not: /architecture/,
  },
  {
    name: "a VPC block with host bits",
    edit: (t) => t.replace("cidr: 10.20.0.0/16", "cidr: 10.20.0.1/16"),
    message: /phoenix:network\.cidr: must be an IPv4 CIDR block with no host bits set/,
  },
  {
    name: "a setting that moved to the storage project",
    edit: (t) => t.replace("    velero:\n", "    velero:\n      noncurrentVersionDays: 30\n"),
    message:
      /phoenix:plugins\.velero\.noncurrentVersionDays: moved out of the platform stack.*stacks\/backup-storage\/Pulumi\.<stack>\.yaml/,
  },
  {
    name: "a plain value where a map belongs",
    edit: (t) => t.replace(/ {2}phoenix:tags:\n {4}cost-center: platform\n/, "  phoenix:tags: platform\n"),
    message: /phoenix:tags: must be a YAML map, got the plain value "platform"/,
  },
  {
    name: "a log retention CloudWatch does not offer",
    edit: (t) => t.replace("    name: phoenix-prod\n", "    name: phoenix-prod\n    logRetentionDays: 10\n"),
    message: /phoenix:cluster\.logRetentionDays: must be a retention CloudWatch accepts: 1, 3, 5, 7, 14/,
  },
  {
    name: "a Pod Security level that does not exist",
    edit: (t) => t.replace("      - name: ml-models\n", "      - name: ml-models\n        podSecurity: strict\n"),
    message: /phoenix:namespaces\.imperative\[1\]\.podSecurity: .*"restricted"\|"baseline"\|"privileged"/,
  },
  {
    name: "Argo CD's own kinds allowed to Git",
    edit: (t) =>
      t.replace(
        "    targetRevision: main\n",
        "    targetRevision: main\n    allowedKinds:\n      - group: argoproj.io\n        kind: Application\n",
      ),
    message: /phoenix:gitops\.allowedKinds\[0\]\.group: Argo CD's own kinds would let an app escape its project/,
  },
  {
    name: "storage: a replica in its own region",
    storage: true,
    edit: (t) => t.replace("region: eu-central-1", "region: eu-west-1"),
    message:
      /stacks\/backup-storage\/Pulumi\.prod\.yaml[\s\S]*phoenix-backup-storage:replication\.region: is this stack's own region/,
  },
  {
    name: "storage: a misspelt key",
    storage: true,
    edit: (t) => t.replace("noncurrentVersionDays", "noncurrentVersionDay"),
    message:
      /phoenix-backup-storage:noncurrentVersionDay: unknown key \(did you mean phoenix-backup-storage:noncurrentVersionDays\?\)/,
  },
  {
    name: "a schedule that outlives its backups' lock",
    edit: (t) => t.replace("ttl: 720h0m0s", "ttl: 1000h0m0s"),
    message:
      /phoenix:backups\.schedules\[1\]\.ttl: is 1000h0m0s, longer than the Object Lock retention[\s\S]*objectLock\.days to at least 42 in stacks\/backup-storage\/Pulumi\.prod\.yaml/,
  },
  {
    name: "storage: a lock mode S3 does not have",
    storage: true,
    edit: (t) => t.replace("mode: GOVERNANCE", "mode: governance"),
    message: /phoenix-backup-storage:objectLock\.mode: must be GOVERNANCE or COMPLIANCE/,
  },
];

describe("every bad input refused", () => {
  for (const c of CASES) {
    it(`${c.name}: exit 2, the key and the fix named, no plan written`, async () => {
      const root = repositoryCopy();
      const file = c.storage
        ? path.join(root, "stacks", "backup-storage", "Pulumi.prod.yaml")
        : path.join(root, "Pulumi.prod.yaml");
      const before = fs.readFileSync(file, "utf8");
      const after = c.edit(before);
      assert.notEqual(after, before, "the case changes the file");
      fs.writeFileSync(file, after);
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-bad-")), "plan.json");
      const argv = c.storage
        ? ["plan", "--stack", "prod", "--project", path.join(root, "stacks", "backup-storage"), "--out", out]
        : ["plan", "--stack", "prod", "--out", out];
      const r = await phoenix(argv, root);
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, c.message);
      assert.match(r.stderr, c.storage ? /stacks\/backup-storage\/Pulumi\.prod\.yaml/ : /Pulumi\.prod\.yaml/);
      if (c.not) assert.doesNotMatch(r.stderr, c.not);
      assert.ok(!fs.existsSync(out), "no plan written");
    });
  }
});
