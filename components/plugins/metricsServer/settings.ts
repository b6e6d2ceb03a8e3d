/** metrics-server's stack settings. */
import { z } from "zod";
import { strictSettings } from "../settings";

/** Stack settings of metrics-server (`phoenix:plugins.metricsServer`). */
export const metricsServerSettingsSchema = strictSettings({
  enabled: z.boolean().default(true).meta({ description: "Install metrics-server." }),
  replicas: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(2)
    .meta({ description: "Replicas, 1 to 5; two keep autoscaling working through a node drain." }),
}).prefault({});

/** Validated settings. */
export type MetricsServerSettings = z.output<typeof metricsServerSettingsSchema>;
