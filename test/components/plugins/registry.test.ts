/**
 * The plugin registry: one entry per plugin, and everything that reads it (stack schema,
 * namespace inventory, Plugins component, chart conformance) sees the same table. Every
 * list here is built from the registry, so adding a plugin touches no test but its own
 * (test/components/plugins/<id>/; docs/plugins/adding.md).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { charts } from "../../../components/catalog";
import {
  PLUGIN_IDS,
  PLUGINS,
  pluginFreeFormValues,
  pluginNamespaces,
  plugins,
  pluginSettingsShape,
  type PluginSettings,
} from "../../../components/plugins/registry";
import { parsePluginSettings } from "../../../stacks/platform/config";
import { ROOT, TEST_BCRYPT } from "../../helpers";

const settings = (extra: Record<string, unknown> = {}): PluginSettings =>
  parsePluginSettings({ argocd: { admin: { passwordBcrypt: TEST_BCRYPT } }, ...extra });

describe("plugin registry", () => {
  it("lists each plugin under its own id, the admission gates first: every other release waits for them", () => {
    for (const id of PLUGIN_IDS) assert.equal(PLUGINS[id].id, id);
    const gates = plugins().map((p) => p.gatesAdmission === true);
    assert.ok(
      gates.indexOf(false) === -1 || gates.lastIndexOf(true) < gates.indexOf(false),
      `gates first: ${PLUGIN_IDS.join(", ")}`,
    );
    assert.equal(PLUGIN_IDS[0], "loadBalancerController", "its Service webhook fails closed");
    // The install order is what docs/plugins/README.md lists, row by row.
    const index = fs.readFileSync(path.join(ROOT, "docs", "plugins", "README.md"), "utf8");
    const rows = [...index.matchAll(/^\| \[(\w+)\.md\]/gm)].map((m) => m[1]);
    assert.deepEqual(rows, PLUGIN_IDS, "docs/plugins/README.md lists the plugins in install order");
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

  it("gives the inventory the namespaces of the enabled plugins only, in install order, each with its owner", () => {
    const s = settings();
    const expected = plugins()
      .filter((p) => p.enabled(s[p.id as keyof PluginSettings]))
      .map((p) => ({ name: p.namespace, plugin: p.id }));
    assert.deepEqual(pluginNamespaces(s), expected);
    assert.ok(expected.length > 0 && expected.length <= PLUGIN_IDS.length);
    // Turning an opt-in plugin on adds its namespace; turning one off drops its own, and only it.
    const mixed = pluginNamespaces(
      settings({
        externalDns: { enabled: true, hostedZones: [{ id: "Z1", domain: "example.com" }] },
        metricsServer: { enabled: false },
      }),
    );
    assert.ok(mixed.some((n) => n.name === PLUGINS.externalDns.namespace && n.plugin === "externalDns"));
    assert.ok(!mixed.some((n) => n.plugin === "metricsServer"));
    assert.deepEqual(
      mixed.filter((n) => n.plugin !== "externalDns"),
      expected.filter((n) => n.plugin !== "metricsServer"),
    );
  });

  it("gives chart conformance each entry's free-form value paths, by chart name", () => {
    const freeForm = pluginFreeFormValues();
    assert.deepEqual(Object.keys(freeForm).sort(), PLUGIN_IDS.map((id) => PLUGINS[id].chart.chart).sort());
    for (const id of PLUGIN_IDS) assert.equal(freeForm[PLUGINS[id].chart.chart], PLUGINS[id].freeFormValues, id);
  });

  it("has, for every plugin, its folder, its own tests and its page in docs/plugins/", () => {
    for (const id of PLUGIN_IDS) {
      assert.ok(
        fs.existsSync(path.join(ROOT, "components", "plugins", id, "index.ts")),
        `components/plugins/${id}/index.ts`,
      );
      const tests = path.join(ROOT, "test", "components", "plugins", id);
      assert.ok(
        fs.existsSync(tests) && fs.readdirSync(tests).some((f) => f.endsWith(".test.ts")),
        `test/components/plugins/${id}/*.test.ts`,
      );
      const doc = path.join(ROOT, "docs", "plugins", `${id}.md`);
      assert.ok(fs.existsSync(doc), `docs/plugins/${id}.md`);
      const text = fs.readFileSync(doc, "utf8");
      assert.ok(text.includes(`phoenix:plugins.${id}`), `docs/plugins/${id}.md names its settings key`);
      assert.ok(text.includes(PLUGINS[id].chart.chart), `docs/plugins/${id}.md names its chart`);
    }
  });
});
