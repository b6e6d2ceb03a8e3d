/** `phoenix:cluster`: the EKS control plane, its endpoint, compute and access. */
import { z } from "zod";
import { LOG_RETENTION_DAYS } from "../../../components/cluster/hardening";
import { strictObject } from "../../config";
import { cidr, dnsLabel, labelKey, uniqueBy } from "./common";

/** An EC2 instance type: family, a dot, size. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Graviton (ARM) families carry a `g` after their generation digit: m7g, c6gn, r7gd, g5g. */
export function isArmInstanceType(type: string): boolean {
  return /^[a-z]+\d+[a-z-]*g/.test(type.split(".")[0]);
}

// Descriptions (`.meta`) are what docs/reference/configuration.md says of each key (npm run docs).
const nodeGroupSchema = strictObject({
  name: dnsLabel.meta({ description: "Node group name, unique in the cluster." }),
  instanceTypes: z
    .array(z.string().regex(INSTANCE_TYPE, "must be an EC2 instance type such as m7i.large"))
    .min(1)
    .default(["m7i.large"])
    .meta({
      description:
        "EC2 instance types, most preferred first, all of the `amiType`'s architecture: Graviton types (`m7g`, `c7g`, ...) for the ARM AMIs, x86 types for the others.",
    }),
  capacityType: z
    .enum(["ON_DEMAND", "SPOT"])
    .default("ON_DEMAND")
    .meta({ description: "`ON_DEMAND` for system capacity; `SPOT` for interruptible workloads." }),
  amiType: z
    .enum(["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64"])
    .default("AL2023_x86_64_STANDARD")
    .meta({ description: "EKS-optimized AMI family: Amazon Linux 2023 or Bottlerocket, x86 or ARM." }),
  minSize: z.number().int().min(0).default(3).meta({
    description: "Fewest nodes; by default one per availability zone at least. `minSize <= desiredSize <= maxSize`.",
  }),
  desiredSize: z
    .number()
    .int()
    .min(0)
    .default(3)
    .meta({ description: "Nodes the group starts with, from `minSize` to `maxSize`." }),
  maxSize: z.number().int().min(1).default(6).meta({ description: "Most nodes the group scales to." }),
  diskSizeGiB: z
    .number()
    .int()
    .min(20)
    .max(16384)
    .default(50)
    .meta({ description: "Size in GiB (20 to 16384) of the encrypted gp3 root volume; Bottlerocket's data volume." }),
  labels: z
    .record(
      labelKey,
      z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value"),
    )
    .default({})
    .meta({ description: "Kubernetes labels set on every node of the group." }),
})
  // Each bound named at its own key, as EKS refuses either (UpdateNodegroupConfig, scalingConfig).
  .refine((g) => g.minSize <= g.desiredSize, {
    error: "is above desiredSize: needs minSize <= desiredSize <= maxSize",
    path: ["minSize"],
  })
  .refine((g) => g.desiredSize <= g.maxSize, {
    error: "is above maxSize: needs minSize <= desiredSize <= maxSize",
    path: ["desiredSize"],
  })
  // Only well-formed types are compared: a malformed one is already reported, once.
  .refine(
    (g) =>
      g.instanceTypes
        .filter((t) => INSTANCE_TYPE.test(t))
        .every((t) => isArmInstanceType(t) === g.amiType.includes("ARM")),
    {
      error:
        "instanceTypes must match the amiType's architecture: ARM AMIs need Graviton types (m7g, c7g, ...), x86 AMIs need x86 types",
      path: ["instanceTypes"],
    },
  );

const computeSchema = z.discriminatedUnion(
  "mode",
  [
    strictObject({
      mode: z.literal("managedNodeGroups").meta({
        description:
          "`managedNodeGroups` (EKS managed node groups, `nodeGroups`) or `autoMode` (EKS Auto Mode; Phoenix then declares no node groups or add-ons).",
      }),
      nodeGroups: z
        .array(nodeGroupSchema)
        .min(1)
        .superRefine(uniqueBy("name"))
        .default(() => [nodeGroupSchema.parse({ name: "system" })])
        .meta({
          description:
            'Managed node groups, each with its own name. Each group boots from its own launch template ("Hardening defaults").',
          default: "one `system` group: `m7i.large`, 3/3/6, on demand, AL2023, 50 GiB",
        }),
    }),
    strictObject({
      mode: z.literal("autoMode"),
      nodePools: z
        .array(z.enum(["general-purpose", "system"]))
        .min(1)
        .default(["general-purpose", "system"])
        .meta({ description: "Auto Mode's built-in node pools to enable." }),
    }),
  ],
  { error: 'mode must be "managedNodeGroups" (default) or "autoMode"' },
);

