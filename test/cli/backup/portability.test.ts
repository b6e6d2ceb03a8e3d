/** What in a backup is bound to its region or cluster, and the modifiers that carry a restore across (pure). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyRewrites,
  checkPortability,
  jsonPatchValue,
  portabilityModifierRules,
  type PortabilityTarget,
} from "../../../cli/backup/portability";
import { obj } from "../recovery/fixtures";

const ns = "payments-ledger";
const target: PortabilityTarget = {
  sourceRegion: "eu-west-1",
  targetRegion: "eu-central-1",
  storageClasses: ["gp3-encrypted"],
  defaultStorageClass: "gp3-encrypted",
};
const ecr = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ledger:1.4";

/** One object of each region- or cluster-bound kind a production namespace holds. */
function boundObjects() {
  return [
    obj("apps/v1", "Deployment", "deployments.apps", ns, "api", {
      spec: {
        template: {
          spec: {
            nodeSelector: { "topology.kubernetes.io/zone": "eu-west-1a" },
            containers: [
              {
                name: "api",
                image: ecr,
                env: [{ name: "QUEUE", value: "arn:aws:sqs:eu-west-1:111122223333:ledger-events" }],
              },
            ],
            initContainers: [{ name: "migrate", image: "postgres:17" }],
          },
        },
      },
    }),
    obj("v1", "ConfigMap", "configmaps", ns, "aws", {
      data: {
        "config.json":
          '{"key": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", "mrk": "arn:aws:kms:eu-west-1:111122223333:key/mrk-42", "sqs": "https://sqs.eu-west-1.amazonaws.com/111122223333/q"}',
      },
    }),
    obj("v1", "ServiceAccount", "serviceaccounts", ns, "api", {
      metadata: {
        name: "api",
        namespace: ns,
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/ledger-api" },
      },
    }),
    obj("v1", "Service", "services", ns, "public", {
      metadata: {
        name: "public",
        namespace: ns,
        annotations: {
          "service.beta.kubernetes.io/aws-load-balancer-subnets": "subnet-0a,subnet-0b",
          "service.beta.kubernetes.io/aws-load-balancer-security-groups": "sg-0c",
        },
      },
    }),
    obj("v1", "PersistentVolumeClaim", "persistentvolumeclaims", ns, "data", { spec: { storageClassName: "gp2" } }),
    obj("v1", "Secret", "secrets", ns, "creds", {
      data: { arn: Buffer.from("arn:aws:kms:eu-west-1:111122223333:key/x").toString("base64") },
      stringData: { arn: "arn:aws:kms:eu-west-1:111122223333:key/x" },
    }),
    obj("v1", "ConfigMap", "configmaps", "elsewhere", "ignored", {
      data: { a: "arn:aws:sqs:eu-west-1:111122223333:q" },
    }),
  ];
}

