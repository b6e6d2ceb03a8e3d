/** metrics-server's stack settings. */
import { z } from "zod";
import { strictSettings } from "../settings";

/** Stack settings of metrics-server (`phoenix:plugins.metricsServer`). */
export const metricsServerSettingsSchema = strictSettings({
  /** Install it. */
  enabled: z.boolean().default(true),
  /** Replicas; two keep autoscaling working through a node drain. */
  replicas: z.number().int().min(1).max(5).default(2),
}).prefault({});

/** Validated settings. */
export type MetricsServerSettings = z.output<typeof metricsServerSettingsSchema>;
