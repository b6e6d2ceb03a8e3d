/** `phoenix:namespaces`: the imperative namespaces, the only ones Velero backs up. */
import { z } from "zod";
import { strictObject } from "../../config";
import { cpuMemory, dnsLabel, quantity } from "./common";

export const namespacesSchema = strictObject({
  /** Namespaces whose state lives only in the cluster: the only ones Velero backs up. */
  imperative: z
    .array(
      strictObject({
        name: dnsLabel,
        /** What lives there and why it cannot come from Git. */
        description: z.string().optional(),
        /** Team that owns the state (the owner label's value): who to call when it must be restored. */
        owner: dnsLabel.default("phoenix"),
        /** ResourceQuota `hard` limits for the namespace, such as requests.storage: 500Gi. */
        resourceQuota: z.record(z.string().regex(/^[a-z0-9./-]+$/, "must be a ResourceQuota resource name such as requests.cpu"), quantity).optional(),
        /** LimitRange container defaults for the namespace. */
        limitRange: strictObject({ default: cpuMemory.optional(), defaultRequest: cpuMemory.optional() }).optional(),
      }),
    )
    .default([]),
}).prefault({});

