/** The load balancer controller's stack settings. */
import { z } from "zod";
import { strictSettings } from "../settings";

/** Stack settings of the load balancer controller (`phoenix:plugins.loadBalancerController`). */
export const loadBalancerControllerSettingsSchema = strictSettings({
  enabled: z.boolean().default(true).meta({
    description: "Install the AWS Load Balancer Controller (off only for clusters that take no traffic from outside).",
  }),
  gatewayApi: z.boolean().default(true).meta({
    description:
      "Gateway API: its CRDs, and the ALB (HTTP and gRPC routes) and NLB (L4 routes) gateway controllers that reconcile its objects.",
  }),
  replicas: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(2)
    .meta({ description: "Controller replicas, 1 to 5; two keep load balancers reconciled through a node drain." }),
}).prefault({});

/** Validated settings. */
export type LoadBalancerControllerSettings = z.output<typeof loadBalancerControllerSettingsSchema>;
