/** The metrics-server chart's values. */
import type { HelmValues } from "../contract";
import type { MetricsServerSettings } from "./settings";

export const METRICS_SERVER_NAMESPACE = "metrics-server";

/** Helm values for the metrics-server chart. */
export function metricsServerValues(settings: MetricsServerSettings): HelmValues {
  return {
    replicas: settings.replicas,
    // With more than one replica a drain must never take the metrics API down entirely.
    podDisruptionBudget: settings.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
  };
}
