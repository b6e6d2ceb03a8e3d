/**
 * The plugin registry: one entry per plugin, and everything that reads it (stack schema,
 * namespace inventory, Plugins component, chart conformance) sees the same table.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charts } from "../../../components/catalog";
import { PLUGIN_IDS, PLUGINS, pluginFreeFormValues, pluginNamespaces, pluginSettingsShape, type PluginSettings } from "../../../components/plugins/registry";
import { parsePluginSettings } from "../../../stacks/platform/config";
import { TEST_BCRYPT } from "../../helpers";

const settings = (extra: Record<string, unknown> = {}): PluginSettings => parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } }, ...extra });

describe("plugin registry", () => {
  it("lists each plugin under its own id, the load balancer controller first: its webhook gates every other release", () => {
    assert.deepEqual(PLUGIN_IDS, ["loadBalancerController", "certManager", "externalDns", "metricsServer", "argocd", "velero"]);
    for (const id of PLUGIN_IDS) assert.equal(PLUGINS[id].id, id);
    assert.deepEqual(PLUGIN_IDS.filter((id) => "gatesAdmission" in PLUGINS[id] && PLUGINS[id].gatesAdmission), ["loadBalancerController"]);
  });

  it("pins every plugin's chart in the catalog, each in a namespace and release of its own", () => {
    const pins: readonly unknown[] = Object.values(charts);
    for (const id of PLUGIN_IDS) assert.ok(pins.includes(PLUGINS[id].chart), `${id}: its chart is a catalog pin`);
    assert.equal(new Set(PLUGIN_IDS.map((id) => PLUGINS[id].namespace)).size, PLUGIN_IDS.length);
    assert.equal(new Set(PLUGIN_IDS.map((id) => PLUGINS[id].releaseName)).size, PLUGIN_IDS.length);
  });

  it("validates phoenix:plugins with each entry's own settings schema", () => {
    const shape = pluginSettingsShape();
    assert.deepEqual(Object.keys(shape), PLUGIN_IDS);
    for (const id of PLUGIN_IDS) assert.equal(shape[id], PLUGINS[id].settings, id);
  });

  it("gives the inventory the namespaces of the enabled plugins only, each with its owner", () => {
    assert.deepEqual(pluginNamespaces(settings()), [
      { name: "aws-load-balancer-controller", plugin: "loadBalancerController" },
      { name: "cert-manager", plugin: "certManager" },
      { name: "metrics-server", plugin: "metricsServer" },
      { name: "argocd", plugin: "argocd" },
      { name: "velero", plugin: "velero" },
    ]);
    const some = pluginNamespaces(settings({ externalDns: { enabled: true, hostedZones: [{ id: "Z1", domain: "example.com" }] }, metricsServer: { enabled: false } }));
    assert.deepEqual(some.map((n) => n.plugin), ["loadBalancerController", "certManager", "externalDns", "argocd", "velero"]);
  });

  it("gives chart conformance each entry's free-form value paths, by chart name", () => {
    const freeForm = pluginFreeFormValues();
    assert.deepEqual(Object.keys(freeForm).sort(), PLUGIN_IDS.map((id) => PLUGINS[id].chart.chart).sort());
    for (const id of PLUGIN_IDS) assert.equal(freeForm[PLUGINS[id].chart.chart], PLUGINS[id].freeFormValues, id);
    assert.ok(freeForm[charts.velero.chart].includes("schedules"), "Velero's schedules are keyed by name");
  });
});