const accessEntrySchema = strictObject({
  principalArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/\S+$/,
      "must be an IAM role or user ARN (arn:<partition>:iam::<account>:role/<name>)",
    )
    .meta({
      description:
        "IAM role or user ARN that gets Kubernetes access. Not the role that runs Pulumi: EKS already gives the cluster creator an entry, and refuses a second one.",
    }),
  policy: z
    .enum(["cluster-admin", "admin", "edit", "view"])
    .meta({ description: "EKS access policy: `cluster-admin`, `admin`, `edit` or `view`." }),
  namespaces: z.array(dnsLabel).min(1).optional().meta({
    description:
      "Limits the policy to these namespaces; cluster-wide when absent. Not with `cluster-admin`, which is cluster-wide.",
  }),
}).refine((e) => !(e.policy === "cluster-admin" && e.namespaces), {
  error: "cluster-admin is cluster-wide: drop namespaces, or use admin/edit/view for namespace-scoped access",
});

const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export const clusterSchema = strictObject({
  name: z
    .string()
    .regex(
      /^[a-zA-Z][a-zA-Z0-9-]{0,99}$/,
      "must start with a letter and hold letters, digits and '-', at most 100 characters",
    )
    .optional()
    .meta({ description: "EKS cluster name.", default: "`phoenix-<stack>`" }),
  endpoint: strictObject({
    privateAccess: z.boolean().default(true).meta({
      description:
        "API server reachable from inside the VPC. `false` is refused unless `publicAccessCidrs` holds `0.0.0.0/0`, because the nodes would reach the API from NAT addresses that are not listed.",
    }),
    publicAccess: z
      .boolean()
      .default(false)
      .meta({ description: "API server reachable from the internet, only from `publicAccessCidrs`." }),
    publicAccessCidrs: z.array(cidr).default([]).meta({
      description:
        "The networks allowed to reach the public endpoint. Required when `publicAccess` is true, and an error when it is false; `0.0.0.0/0` is never implied.",
    }),
  })
    .prefault({})
    .refine((e) => e.privateAccess || e.publicAccess, {
      error: "at least one of privateAccess and publicAccess must be true",
    })
    .refine((e) => !e.publicAccess || e.publicAccessCidrs.length > 0, {
      error:
        "publicAccess: true needs publicAccessCidrs (the networks allowed to reach the API); list 0.0.0.0/0 explicitly if you really mean the whole internet",
      path: ["publicAccessCidrs"],
    })
    .refine((e) => e.privateAccess || !e.publicAccess || e.publicAccessCidrs.includes("0.0.0.0/0"), {
      // Nodes then reach the API through their NAT addresses, which are unknown until
      // apply and change when the VPC is rebuilt: they would not join.
      error:
        "privateAccess: false leaves the nodes only the public endpoint, which they reach from NAT addresses not in publicAccessCidrs: keep privateAccess: true",
      path: ["privateAccess"],
    })
    .refine((e) => e.publicAccess || e.publicAccessCidrs.length === 0, {
      error: "publicAccessCidrs is set but publicAccess is false: set publicAccess: true or drop the CIDRs",
      path: ["publicAccessCidrs"],
    }),
  deletionProtection: z
    .boolean()
    .default(true)
    .meta({ description: "EKS refuses to delete the control plane until you turn this off." }),
  logTypes: z
    .array(z.enum(LOG_TYPES))
    .min(1, { error: "list at least one log type; audit and authenticator logs are what an incident review needs" })
    .refine((l) => new Set(l).size === l.length, { error: "lists a log type twice" })
    .default([...LOG_TYPES])
    .meta({
      description:
        "Control-plane logs sent to CloudWatch. Fewer than all five is an advisory policy violation (printed, not fatal).",
    }),
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      error: `must be a retention CloudWatch accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(365)
    .meta({
      description: `Days CloudWatch keeps the control-plane logs, in \`/aws/eks/<cluster>/cluster\`, which Phoenix creates before the cluster. One of the periods CloudWatch accepts (${LOG_RETENTION_DAYS.join(", ")}).`,
    }),
  compute: computeSchema.prefault({ mode: "managedNodeGroups" }),
  accessEntries: z
    .array(accessEntrySchema)
    .default([])
    .meta({
      description: "Kubernetes access for IAM roles and users (EKS access entries), one per principal and policy.",
    })
    .superRefine((entries, ctx) => {
      // EKS holds one access entry per principal; the same policy twice would be ambiguous.
      const seen = new Set<string>();
      entries.forEach((e, i) => {
        const k = `${e.principalArn} ${e.policy}`;
        if (seen.has(k))
          ctx.addIssue({
            code: "custom",
            path: [i],
            message: `grants ${e.policy} to ${e.principalArn} a second time: merge the two entries`,
          });
        seen.add(k);
      });
    }),
}).prefault({});
