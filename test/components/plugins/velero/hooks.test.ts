/** Velero's schedules carry each imperative namespace's backup hooks, scoped to that namespace and its selected pods. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { veleroSchedules } from "../../../../components/plugins/velero";
import type { BackupScope } from "../../../../components/types";

const scope: BackupScope = {
  enabled: true,
  schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" }],
  includedNamespaces: ["ledger", "models"],
  excludedNamespaces: ["argocd"],
};
const dump = {
  container: "postgres",
  command: ["/bin/sh", "-c", "pg_dump -Fc ledger > /data/dump"],
  timeout: "10m",
  onError: "Fail" as const,
};

describe("velero schedules with backup hooks", () => {
  it("renders each namespace's hooks as its own hook resource, scoped to it and its pods", () => {
    const s = veleroSchedules(
      { ...scope, hooks: [{ namespace: "ledger", pods: { app: "db" }, pre: [dump], post: [] }] },
      "file-system",
    );
    assert.deepEqual(s.daily.template.hooks, {
      resources: [
        {
          name: "phoenix-ledger",
          includedNamespaces: ["ledger"],
          labelSelector: { matchLabels: { app: "db" } },
          pre: [{ exec: dump }],
          post: [],
        },
      ],
    });
    assert.deepEqual(s.daily.template.includedNamespaces, ["ledger", "models"], "hooks never widen what is backed up");
  });

  it("renders no hooks key without hooks, and no labelSelector without pods", () => {
    assert.equal("hooks" in veleroSchedules(scope, "file-system").daily.template, false);
    const s = veleroSchedules(
      { ...scope, hooks: [{ namespace: "models", pre: [], post: [{ ...dump, onError: "Continue" }] }] },
      "file-system",
    );
    assert.equal("labelSelector" in (s.daily.template.hooks?.resources[0] ?? {}), false);
  });
});
