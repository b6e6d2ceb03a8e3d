/** `phoenix:namespaces`: the imperative namespaces, the only ones Velero backs up. */
import { z } from "zod";
import { POD_SECURITY_LEVELS } from "../../../components/labels";
import { strictObject } from "../../config";
import { cpuMemory, dnsLabel, labelKey, quantity } from "./common";

/** A label selector (matchLabels). */
const podSelector = z.record(
  labelKey,
  z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value"),
);

/** A Go duration as Velero takes a hook timeout: 30s, 5m, 1h30m. */
const duration = z
  .string()
  .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, "must be a duration such as 30s, 5m or 1h30m")
  .refine((d) => /[1-9]/.test(d), { error: "must be longer than zero" });

/** Pods a hook or check runs in, as a key: every pod of the namespace when absent. */
const pods = podSelector.optional().meta({
  description: "The pods the command runs in, by their labels (`matchLabels`); every pod of the namespace when absent.",
});

/** A command run in one container of the selected pods. */
const execSchema = strictObject({
  container: dnsLabel.meta({ description: "Container the command runs in." }),
  command: z
    .array(z.string().min(1))
    .min(1)
    .meta({ description: "The command and its arguments, as a list (no shell unless the first word is one)." }),
  timeout: duration
    .default("60s")
    .meta({ description: "How long it may take: a duration such as `30s`, `5m` or `1h30m`." }),
});

/** A backup hook: Velero's exec hook, with what a failure does to the backup. */
const hookSchema = execSchema.extend({
  onError: z.enum(["Fail", "Continue"]).default("Fail").meta({
    description:
      "`Fail`: the backup is marked PartiallyFailed and the volume is not taken as consistent; `Continue`: it goes on.",
  }),
});

// Descriptions (`.meta`) are what docs/reference/configuration.md says of each key (npm run docs).
export const namespacesSchema = strictObject({
  imperative: z
    .array(
      strictObject({
        name: dnsLabel.meta({ description: "Namespace name." }),
        description: z.string().optional().meta({ description: "What lives there and why it cannot come from Git." }),
        owner: dnsLabel.default("phoenix").meta({
          description:
            "The team that owns the state, who to call when it must be restored: the namespace's `phoenix.platform/owner` label.",
        }),
        resourceQuota: z
          .record(
            z.string().regex(/^[a-z0-9./-]+$/, "must be a ResourceQuota resource name such as requests.cpu"),
            quantity,
          )
          .optional()
          .meta({ description: "ResourceQuota `hard` limits, such as `requests.storage: 500Gi`." }),
        podSecurity: z.enum(POD_SECURITY_LEVELS).default("restricted").meta({
          description:
            "Pod Security level the namespace enforces: `restricted`, `baseline` or `privileged`. Keep `restricted` unless a workload there truly needs more (`baseline`: an image that must run as root, for example).",
        }),
        defaultDeny: z.boolean().default(true).meta({
          description:
            "A NetworkPolicy `phoenix-default-deny` that denies all ingress and egress but DNS to CoreDNS. Add the NetworkPolicies your workloads need beside it; `false` drops it in this namespace.",
        }),
        limitRange: strictObject({
          default: cpuMemory
            .optional()
            .meta({ description: "Limits of a container that sets none (LimitRange `default`)." }),
          defaultRequest: cpuMemory
            .optional()
            .meta({ description: "Requests of a container that sets none (LimitRange `defaultRequest`)." }),
        })
          .optional()
          .meta({ description: "A LimitRange: container `default` and `defaultRequest` (`cpu`, `memory`)." }),
        backupHooks: strictObject({
          pods,
          pre: z
            .array(hookSchema)
            .default([])
            .meta({ description: "Hooks run before Velero backs up the pods' volumes." }),
          post: z
            .array(hookSchema)
            .default([])
            .meta({ description: "Hooks run after Velero backs up the pods' volumes." }),
        })
          .refine((h) => h.pre.length + h.post.length > 0, {
            error: "declares no hook: give pre or post, or drop backupHooks",
          })
          .optional()
          .meta({
            description:
              "Commands Velero runs in that namespace's pods before (`pre`) and after (`post`) the backup of their volumes, such as a database dump before kopia reads the volume, so that the file-level copy is consistent. Rendered into every schedule, scoped to the namespace; at least one hook.",
          }),
        verify: execSchema.extend({ pods }).optional().meta({
          description:
            "The namespace's own proof that a restore worked: a command run in the restored pods after a restore (the drill, recover and verify-restore; exported as `restoreChecks` for the recovery drill). Its exit status decides.",
        }),
      }),
    )
    .default([])
    .meta({
      description: "Namespaces whose state lives only in the cluster. These are the only namespaces backed up.",
    }),
}).prefault({});
