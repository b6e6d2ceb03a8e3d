/** metrics-server: the resource metrics API that `kubectl top` and HorizontalPodAutoscalers read. */
import { charts } from "../../catalog";
import { POD_PASS_THROUGH, type Plugin } from "../contract";
import { metricsServerSettingsSchema } from "./settings";
import { METRICS_SERVER_NAMESPACE, metricsServerValues } from "./values";

export * from "./settings";
export * from "./values";

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
