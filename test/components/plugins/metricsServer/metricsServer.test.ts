/** The metrics-server plugin's values. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  metricsServer,
  metricsServerSettingsSchema,
  metricsServerValues,
} from "../../../../components/plugins/metricsServer";

describe("metrics-server", () => {
  it("runs two replicas behind a PDB by default, one without", () => {
    assert.deepEqual(metricsServerValues(metricsServerSettingsSchema.parse({})), {
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    });
    assert.deepEqual(metricsServerValues(metricsServerSettingsSchema.parse({ replicas: 1 })), {
      replicas: 1,
      podDisruptionBudget: { enabled: false },
    });
  });

  it("is on by default and can be turned off (the inventory then has no metrics-server namespace)", () => {
    assert.equal(metricsServer.enabled(metricsServerSettingsSchema.parse({})), true);
    assert.equal(metricsServer.enabled(metricsServerSettingsSchema.parse({ enabled: false })), false);
  });
});
