import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapValues, IN_CLUSTER } from "../components/apps/applications";
import { charts, images } from "../components/catalog";
import { ACCESS_POLICIES, eksAccessEntries } from "../components/cluster/access";
import { argocdValues } from "../components/plugins/argocd";
import type { BackupScope } from "../components/plugins/contract";
import { veleroSchedules, veleroValues } from "../components/plugins/velero";
import { at } from "./helpers";

const scope: BackupScope = {
  enabled: true,
  schedules: [
    { name: "hourly", cron: "0 * * * *", ttl: "72h0m0s" },
    { name: "daily", cron: "0 3 * * *", ttl: "720h0m0s" },
  ],
  includedNamespaces: ["ledger", "models"],
  excludedNamespaces: ["argocd", "kube-system", "shop", "velero"],
};

describe("Velero schedules", () => {
  it("writes one Schedule per configured schedule covering exactly the imperative namespaces", () => {
    const s = veleroSchedules(scope, true);
    assert.deepEqual(Object.keys(s), ["hourly", "daily"]);
    assert.deepEqual(s.hourly.template.includedNamespaces, ["ledger", "models"]);
    assert.deepEqual(s.daily.template.excludedNamespaces, ["argocd", "kube-system", "shop", "velero"]);
    assert.equal(s.hourly.schedule, "0 * * * *");
    assert.equal(s.hourly.template.ttl, "72h0m0s");
    assert.equal(s.daily.useOwnerReferencesInBackup, false, "deleting a Schedule must not delete its backups");
  });

  it("never emits a Schedule with an empty include list (Velero would back up every namespace)", () => {
    assert.deepEqual(veleroSchedules({ ...scope, includedNamespaces: [] }, true), {});
    assert.deepEqual(veleroSchedules({ ...scope, enabled: false }, true), {});
  });

  it("uses file-system backups for cross-region restores, EBS snapshots only when asked", () => {
    assert.deepEqual(
      [veleroSchedules(scope, true).daily.template.defaultVolumesToFsBackup, veleroSchedules(scope, true).daily.template.snapshotVolumes],
      [true, false],
    );
    assert.deepEqual(
      [veleroSchedules(scope, false).daily.template.defaultVolumesToFsBackup, veleroSchedules(scope, false).daily.template.snapshotVolumes],
      [false, true],
    );
  });
});

describe("Velero values", () => {
  const v = veleroValues({ fsBackup: true }, { bucket: "backups-bucket", bucketRegion: "eu-central-1", backup: scope });
  it("installs the AWS plugin pinned in the catalog", () => {
    assert.equal(at(v, "initContainers", 0, "image"), images.veleroPluginForAws);
    assert.match(images.veleroPluginForAws, /:v1\.14\.\d+$/, "v1.14.x pairs with Velero 1.18");
  });
  it("uses the pod's AWS identity, not a credentials file", () => {
    assert.equal(at(v, "credentials", "useSecret"), false);
  });
  it("points the backup location at the bucket in the bucket's region", () => {
    assert.deepEqual(at(v, "configuration", "backupStorageLocation"), [
      { name: "default", provider: "aws", bucket: "backups-bucket", default: true, config: { region: "eu-central-1" } },
    ]);
  });
  it("deploys the node agent with kopia when file-system backups are on", () => {
    assert.equal(at(v, "deployNodeAgent"), true);
    assert.equal(at(v, "configuration", "uploaderType"), "kopia");
    assert.equal(at(veleroValues({ fsBackup: false }, { bucket: "b", bucketRegion: "r", backup: scope }), "deployNodeAgent"), false);
  });
});

describe("Argo CD values", () => {
  it("keeps CRDs on uninstall and pins annotation tracking", () => {
    const v = argocdValues({});
    assert.deepEqual(at(v, "crds"), { install: true, keep: true });
    assert.equal(at(v, "configs", "cm", "application.resourceTrackingMethod"), "annotation");
  });
});

