/** Shared shape of every plugin's settings schema. */
import { z } from "zod";

/**
 * A strict settings object: an unknown key is an error that lists the keys allowed
 * there, so a misspelt setting never silently falls back to its default.
 */
export function strictSettings<T extends z.ZodRawShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}; allowed here: ${allowed || "none"}` : undefined,
  });
}

/** The shape of an AWS region code (area-direction-number), as `aws:region` takes it. */
export const REGION_CODE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** A Route 53 hosted zone a plugin may write records in. */
export const hostedZoneSchema = strictSettings({
  /** Hosted zone id, as Route 53 shows it (Z0123456789ABCDEFGHIJ). */
  id: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
  /** The zone's domain, such as example.com. */
  domain: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS domain such as example.com"),
});

/** A hosted zone from the stack file. */
export type HostedZone = z.output<typeof hostedZoneSchema>;
