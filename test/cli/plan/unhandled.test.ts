/**
 * The offline run fails, instead of waiting forever, when a registration's inputs fail
 * (an `apply` that throws) and another resource depends on that one: Pulumi's SDK rejects
 * only the failing registration's own promise, unhandled, and its dependents never
 * register. A real program fails on the first unhandled rejection; so does the offline run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { evaluateOffline } from "../../../cli/plan/runtime";

class Thing extends pulumi.CustomResource {
  constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, args, opts);
  }
}

class Layer extends pulumi.ComponentResource {
  constructor(name: string, input: pulumi.Input<number>, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Layer", name, {}, opts);
    new Thing(`${name}-thing`, { value: input }, { parent: this });
    this.registerOutputs({});
  }
}

const run = { project: "p", stack: "s", config: { "aws:region": "eu-west-1" } };

/**
 * Runs `fn` with the test runner's own unhandled-rejection listeners set aside (they
 * would fail the test on the rejections this test provokes on purpose), until the
 * program's last registrations have failed too.
 */
async function provoking<T>(fn: () => Promise<T>): Promise<T> {
  const listeners = process.listeners("unhandledRejection");
  listeners.forEach((l) => process.off("unhandledRejection", l));
  try {
    return await fn();
  } finally {
    await new Promise((r) => setTimeout(r, 100));
    listeners.forEach((l) => process.on("unhandledRejection", l));
  }
}

describe("evaluateOffline and a registration that fails", () => {
  it("rejects with the failure when something depends on the failed resource, and the next run works", async () => {
    const bad = pulumi.output(1).apply((): number => {
      throw new Error("the schedule outlives the lock");
    });
    const started = Date.now();
    await provoking(() =>
      assert.rejects(
        evaluateOffline(run, () => {
          const layer = new Layer("plugins", bad);
          // Depends on every resource of the layer, as the teardown marker does.
          new Layer("marker", 1, { dependsOn: [layer] });
        }),
        /the schedule outlives the lock/,
      ),
    );
    assert.ok(Date.now() - started < 10_000);

    const ok = await evaluateOffline(run, () => {
      const layer = new Layer("plugins", 1);
      new Layer("marker", 2, { dependsOn: [layer] });
    });
    assert.deepEqual(ok.resources.map((r) => r.name).sort(), ["marker", "marker-thing", "plugins", "plugins-thing"]);
  });
});
