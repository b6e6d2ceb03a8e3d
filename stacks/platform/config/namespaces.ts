/** `phoenix:namespaces`: the imperative namespaces, the only ones Velero backs up. */
import { z } from "zod";
import { POD_SECURITY_LEVELS } from "../../../components/labels";
import { strictObject } from "../../config";
import { cpuMemory, dnsLabel, labelKey, quantity } from "./common";

/** Pods a hook or check runs in: a label selector (matchLabels). */
const pods = z.record(labelKey, z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value"));

/** A Go duration as Velero takes a hook timeout: 30s, 5m, 1h30m. */
const duration = z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$/, "must be a duration such as 30s, 5m or 1h30m").refine((d) => /[1-9]/.test(d), { error: "must be longer than zero" });

/** A command run in one container of the selected pods. */
const execSchema = strictObject({
  /** Container the command runs in. */
  container: dnsLabel,
  /** The command and its arguments (no shell unless the first word is one). */
  command: z.array(z.string().min(1)).min(1),
  /** How long it may take. */
  timeout: duration.default("60s"),
});

/** A backup hook: Velero's exec hook, with what a failure does to the backup. */
const hookSchema = execSchema.extend({
  /** Fail: the backup is marked PartiallyFailed and the volume is not taken as consistent; Continue: it goes on. */
  onError: z.enum(["Fail", "Continue"]).default("Fail"),
});

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
        /**
         * Pod Security Standards level the namespace enforces. restricted unless a
         * workload there truly needs more (baseline: e.g. an image that must run as root).
         */
        podSecurity: z.enum(POD_SECURITY_LEVELS).default("restricted"),
        /**
         * A default-deny NetworkPolicy (ingress and egress; DNS allowed). Add the
         * NetworkPolicies a workload needs beside it; false drops it for the namespace.
         */
        defaultDeny: z.boolean().default(true),
        /** LimitRange container defaults for the namespace. */
        limitRange: strictObject({ default: cpuMemory.optional(), defaultRequest: cpuMemory.optional() }).optional(),
        /**
         * Commands Velero runs before (pre) and after (post) it backs up the selected pods'
         * volumes, such as a database dump or flush, so that the file-level copy is consistent.
         */
        backupHooks: strictObject({
          /** Pods the hooks run in; every pod of the namespace when absent. */
          pods: pods.optional(),
          pre: z.array(hookSchema).default([]),
          post: z.array(hookSchema).default([]),
        })
          .refine((h) => h.pre.length + h.post.length > 0, { error: "declares no hook: give pre or post, or drop backupHooks" })
          .optional(),
        /**
         * The namespace's own proof that a restore worked, run in the restored namespace
         * after a restore (the drill, recover and verify-restore): its exit status decides.
         */
        verify: execSchema.extend({ pods: pods.optional() }).optional(),
      }),
    )
    .default([]),
}).prefault({});

