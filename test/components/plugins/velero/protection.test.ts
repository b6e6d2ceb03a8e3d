/**
 * What a stolen Velero identity cannot do, as Velero's IAM policy states it (a plain
 * function), and how the Velero plugin is wired so its kopia repository is opened with
 * Phoenix's own password before the first backup (under the offline mock runtime).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROTECTION_ACTIONS, VELERO_ROLE_PATH } from "../../../../components/backupStorage/policies";
import { Plugins } from "../../../../components/plugins";
import { REPOSITORY_SECRET, veleroPolicy } from "../../../../components/plugins/velero";
import type { BackupScope } from "../../../../components/types";
import { evaluateOffline, SECRET } from "../../../../cli/plan/runtime";
import { parsePluginSettings } from "../../../../stacks/platform/config";
import { grants, one, TEST_BCRYPT } from "../../../helpers";

const bucket = "arn:aws:s3:::velero-backups";
const key = "arn:aws:kms:eu-west-1:111122223333:key/k";
const source = { bucketArn: "arn:aws:s3:::prod-replica", keyArn: "arn:aws:kms:eu-central-1:111122223333:key/r" };

describe("Velero's IAM policy and the backups' protection", () => {
  for (const [what, doc] of [
    ["its own bucket", veleroPolicy({ bucketArn: bucket, keyArn: key, ebsSnapshots: true })],
    [
      "a restore source too",
      veleroPolicy({ bucketArn: bucket, keyArn: key, ebsSnapshots: false, restoreFrom: source }),
    ],
  ] as const) {
    it(`grants nothing that bypasses or changes a lock, deletes a version or rewrites a bucket's settings (${what})`, () => {
      const allowed = Object.keys(grants(doc));
      for (const action of PROTECTION_ACTIONS) assert.ok(!allowed.includes(action), `${action} is not granted`);
      assert.ok(!allowed.some((a) => a.includes("*")), "no wildcard action that could hide one");
      assert.ok(
        allowed.includes("s3:DeleteObject"),
        "expiring a backup stays possible: a delete marker on a versioned bucket",
      );
    });

    it(`denies them explicitly on every bucket it touches, whatever else the role is given (${what})`, () => {
      const denied = grants(doc, "Deny");
      const buckets = [bucket, ...(what === "a restore source too" ? [source.bucketArn] : [])];
      const resources = buckets.flatMap((b) => [b, `${b}/*`]).sort();
      assert.deepEqual(Object.keys(denied).sort(), [...PROTECTION_ACTIONS].sort());
      for (const action of PROTECTION_ACTIONS) assert.deepEqual(denied[action], resources, action);
    });
  }
});

describe("the Velero plugin's repository password", () => {
  const scope: BackupScope = {
    enabled: true,
    includedNamespaces: ["ledger"],
    excludedNamespaces: ["kube-system"],
    schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" }],
  };
  const run = () =>
    evaluateOffline({ project: "phoenix", stack: "unit", config: { "aws:region": "eu-west-1" } }, () => {
      const provider = new k8s.Provider("p", { kubeconfig: "{}" });
      return new Plugins("plugins", {
        provider,
        clusterName: "c1",
        region: "eu-west-1",
        vpcId: "vpc-1",
        identity: { mode: "podIdentity" },
        settings: parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } } }),
        inputs: {
          velero: {
            backup: scope,
            storage: { bucket: "b", region: "eu-west-1", kmsKeyArn: key },
            repositoryPassword: pulumi.output("a-password-read-from-secrets-manager"),
          },
        },
      });
    });

  it("is the Secret Velero looks for, in Velero's namespace, created before the release and shown masked", async () => {
    const { resources } = await run();
    const secret = one(resources, "kubernetes:core/v1:Secret", "plugins-velero-repo-credentials");
    assert.deepEqual(secret.inputs.metadata, { name: "velero-repo-credentials", namespace: "velero" });
    assert.deepEqual(REPOSITORY_SECRET, { name: "velero-repo-credentials", key: "repository-password" });
    assert.equal(secret.inputs.stringData, SECRET, "marked secret even when handed in plain");
    assert.ok(
      !JSON.stringify(resources.map((r) => r.inputs)).includes("a-password-read-from-secrets-manager"),
      "the value appears nowhere",
    );
    const release = one(resources, "kubernetes:helm.sh/v3:Release", "velero");
    assert.ok(release.dependencies.includes(secret.urn), "Velero starts only once its repository password exists");
    assert.ok(secret.dependencies.includes(one(resources, "kubernetes:core/v1:Namespace", "velero").urn));
  });

  it("gives Velero's role the path the backup storage admits", async () => {
    const { resources } = await run();
    assert.equal(VELERO_ROLE_PATH, "/phoenix/velero/");
    assert.equal(one(resources, "aws:iam/role:Role", "plugins-velero").inputs.path, VELERO_ROLE_PATH);
    assert.equal(
      one(resources, "aws:iam/role:Role", "plugins-loadBalancerController").inputs.path,
      undefined,
      "no other plugin's role is under it",
    );
  });
});