describe("checkPortability", () => {
  const c = checkPortability(boundObjects(), [ns], target);
  const ref = (kind: string, path: string) => c.references.filter((r) => r.kind === kind && r.path === path);

  it("rewrites the ECR registry, the zone and a same-name ARN into the target region", () => {
    assert.deepEqual(
      ref("Deployment", "/spec/template/spec/containers/0/image").map((r) => [r.category, r.action, r.to]),
      [["ecr-image", "rewrite", "111122223333.dkr.ecr.eu-central-1.amazonaws.com"]],
    );
    assert.deepEqual(
      ref("Deployment", "/spec/template/spec/nodeSelector/topology.kubernetes.io~1zone").map((r) => [r.category, r.to]),
      [["zone", "eu-central-1a"]],
    );
    assert.deepEqual(
      ref("Deployment", "/spec/template/spec/containers/0/env/0/value").map((r) => [r.category, r.action, r.to]),
      [["arn", "rewrite", "arn:aws:sqs:eu-central-1:111122223333:ledger-events"]],
    );
    assert.equal(
      ref("Deployment", "/spec/template/spec/initContainers/0/image").length,
      0,
      "a public image is portable",
    );
  });

  it("stops at a single-region KMS key, rewrites a multi-region one and a regional endpoint, all in one ConfigMap value", () => {
    const found = ref("ConfigMap", "/data/config.json");
    assert.deepEqual(
      found.map((r) => `${r.category} ${r.action}`),
      ["arn stop", "arn rewrite", "endpoint rewrite"],
    );
    const rewrite = c.rewrites.find((r) => r.kind === "ConfigMap" && r.name === "aws");
    assert.match(
      rewrite?.to ?? "",
      /key\/1234abcd.*eu-central-1:111122223333:key\/mrk-42.*sqs\.eu-central-1\.amazonaws\.com/,
    );
    assert.match(
      rewrite?.to ?? "",
      /kms:eu-west-1:111122223333:key\/1234abcd/,
      "the key nothing maps is left as it was",
    );
  });

  it("stops at IRSA, security groups and Elastic IPs; removes subnet annotations; moves a missing storage class to the default", () => {
    assert.deepEqual(
      ref("ServiceAccount", "/metadata/annotations/eks.amazonaws.com~1role-arn").map((r) => r.action),
      ["stop"],
    );
    assert.deepEqual(
      ref("Service", "/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-subnets").map(
        (r) => r.action,
      ),
      ["remove"],
    );
    assert.deepEqual(
      ref("Service", "/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-security-groups").map(
        (r) => r.action,
      ),
      ["stop"],
    );
    assert.deepEqual(
      ref("PersistentVolumeClaim", "/spec/storageClassName").map((r) => [r.action, r.to]),
      [["rewrite", "gp3-encrypted"]],
    );
    assert.deepEqual(c.unresolved.map((r) => r.kind).sort(), ["ConfigMap", "Service", "ServiceAccount"]);
  });

  it("never reads a Secret's values, nor namespaces outside the restore", () => {
    assert.equal(c.references.filter((r) => r.kind === "Secret" || r.namespace === "elsewhere").length, 0);
    assert.ok(c.notes.some((n) => /Secret values are not read/.test(n)));
  });

  it("in the same region only cluster-bound references remain; unknown storage classes are said to be unchecked", () => {
    const same = checkPortability(boundObjects(), [ns], { sourceRegion: "eu-west-1", targetRegion: "eu-west-1" });
    assert.deepEqual([...new Set(same.references.map((r) => r.category))].sort(), ["irsa", "load-balancer"]);
    assert.ok(same.notes.some((n) => /Storage classes not checked/.test(n)));
  });

  it("stops at a class the target lacks when it has no default", () => {
    const noDefault = checkPortability(boundObjects(), [ns], { ...target, defaultStorageClass: undefined });
    assert.equal(noDefault.unresolved.filter((r) => r.category === "storage-class").length, 1);
  });
});

