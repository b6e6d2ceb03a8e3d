/**
 * The plugin registry: one line per plugin, in install order. Adding a plugin is its
 * module (a `Plugin`), its catalog pin and one line here; the stack schema, the
 * namespace inventory, the Plugins component and chart conformance all read this table.
 */
import type { z } from "zod";
import { argocd } from "./argocd";
import { certManager } from "./certManager";
import type { Plugin } from "./contract";
import { externalDns } from "./externalDns";
import { loadBalancerController } from "./loadBalancerController";
import { metricsServer } from "./metricsServer";
import { velero } from "./velero";

export const PLUGINS = {
  // First: its fail-closed Service webhook gates every other release (see gatesAdmission).
  loadBalancerController,
  certManager,
  externalDns,
  metricsServer,
  argocd,
  velero,
} as const;

/** A plugin id: a key of the stack file's `phoenix:plugins`. */
export type PluginId = keyof typeof PLUGINS;

/** Any registered plugin. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry's element type: each entry is checked against Plugin<S, I, O> where it is defined.
export type AnyPlugin = Plugin<z.ZodType, any, unknown>;

type SettingsOf<P> = P extends { readonly settings: infer S extends z.ZodType } ? z.output<S> : never;
type InputsOf<P> = P extends { install(settings: never, inputs: infer I, ctx: never): unknown } ? I : never;
type OutputsOf<P> = P extends { install(...args: never[]): { readonly outputs: infer O } } ? O : never;

/** Validated settings of every plugin, keyed by id. */
export type PluginSettings = { readonly [K in PluginId]: SettingsOf<(typeof PLUGINS)[K]> };

/** What the composition hands the plugins that need more than the shared context. */
export type PluginInputs = {
  readonly [K in PluginId as InputsOf<(typeof PLUGINS)[K]> extends undefined ? never : K]: InputsOf<
    (typeof PLUGINS)[K]
  >;
};

/** Typed outputs of every plugin; absent when the stack disables it. */
export type PluginOutputs = { readonly [K in PluginId]?: OutputsOf<(typeof PLUGINS)[K]> };

/** The ids in install order. */
export const PLUGIN_IDS = Object.keys(PLUGINS) as PluginId[];

/** The registry entries in install order. */
export function plugins(): AnyPlugin[] {
  return PLUGIN_IDS.map((id) => PLUGINS[id] as AnyPlugin);
}

/** The settings schemas, keyed by plugin id (what `phoenix:plugins` validates against). */
export function pluginSettingsShape(): { [K in PluginId]: (typeof PLUGINS)[K]["settings"] } {
  return Object.fromEntries(PLUGIN_IDS.map((id) => [id, PLUGINS[id].settings])) as {
    [K in PluginId]: (typeof PLUGINS)[K]["settings"];
  };
}

/** The namespaces the enabled plugins live in, with the plugin that owns each: all classified `platform`. */
export function pluginNamespaces(settings: PluginSettings): { name: string; plugin: PluginId }[] {
  return PLUGIN_IDS.filter((id) => (PLUGINS[id] as AnyPlugin).enabled(settings[id])).map((id) => ({
    name: PLUGINS[id].namespace,
    plugin: id,
  }));
}

/** Free-form value paths per chart name, for chart conformance. */
export function pluginFreeFormValues(): Record<string, readonly string[]> {
  return Object.fromEntries(plugins().map((p) => [p.chart.chart, p.freeFormValues]));
}
