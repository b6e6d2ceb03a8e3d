/** The Argo CD plugin: production values with no insecure default, secrets kept out of the Helm values. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  argocdSecretData,
  argocdSettingsSchema,
  argocdValues,
  RESOURCE_EXCLUSIONS,
} from "../../../../components/plugins/argocd";
import { at, TEST_BCRYPT } from "../../../helpers";

describe("Argo CD production values", () => {
  const withAdmin = argocdSettingsSchema.parse({ admin: { passwordBcrypt: TEST_BCRYPT } });
  const ssoOnly = argocdSettingsSchema.parse({
    url: "https://argocd.example.com",
    admin: { enabled: false },
    sso: {
      issuer: "https://sso.example.com",
      clientId: "argocd",
      clientSecret: "s3cret",
      adminGroups: ["platform"],
      readonlyGroups: ["devs"],
    },
    ha: true,
  });

  it("keeps the admin hash and the OIDC client secret out of the Helm values, in argocd-secret's data", () => {
    for (const settings of [withAdmin, ssoOnly]) {
      const text = JSON.stringify(argocdValues(settings));
      assert.ok(!text.includes(TEST_BCRYPT) && !text.includes("s3cret"), "no secret in the values");
      assert.deepEqual(at(argocdValues(settings), "configs", "secret"), { createSecret: false });
    }
    assert.deepEqual(argocdSecretData(withAdmin), { "admin.password": TEST_BCRYPT });
    assert.deepEqual(argocdSecretData(ssoOnly), { "oidc.clientSecret": "s3cret" });
    assert.doesNotMatch(
      JSON.stringify(at(argocdValues(ssoOnly), "configs", "cm")),
      /s3cret/,
      "argocd-cm only references the secret",
    );
  });

  it("disables the admin user with SSO, binds groups to roles, and grants nothing by default", () => {
    const v = argocdValues(ssoOnly);
    assert.equal(at(v, "configs", "cm", "admin.enabled"), false);
    assert.equal(at(v, "configs", "cm", "url"), "https://argocd.example.com");
    const oidc = JSON.parse(String(at(v, "configs", "cm", "oidc.config"))) as Record<string, unknown>;
    assert.deepEqual(
      [oidc.issuer, oidc.clientID, oidc.clientSecret],
      ["https://sso.example.com", "argocd", "$oidc.clientSecret"],
    );
    assert.equal(at(v, "configs", "rbac", "policy.default"), "");
    assert.equal(at(v, "configs", "rbac", "policy.csv"), "g, platform, role:admin\ng, devs, role:readonly");
    const pkce = argocdValues(
      argocdSettingsSchema.parse({ ...ssoOnly, sso: { ...ssoOnly.sso, clientSecret: undefined } }),
    );
    assert.equal(
      (JSON.parse(String(at(pkce, "configs", "cm", "oidc.config"))) as Record<string, unknown>)
        .enablePKCEAuthentication,
      true,
    );
  });

  it("has no insecure defaults: TLS at the server, no anonymous users, no exec, no Dex", () => {
    const v = argocdValues(withAdmin);
    assert.equal(at(v, "configs", "params", "server.insecure"), false);
    assert.equal(at(v, "configs", "cm", "users.anonymous.enabled"), false);
    assert.equal(at(v, "configs", "cm", "exec.enabled"), false);
    assert.equal(at(v, "dex", "enabled"), false);
    assert.equal(at(v, "configs", "cm", "application.resourceTrackingMethod"), "annotation");
  });

  it("keeps VolumeSnapshots and Velero's objects out of Argo CD's reach, and the high-churn kinds too", () => {
    const exclusions = JSON.parse(
      String(at(argocdValues(withAdmin), "configs", "cm", "resource.exclusions")),
    ) as typeof RESOURCE_EXCLUSIONS;
    const excluded = (group: string, kind: string) =>
      exclusions.some(
        (e) => (e.apiGroups as readonly string[]).includes(group) && (e.kinds as readonly string[]).includes(kind),
      );
    for (const [group, kind] of [
      ["snapshot.storage.k8s.io", "VolumeSnapshot"],
      ["snapshot.storage.k8s.io", "VolumeSnapshotContent"],
      ["velero.io", "Backup"],
      ["velero.io", "Restore"],
      ["", "Endpoints"],
      ["coordination.k8s.io", "Lease"],
    ]) {
      assert.ok(excluded(group, kind), `${group}/${kind} is excluded`);
    }
  });

  it("turns on Redis HA and two replicas with PDBs in HA mode only", () => {
    const ha = argocdValues(ssoOnly);
    assert.deepEqual(
      [
        at(ha, "redis-ha", "enabled"),
        at(ha, "redis", "enabled"),
        at(ha, "server", "replicas"),
        at(ha, "repoServer", "pdb", "enabled"),
      ],
      [true, false, 2, true],
    );
    const single = argocdValues(withAdmin);
    assert.deepEqual(
      [at(single, "redis-ha", "enabled"), at(single, "redis", "enabled"), at(single, "server", "replicas")],
      [false, true, 1],
    );
  });
});

describe("Argo CD values", () => {
  it("keeps CRDs on uninstall and pins annotation tracking", () => {
    const v = argocdValues(argocdSettingsSchema.parse({ admin: { passwordBcrypt: TEST_BCRYPT } }));
    assert.deepEqual(at(v, "crds"), { install: true, keep: true });
    assert.equal(at(v, "configs", "cm", "application.resourceTrackingMethod"), "annotation");
  });
});
