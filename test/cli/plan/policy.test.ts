/**
 * The policy pack over the offline plan: the adapter hands the rules what
 * `@pulumi/policy` would (props, options, dependencies, notApplicable), prod's plans pass
 * every mandatory rule, and `phoenix plan` exits 1 on a mandatory violation with the plan
 * still written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import type { PlanDocument, PlanResource } from "../../../cli/plan/plan";
import { Planner } from "../../../cli/plan/planner";
import { evaluatePolicies, policyResources, renderVerdict } from "../../../cli/plan/policy";
import { projects } from "../../../cli/stacks/projects";
import { PHOENIX_POLICIES, type PhoenixPolicy } from "../../../policy/rules";
import { ROOT } from "../../helpers";
import { phoenix, repositoryCopy } from "../phoenix";

const resource = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PlanResource> = {},
): PlanResource => ({
  type,
  name,
  parent: null,
  layer: "stack",
  depth: 0,
  dependencies: [],
  inputs,
  ...extra,
});

describe("the adapter from plan resources to policy arguments", () => {
  const resources = [
    resource("aws:kms/key:Key", "k", {}),
    resource(
      "aws:s3/bucket:Bucket",
      "b",
      { tags: {} },
      { options: { protect: true }, dependencies: ["aws:kms/key:Key::k"], parent: "aws:kms/key:Key::k" },
    ),
  ];

  it("resolves dependencies and parents to the other resources, and keeps protect", () => {
    const [key, bucket] = policyResources({ resources });
    assert.equal(bucket.urn, "aws:s3/bucket:Bucket::b");
    assert.deepEqual(bucket.dependencies, [key]);
    assert.equal(bucket.parent, key);
    assert.deepEqual([bucket.opts.protect, key.opts.protect], [true, false]);
    assert.deepEqual(bucket.props, { tags: {} });
  });

  it("names each violation by rule, level and plan key; a rule that is not applicable reports nothing", async () => {
    const perResource: PhoenixPolicy = {
      name: "no-buckets",
      description: "a test rule",
      enforcementLevel: "advisory",
      validateResource: (args, report) => {
        if (args.type === "aws:s3/bucket:Bucket") report(`bucket ${args.name}`);
      },
    };
    const stack: PhoenixPolicy = {
      name: "never-applies",
      description: "a test rule",
      enforcementLevel: "mandatory",
      validateStack: (args) => args.notApplicable("nothing here"),
    };
    const verdict = await evaluatePolicies({ resources }, [perResource, stack]);
    assert.deepEqual(verdict, {
      passed: true,
      policies: ["no-buckets", "never-applies"],
      violations: [
        {
          policy: "no-buckets",
          enforcementLevel: "advisory",
          resource: "aws:s3/bucket:Bucket::b",
          message: "bucket b",
        },
      ],
    });
    assert.match(
      renderVerdict(verdict, "p/s"),
      /^Policy \(2 rules of policy\/\) on p\/s: 0 mandatory, 1 advisory violation\n {2}advisory {2}no-buckets: aws:s3\/bucket:Bucket::b: bucket b\n$/,
    );
  });
});

describe("prod's plans against the pack", () => {
  const plan = async (kind: "platform" | "storage"): Promise<PlanDocument> =>
    new Planner(ROOT).plan(projects(ROOT)[kind], { stack: "prod" });

  it("the platform stack passes every rule, mandatory and advisory", async () => {
    const doc = await plan("platform");
    assert.deepEqual(
      doc.policy?.policies,
      PHOENIX_POLICIES.map((p) => p.name),
    );
    assert.deepEqual(doc.policy?.violations, []);
    assert.equal(doc.policy?.passed, true);
  });

  it("the backup storage stack passes every mandatory rule: its buckets are encrypted, versioned, private, TLS-only, locked and protected", async () => {
    const doc = await plan("storage");
    assert.deepEqual(
      doc.policy?.violations.filter((v) => v.enforcementLevel === "mandatory"),
      [],
    );
    assert.equal(doc.policy?.passed, true);
  });
});

describe("phoenix plan and the verdict", () => {
  it("exits 1 on a mandatory violation, lists it, and still writes the plan with its verdict", async () => {
    const root = repositoryCopy();
    const file = path.join(root, "Pulumi.prod.yaml");
    const doc = parse(fs.readFileSync(file, "utf8")) as {
      config: Record<string, { endpoint: { publicAccessCidrs: string[] }; logTypes?: string[] }>;
    };
    doc.config["phoenix:cluster"].endpoint.publicAccessCidrs = ["0.0.0.0/0"];
    doc.config["phoenix:cluster"].logTypes = ["api", "audit", "authenticator"];
    fs.writeFileSync(file, stringify(doc));
    const out = path.join(root, "prod.json");
    const r = await phoenix(["plan", "--stack", "prod", "--out", out], root);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /Policy \(10 rules of policy\/\) on phoenix\/prod: 1 mandatory, 1 advisory violation/);
    assert.match(
      r.stdout,
      /MANDATORY eks-endpoint-not-world-open: eks:index:Cluster::phoenix-prod-eks: the public API endpoint is open to 0\.0\.0\.0\/0/,
    );
    assert.match(
      r.stdout,
      /advisory {2}eks-control-plane-logs: eks:index:Cluster::phoenix-prod-eks: control-plane log types off: controllerManager, scheduler/,
    );
    const written = JSON.parse(fs.readFileSync(out, "utf8")) as PlanDocument;
    assert.equal(written.policy?.passed, false);
    assert.deepEqual(
      written.policy?.violations.map((v) => [v.policy, v.enforcementLevel]),
      [
        ["eks-control-plane-logs", "advisory"],
        ["eks-endpoint-not-world-open", "mandatory"],
      ],
    );
  });

  it("exits 0 when only advisory rules are violated: they print only", async () => {
    const root = repositoryCopy();
    const file = path.join(root, "Pulumi.prod.yaml");
    const doc = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, { logTypes?: string[] }> };
    doc.config["phoenix:cluster"].logTypes = ["audit"];
    fs.writeFileSync(file, stringify(doc));
    const r = await phoenix(["plan", "--stack", "prod"], root);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /0 mandatory, 1 advisory violation\n {2}advisory {2}eks-control-plane-logs/);
  });
});
