/** Field types several sections of the platform's stack file share. */
import { z } from "zod";
import { strictObject } from "../../config";
import { parseCidr } from "../../../components/cluster/network";

/**
 * A list whose entries must differ in `field`: duplicates would collapse into one map
 * entry downstream (Helm values, Pulumi names) and silently change the plan.
 */
export function uniqueBy<T extends Record<string, unknown>>(field: keyof T & string, reserved: readonly string[] = []) {
  return (list: T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<unknown>();
    list.forEach((item, i) => {
      const v = item[field];
      if (reserved.includes(String(v))) {
        ctx.addIssue({
          code: "custom",
          path: [i, field],
          message: `"${String(v)}" is reserved by Phoenix: choose another ${field}`,
        });
      } else if (seen.has(v)) {
        ctx.addIssue({
          code: "custom",
          path: [i, field],
          message: `"${String(v)}" is used twice: each entry needs its own ${field}`,
        });
      }
      seen.add(v);
    });
  };
}

export const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label: lower-case letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit",
  );

export const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  error: "must be an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16 or 203.0.113.0/24",
});

/** A relative path inside a Git repository (no leading slash, no `..`). */
export const repoPath = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
    "must be a relative path inside the repository, such as clusters/eu-west-1",
  )
  .refine((p) => !p.split("/").includes(".."), { error: "must not contain '..'" });

export const gitUrl = z
  .string()
  .regex(
    /^(https:\/\/[^\s]+|ssh:\/\/[^\s]+|git@[^\s:]+:[^\s]+)$/,
    "must be an https://, ssh:// or git@host:org/repo Git URL (Argo CD clones it)",
  );

export const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a Kubernetes label key such as team or example.com/tier",
  );

/** A Kubernetes quantity such as 500m, 2, 4Gi. */
export const quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, "must be a Kubernetes quantity such as 500m, 2 or 4Gi");
export const cpuMemory = strictObject({
  cpu: quantity.optional().meta({ description: "CPU, a quantity such as `500m` or `2`." }),
  memory: quantity.optional().meta({ description: "Memory, a quantity such as `512Mi` or `4Gi`." }),
});