describe("portabilityModifierRules", () => {
  const c = checkPortability(boundObjects(), [ns], target);
  const rules = portabilityModifierRules(c.rewrites) as {
    conditions: { groupResource: string; namespaces?: string[]; resourceNameRegex: string };
    patches?: { operation: string; path: string; value?: string }[];
    mergePatches?: { patchData: string }[];
  }[];

  it("one JSON patch rule for fields inside arrays and one merge patch rule for the rest, on the object's exact name", () => {
    const deployment = rules.filter((r) => r.conditions.groupResource === "deployments.apps");
    assert.deepEqual(
      deployment.map((r) => Object.keys(r).sort().join(",")),
      ["conditions,mergePatches", "conditions,patches"],
    );
    assert.deepEqual(deployment[0].conditions, {
      groupResource: "deployments.apps",
      namespaces: [ns],
      resourceNameRegex: "^api$",
    });
    assert.deepEqual(JSON.parse(deployment[0].mergePatches?.[0].patchData ?? "{}"), {
      spec: { template: { spec: { nodeSelector: { "topology.kubernetes.io/zone": "eu-central-1a" } } } },
    });
    assert.deepEqual(deployment[1].patches, [
      {
        operation: "replace",
        path: "/spec/template/spec/containers/0/image",
        value: '"111122223333.dkr.ecr.eu-central-1.amazonaws.com/ledger:1.4"',
      },
      {
        operation: "replace",
        path: "/spec/template/spec/containers/0/env/0/value",
        value: '"arn:aws:sqs:eu-central-1:111122223333:ledger-events"',
      },
    ]);
  });

  it("removes an annotation with a merge patch null, and carries a value with quotes in a merge patch, encoded", () => {
    const svc = rules.find((r) => r.conditions.groupResource === "services");
    assert.deepEqual(JSON.parse(svc?.mergePatches?.[0].patchData ?? "{}"), {
      metadata: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-subnets": null } },
    });
    const cm = rules.find((r) => r.conditions.groupResource === "configmaps");
    const patch = JSON.parse(cm?.mergePatches?.[0].patchData ?? "{}") as { data: Record<string, string> };
    assert.match(patch.data["config.json"], /"mrk": "arn:aws:kms:eu-central-1/);
  });

  it("always quotes, so Velero keeps a string that looks like a number, Inf, NaN, a boolean, null or JSON, and refuses what it cannot carry", () => {
    assert.deepEqual(["eu-central-1a", "42", "Infinity", "nan", "true", "null", "{x}", ""].map(jsonPatchValue), [
      '"eu-central-1a"',
      '"42"',
      '"Infinity"',
      '"nan"',
      '"true"',
      '"null"',
      '"{x}"',
      '""',
    ]);
    assert.equal(jsonPatchValue('say "hi"'), undefined);
    assert.throws(
      () =>
        portabilityModifierRules([
          { resource: "pods", kind: "Pod", namespace: ns, name: "p", path: "/spec/containers/0/args/0", to: 'b "c"' },
        ]),
      /quotes or control characters/,
    );
  });
});

describe("what the region decides, exactly", () => {
  const one = (value: string, path: "array" | "field" = "field") =>
    checkPortability(
      [
        obj(
          "v1",
          "ConfigMap",
          "configmaps",
          ns,
          "c",
          path === "field" ? { data: { v: value } } : { spec: { args: [value] } },
        ),
      ],
      [ns],
      target,
    ).references;

  it("rewrites only the region of an endpoint's host, not a bucket named after the region", () => {
    assert.deepEqual(
      one("https://logs-eu-west-1.s3.eu-west-1.amazonaws.com/x").map((r) => r.to),
      ["logs-eu-west-1.s3.eu-central-1.amazonaws.com"],
    );
  });

  it("maps zones a to c letter for letter, stops at another, and rewrites the bare region", () => {
    assert.deepEqual(
      one("eu-west-1c").map((r) => [r.action, r.to]),
      [["rewrite", "eu-central-1c"]],
    );
    assert.deepEqual(
      one("eu-west-1f").map((r) => r.action),
      ["stop"],
    );
    assert.deepEqual(
      one("eu-west-1").map((r) => [r.action, r.to]),
      [["rewrite", "eu-central-1"]],
    );
  });

  it("stops, at check time, at a rewrite inside an array that Velero's JSON patch cannot carry", () => {
    const c = checkPortability(
      [
        obj("v1", "Pod", "pods", ns, "p", {
          spec: {
            containers: [{ name: "a", args: ["aws s3 ls --endpoint https://s3.eu-west-1.amazonaws.com\nexit 0"] }],
          },
        }),
      ],
      [ns],
      target,
    );
    assert.deepEqual(
      c.unresolved.map((r) => r.why.slice(0, 40)),
      ["the rewritten value has quotes, backslas"],
    );
    assert.deepEqual(c.rewrites, []);
    assert.doesNotThrow(() => portabilityModifierRules(c.rewrites));
  });
});

describe("applyRewrites", () => {
  it("gives the objects as the restore brings them back, the backup's own untouched", () => {
    const objects = boundObjects();
    const c = checkPortability(objects, [ns], target);
    const after = applyRewrites(objects, c.rewrites);
    const deployment = after.find((o) => o.kind === "Deployment")?.object as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    assert.equal(
      deployment.spec.template.spec.containers[0].image,
      "111122223333.dkr.ecr.eu-central-1.amazonaws.com/ledger:1.4",
    );
    const svc = after.find((o) => o.kind === "Service")?.object as {
      metadata: { annotations: Record<string, string> };
    };
    assert.deepEqual(Object.keys(svc.metadata.annotations), [
      "service.beta.kubernetes.io/aws-load-balancer-security-groups",
    ]);
    assert.equal(
      (objects.find((o) => o.kind === "Deployment")?.object as typeof deployment).spec.template.spec.containers[0]
        .image,
      ecr,
    );
  });
});