describe("GitOps bootstrap values", () => {
  const v = bootstrapValues({
    argocdNamespace: "argocd",
    root: { repoURL: "https://git.example.com/gitops.git", targetRevision: "v1.2.0", path: "clusters/eu-west-1" },
    applications: [
      { name: "shop", path: "apps/shop", namespace: "shop" },
      { name: "search", path: "search", namespace: "search", repoURL: "git@git.example.com:org/search.git", targetRevision: "main" },
    ],
    namespaceLabels: { "phoenix.platform/namespace-class": "gitops" },
  });
  const apps = at(v, "applications") as Record<string, unknown>;

  it("declares the root app of apps on the region's path, in Argo CD's namespace", () => {
    assert.deepEqual(at(apps, "root", "source"), {
      repoURL: "https://git.example.com/gitops.git",
      targetRevision: "v1.2.0",
      path: "clusters/eu-west-1",
      directory: { recurse: true },
    });
    assert.deepEqual(at(apps, "root", "destination"), { server: IN_CLUSTER, namespace: "argocd" });
  });

  it("declares each app with its destination, inheriting the root's repository unless overridden", () => {
    assert.deepEqual(Object.keys(apps).sort(), ["root", "search", "shop"]);
    assert.equal(at(apps, "shop", "source", "repoURL"), "https://git.example.com/gitops.git");
    assert.equal(at(apps, "shop", "source", "targetRevision"), "v1.2.0");
    assert.equal(at(apps, "search", "source", "repoURL"), "git@git.example.com:org/search.git");
    assert.deepEqual(at(apps, "shop", "destination"), { server: IN_CLUSTER, namespace: "shop" });
  });

  it("creates and labels GitOps namespaces, and never sets the cascading-delete finalizer", () => {
    assert.deepEqual(at(apps, "shop", "syncPolicy", "syncOptions"), ["CreateNamespace=true"]);
    assert.deepEqual(at(apps, "shop", "syncPolicy", "managedNamespaceMetadata", "labels"), { "phoenix.platform/namespace-class": "gitops" });
    for (const name of Object.keys(apps)) assert.equal(at(apps, name, "finalizers"), undefined, name);
  });
});

describe("EKS access entries", () => {
  const arn = (policy: string): string => `arn:aws-cn:eks::aws:cluster-access-policy/${policy}`;
  it("maps short policy names to EKS access policies with cluster or namespace scope", () => {
    const entries = eksAccessEntries(
      [
        { principalArn: "arn:aws:iam::111122223333:role/admins", policy: "cluster-admin" },
        { principalArn: "arn:aws:iam::111122223333:role/devs", policy: "edit", namespaces: ["shop"] },
        { principalArn: "arn:aws:iam::111122223333:role/devs", policy: "view" },
      ],
      arn,
    );
    assert.deepEqual(Object.keys(entries), ["111122223333-role-admins", "111122223333-role-devs"]);
    assert.equal(entries["111122223333-role-admins"].accessPolicies["cluster-admin"].policyArn, arn(ACCESS_POLICIES["cluster-admin"]));
    assert.deepEqual(entries["111122223333-role-devs"].accessPolicies.edit.accessScope, { type: "namespace", namespaces: ["shop"] });
    assert.deepEqual(entries["111122223333-role-devs"].accessPolicies.view.accessScope, { type: "cluster" });
  });
  it("refuses the same grant twice", () => {
    const e = { principalArn: "arn:aws:iam::111122223333:role/a", policy: "view" as const };
    assert.throws(() => eksAccessEntries([e, e], arn), /grants view twice/);
  });
});

describe("catalog", () => {
  it("pins every chart to an exact version", () => {
    for (const [key, pin] of Object.entries(charts)) {
      assert.match(pin.version, /^v?\d+\.\d+\.\d+$/, key);
      assert.match(pin.repository, /^https:\/\//, key);
    }
  });
});
