/**
 * Calling the pack's rules as `@pulumi/policy` does (`validateResource` / `validateStack`
 * with hand-built args): constructing a PolicyPack would start its gRPC server.
 */
import assert from "node:assert/strict";
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PhoenixPolicy } from "../../../policy/rules";

class NotApplicable extends Error {}

const base = {
  stackTags: new Map<string, string>(),
  getConfig: <T extends object>(): T => ({}) as T,
  notApplicable: (reason?: string): never => {
    throw new NotApplicable(reason);
  },
};

/** What a resource rule reports for one resource. */
export function resourceViolations(policy: PhoenixPolicy, type: string, props: Record<string, unknown>): string[] {
  const p = policy as ResourceValidationPolicy;
  assert.ok(p.validateResource, `${policy.name} is a resource policy`);
  const out: string[] = [];
  const report: ReportViolation = (m) => out.push(m);
  const args: ResourceValidationArgs = {
    ...base,
    type,
    props,
    urn: `urn:pulumi:test::phoenix::${type}::r`,
    name: "r",
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    isType: () => false,
    asType: () => undefined,
  };
  for (const v of [p.validateResource].flat()) void v?.(args, report);
  return out;
}

/** A stack resource for stack rules, with its dependencies. */
export function res(
  type: string,
  name: string,
  props: Record<string, unknown>,
  dependencies: PolicyResource[] = [],
  protect = false,
): PolicyResource {
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:test::phoenix::${type}::${name}`,
    opts: {
      protect,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies,
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

/** What a stack rule reports, or "not applicable". */
export function stackViolations(policy: PhoenixPolicy, resources: PolicyResource[]): string[] | "not applicable" {
  const p = policy as StackValidationPolicy;
  const out: string[] = [];
  const args: StackValidationArgs = { ...base, resources };
  try {
    void p.validateStack(args, (m) => out.push(m));
  } catch (err) {
    if (err instanceof NotApplicable) return "not applicable";
    throw err;
  }
  return out;
}
