/** metrics-server: the resource metrics API that `kubectl top` and HorizontalPodAutoscalers read. */
import { z } from "zod";
import { charts } from "../catalog";
import { POD_PASS_THROUGH, type HelmValues, type Plugin } from "./contract";
import { strictSettings } from "./settings";

/** Stack settings of metrics-server (`phoenix:plugins.metricsServer`). */
export const metricsServerSettingsSchema = strictSettings({
  /** Install it. */
  enabled: z.boolean().default(true),
  /** Replicas; two keep autoscaling working through a node drain. */
  replicas: z.number().int().min(1).max(5).default(2),
}).prefault({});

/** Validated settings. */
export type MetricsServerSettings = z.output<typeof metricsServerSettingsSchema>;

export const METRICS_SERVER_NAMESPACE = "metrics-server";

/** Helm values for the metrics-server chart. */
export function metricsServerValues(settings: MetricsServerSettings): HelmValues {
  return {
    replicas: settings.replicas,
    // With more than one replica a drain must never take the metrics API down entirely.
    podDisruptionBudget: settings.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
  };
}

/** The metrics-server plugin (no AWS identity: it only talks to kubelets). */
export const metricsServer: Plugin<typeof metricsServerSettingsSchema, undefined, Record<string, never>> = {
  id: "metricsServer",
  chart: charts.metricsServer,
  namespace: METRICS_SERVER_NAMESPACE,
  releaseName: "metrics-server",
  settings: metricsServerSettingsSchema,
  freeFormValues: [...POD_PASS_THROUGH],
  enabled: (s) => s.enabled,
  // Non-root, RuntimeDefault seccomp, no privilege escalation, no capabilities, no host
  // network (the chart's securityContext defaults).
  podSecurity: () => "restricted",
  install: (settings) => ({ values: metricsServerValues(settings), outputs: {} }),
};
