/**
 * The policy pack's rules over an offline plan: one adapter turns the plan's resources
 * into the arguments `@pulumi/policy` hands a rule (`ResourceValidationArgs`,
 * `StackValidationArgs`), so the very code `pulumi preview --policy-pack policy` runs
 * gives a team without the Pulumi CLI the same verdict.
 */
import type {
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { PHOENIX_POLICIES, type PhoenixPolicy } from "../../policy/rules";
import type { PlanDocument, PlanResource } from "./plan";
import { resourceKey } from "./plan";
import type { PolicyVerdict, PolicyViolation } from "./verdict";

export type { PolicyVerdict, PolicyViolation } from "./verdict";

/** Thrown by `notApplicable`, as the engine's own policy host does: the rule stops, reporting nothing. */
class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/** A plan resource's options as the engine reports them to policies. */
function optionsOf(r: PlanResource): PolicyResourceOptions {
  return {
    protect: r.options?.protect === true,
    ignoreChanges: [...(r.options?.ignoreChanges ?? [])],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

/**
 * The plan's resources as policy resources: URNs are plan keys (`type::name`), props are
 * the recorded inputs (what a preview of a new stack shows), parents and dependencies
 * resolved to each other. `isType`/`asType` compare type tokens only.
 */
export function policyResources(doc: Pick<PlanDocument, "resources">): PolicyResource[] {
  const byKey = new Map<string, PolicyResource>();
  const typeOf = (cls: unknown): string | undefined => (cls as { __pulumiType?: string }).__pulumiType;
  for (const r of doc.resources) {
    const resource: PolicyResource = {
      type: r.type,
      props: r.inputs,
      urn: resourceKey(r),
      name: r.name,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeOf(cls) === r.type,
      asType: (cls) => (typeOf(cls) === r.type ? (r.inputs as never) : undefined),
    };
    byKey.set(resource.urn, resource);
  }
  for (const r of doc.resources) {
    const resource = byKey.get(resourceKey(r));
    if (!resource) continue;
    resource.dependencies = r.dependencies.map((d) => byKey.get(d)).filter((d): d is PolicyResource => d !== undefined);
    if (r.parent) resource.parent = byKey.get(r.parent);
  }
  return [...byKey.values()];
}

/** Runs one validation, collecting what it reports; a rule that is not applicable reports nothing. */
async function collect(
  run: (report: ReportViolation) => Promise<void> | void,
  policy: PhoenixPolicy,
  resource: string | undefined,
  out: PolicyViolation[],
): Promise<void> {
  const report: ReportViolation = (message, urn) =>
    out.push({
      policy: policy.name,
      enforcementLevel: policy.enforcementLevel,
      ...((urn ?? resource) ? { resource: urn ?? resource } : {}),
      message,
    });
  try {
    await run(report);
  } catch (err) {
    if (!(err instanceof NotApplicable)) throw err;
  }
}

/** Every rule over one plan. */
export async function evaluatePolicies(
  doc: Pick<PlanDocument, "resources">,
  policies: readonly PhoenixPolicy[] = PHOENIX_POLICIES,
): Promise<PolicyVerdict> {
  const resources = policyResources(doc);
  const common = {
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>(): T => ({}) as T,
    notApplicable,
  };
  const violations: PolicyViolation[] = [];
  for (const policy of policies) {
    if ("validateStack" in policy) {
      const args: StackValidationArgs = { ...common, resources };
      await collect((report) => policy.validateStack(args, report), policy, undefined, violations);
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const r of resources) {
      const args: ResourceValidationArgs = {
        ...common,
        type: r.type,
        props: r.props,
        urn: r.urn,
        name: r.name,
        opts: r.opts,
        isType: (cls) => r.isType(cls),
        asType: (cls) => r.asType(cls) as never,
      };
      for (const validate of validations)
        await collect((report) => validate(args, (message) => report(message)), policy, r.urn, violations);
    }
  }
  return {
    passed: !violations.some((v) => v.enforcementLevel === "mandatory"),
    policies: policies.map((p) => p.name),
    violations,
  };
}

/** The verdict as text: one line a violation, mandatory first. */
export function renderVerdict(verdict: PolicyVerdict, title: string): string {
  const order = [...verdict.violations].sort((a, b) =>
    a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1,
  );
  const mandatory = verdict.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const head = `Policy (${verdict.policies.length} rules of policy/) on ${title}: ${
    verdict.violations.length === 0
      ? "every rule passes"
      : `${mandatory} mandatory, ${verdict.violations.length - mandatory} advisory violation${verdict.violations.length === 1 ? "" : "s"}`
  }`;
  return (
    [
      head,
      ...order.map(
        (v) =>
          `  ${v.enforcementLevel === "mandatory" ? "MANDATORY" : "advisory "} ${v.policy}: ${v.resource ? `${v.resource}: ` : ""}${v.message}`,
      ),
    ].join("\n") + "\n"
  );
}
