/** The load balancer controller's stack settings. */
import { z } from "zod";
import { strictSettings } from "../settings";

/** Stack settings of the load balancer controller (`phoenix:plugins.loadBalancerController`). */
export const loadBalancerControllerSettingsSchema = strictSettings({
  /** Install it (off only for clusters that take no traffic from outside). */
  enabled: z.boolean().default(true),
  /** Reconcile Gateway API objects (ALB for HTTP/GRPC routes, NLB for L4) and install the CRDs they need. */
  gatewayApi: z.boolean().default(true),
  /** Controller replicas; two keep load balancers reconciled through a node drain. */
  replicas: z.number().int().min(1).max(5).default(2),
}).prefault({});

/** Validated settings. */
export type LoadBalancerControllerSettings = z.output<typeof loadBalancerControllerSettingsSchema>;
