/**
 * The teardown marker's delete hook. Hooks never run under Pulumi's mocks, so its
 * function is called here the way the engine calls it: with the marker's old outputs,
 * secrets as secret Outputs. In the first test those outputs are the very ones the
 * `Teardown` component registered under the mock runtime; the hook then drives the real
 * Kubernetes adapter against the local API stand-in, and a scripted AWS.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { evaluateOffline } from "../../../cli/plan/runtime";
import {
  openTeardownKube,
  Teardown,
  teardownHookCallback,
  TEARDOWN_TYPE,
  type TeardownHookDeps,
} from "../../../components/teardown";
import { fakeKubeApi, ScriptedAws, type FakeKubeApi, type FakeObject } from "./fakes";

const URN = `urn:pulumi:prod::phoenix::${TEARDOWN_TYPE}::teardown`;
const hookArgs = (oldOutputs: Record<string, unknown>): pulumi.ResourceHookArgs => ({
  urn: URN,
  id: "",
  name: "teardown",
  type: TEARDOWN_TYPE,
  oldOutputs,
});

/** Deps that open the real Kubernetes adapter and a scripted AWS, recording what they were given. */
function deps(
  aws: ScriptedAws,
): TeardownHookDeps & { opened: { kubeconfig?: string; region?: string }; lines: string[] } {
  const opened: { kubeconfig?: string; region?: string } = {};
  const lines: string[] = [];
  return {
    opened,
    lines,
    openKube: (kubeconfig) => {
      opened.kubeconfig = kubeconfig;
      return openTeardownKube(kubeconfig);
    },
    openAws: (region) => {
      opened.region = region;
      return aws;
    },
    log: (line) => void lines.push(line),
  };
}

/** Outputs as the engine hands them to a hook: deserialized, top-level secrets as secret Outputs. */
function asHookOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => {
      const secret =
        typeof v === "object" &&
        v !== null &&
        (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
      return [k, secret ? pulumi.secret((v as { value: unknown }).value) : v];
    }),
  );
}

/** An Argo CD root Application and a LoadBalancer Service. */
const CLUSTER: FakeObject[] = [
  { kind: "Application", namespace: "argocd", name: "root", finalizers: ["resources-finalizer.argocd.argoproj.io"] },
  {
    kind: "Service",
    namespace: "storefront",
    name: "web",
    type: "LoadBalancer",
    finalizers: ["service.k8s.aws/resources"],
  },
];

async function withApi<T>(
  objects: readonly FakeObject[],
  fn: (api: FakeKubeApi, events: string[]) => Promise<T>,
): Promise<T> {
  const events: string[] = [];
  const api = await fakeKubeApi(objects, { events });
  try {
    return await fn(api, events);
  } finally {
    await api.close();
  }
}

describe("the teardown marker's beforeDelete hook", () => {
  it("reads what the marker registered (the kubeconfig a secret) and releases the cluster's resources", async () => {
    await withApi(CLUSTER, async (api, events) => {
      const aws = new ScriptedAws(
        {
          loadBalancers: [
            {
              item: {
                kind: "network",
                name: "k8s-storefront-web",
                id: "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/k8s-storefront-web/1",
              },
              looks: 1,
            },
          ],
        },
        events,
      );
      const d = deps(aws);
      let registered: Record<string, unknown> | undefined;
      let marker: Teardown | undefined;
      const { resources } = await evaluateOffline(
        { project: "phoenix", stack: "prod", config: { "aws:region": "eu-west-1" } },
        () => {
          // The mock monitor keeps what a component registers as its outputs: catch it on the way.
          const monitor = pulumi.runtime.getMonitor() as unknown as {
            registerResourceOutputs(
              req: { getOutputs(): Parameters<typeof pulumi.runtime.deserializeProperties>[0] },
              cb: unknown,
            ): void;
          };
          const original = monitor.registerResourceOutputs.bind(monitor);
          monitor.registerResourceOutputs = (req, cb) => {
            registered = pulumi.runtime.deserializeProperties(req.getOutputs(), true);
            original(req, cb);
          };
          marker = new Teardown(
            "teardown",
            {
              clusterName: "phoenix-prod",
              region: "eu-west-1",
              vpcId: pulumi.output("vpc-0abc"),
              kubeconfig: pulumi.output(api.kubeconfig()),
              pollSeconds: 0.01,
              timeoutSeconds: 5,
            },
            {},
            d,
          );
        },
      );
      const recorded = resources.find((r) => r.type === TEARDOWN_TYPE);
      assert.deepEqual(recorded?.hooks, { beforeDelete: ["teardown-release-cluster-resources"] });
      assert.equal(marker?.hook.name, "teardown-release-cluster-resources");
      assert.ok(registered, "the marker registered its outputs");
      assert.equal(
        (registered.kubeconfig as Record<string, unknown>)[pulumi.runtime.specialSigKey],
        pulumi.runtime.specialSecretSig,
        "the kubeconfig is stored as a secret",
      );

      await marker.hook.callback(hookArgs(asHookOutputs(registered)));
      assert.equal(d.opened.kubeconfig, api.kubeconfig());
      assert.equal(d.opened.region, "eu-west-1");
      assert.deepEqual(aws.targets[0], { clusterName: "phoenix-prod", region: "eu-west-1", vpcId: "vpc-0abc" });
      assert.deepEqual(api.objects(), []);
      assert.deepEqual(
        events.filter((e) => e.startsWith("kube delete")),
        ["kube delete Application argocd/root", "kube delete Service storefront/web"],
      );
      assert.match(
        d.lines[d.lines.length - 1],
        /^released what the cluster made in AWS in \d+s: applications 1, traffic 1, load-balancers 1, network-interfaces 0, security-groups 0$/,
      );
    });
  });

  it("returns only once every line it logged has reached the engine, failing or not", async () => {
    // Pulumi's log sends each line over RPC; the engine deletes on as soon as the hook returns.
    const delivered: string[] = [];
    const slowLog = (line: string): Promise<void> =>
      new Promise((resolve) =>
        setTimeout(() => {
          delivered.push(line);
          resolve();
        }, 20),
      );
    const hook = teardownHookCallback({ ...deps(new ScriptedAws({}, [])), log: slowLog });
    await assert.rejects(hook(hookArgs({ clusterName: "phoenix-prod", region: "eu-west-1" })));
    assert.deepEqual(delivered, [], "nothing logged before the refusal");
    await withApi([], async (api, events) => {
      const ok = teardownHookCallback({ ...deps(new ScriptedAws({}, events)), log: slowLog });
      await ok(
        hookArgs({
          clusterName: "phoenix-prod",
          region: "eu-west-1",
          vpcId: "vpc-0abc",
          kubeconfig: api.kubeconfig(),
          pollSeconds: 0.01,
        }),
      );
      assert.match(delivered[delivered.length - 1] ?? "", /^released what the cluster made in AWS/);
    });
  });

  it("refuses a marker state without a kubeconfig, naming the marker and how to skip it", async () => {
    const hook = teardownHookCallback(deps(new ScriptedAws({}, [])));
    await assert.rejects(hook(hookArgs({ clusterName: "phoenix-prod", region: "eu-west-1" })), (err: Error) => {
      assert.equal(
        err.message,
        `teardown marker ${URN} has no kubeconfig in its state; run \`pulumi up\` once to record them, or to skip the teardown and delete load balancers by hand instead: pulumi state delete '${URN}'`,
      );
      return true;
    });
  });

  it("stops the destroy with the teardown's own error when something remains", async () => {
    // Nothing in the cluster: the short timeout runs out on the load balancer, however loaded the machine.
    await withApi([], async (api, events) => {
      const aws = new ScriptedAws(
        { loadBalancers: [{ item: { kind: "classic", name: "a1b2c3", id: "a1b2c3" }, looks: Infinity }] },
        events,
      );
      const hook = teardownHookCallback(deps(aws));
      const outputs = {
        clusterName: "phoenix-prod",
        region: "eu-west-1",
        vpcId: "vpc-0abc",
        kubeconfig: pulumi.secret(api.kubeconfig()),
        pollSeconds: 0.01,
        timeoutSeconds: 0.3,
      };
      await assert.rejects(hook(hookArgs(outputs)), (err: Error) => {
        assert.match(
          err.message,
          /still there after \d+s \(timeout 0\.3s\).*classic load balancer a1b2c3\. Delete by hand, then run the destroy again: aws elb delete-load-balancer --region eu-west-1 --load-balancer-name a1b2c3/,
        );
        assert.ok(
          err.message.endsWith(
            `(the destroy stopped before deleting anything the teardown needs: fix this and run it again; to skip the teardown and delete load balancers by hand instead: pulumi state delete '${URN}')`,
          ),
          err.message,
        );
        return true;
      });
    });
  });
});
