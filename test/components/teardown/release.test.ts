/**
 * releaseClusterResources with the real `@kubernetes/client-node` adapter against a local
 * Kubernetes API stand-in, and a scripted AWS: the order of the four phases, what each
 * deletes and awaits, a Gateway API (or Argo CD) that is not installed, an empty
 * cluster, a timeout that names what is left and how to delete it, and an abort.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ARGOCD_CASCADE_FINALIZER,
  interfaceOwner,
  isClusterOwned,
  isLoadBalancerInterface,
  isLoadBalancerSecurityGroup,
  openTeardownKube,
  releaseClusterResources,
  TeardownAbortedError,
  TeardownTimeoutError,
  type AwsLoadBalancer,
  type TeardownOptions,
  type TeardownTarget,
} from "../../../components/teardown";
import { toKubeItem } from "../../../components/teardown/kube";
import { fakeKubeApi, ScriptedAws, type FakeObject } from "./fakes";

const TARGET: TeardownTarget = { clusterName: "phoenix-prod", region: "eu-west-1", vpcId: "vpc-0abc" };
const FAST: TeardownOptions = { pollSeconds: 0.01, timeoutSeconds: 5 };
const ALB: AwsLoadBalancer = {
  kind: "application",
  name: "k8s-storefront-web-1a2b3c",
  id: "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-storefront-web-1a2b3c/50dc6c495c0c9188",
};
const CLB: AwsLoadBalancer = { kind: "classic", name: "a1b2c3d4e5f6", id: "a1b2c3d4e5f6" };

/** A cluster with two Applications (one without the cascade finalizer), an ApplicationSet, and every kind of traffic object. */
const CLUSTER: FakeObject[] = [
  { kind: "ApplicationSet", namespace: "argocd", name: "previews" },
  { kind: "Application", namespace: "argocd", name: "root", finalizers: [ARGOCD_CASCADE_FINALIZER], settleAfter: 2 },
  // No finalizer: deleted as is, Argo CD would leave its Service (and load balancer) behind.
  {
    kind: "Application",
    namespace: "argocd",
    name: "storefront",
    manages: [{ kind: "Service", namespace: "storefront", name: "web" }],
  },
  {
    kind: "Service",
    namespace: "storefront",
    name: "web",
    type: "LoadBalancer",
    finalizers: ["service.k8s.aws/resources"],
  },
  {
    kind: "Service",
    namespace: "payments-ledger",
    name: "ledger-lb",
    type: "LoadBalancer",
    finalizers: ["service.kubernetes.io/load-balancer-cleanup"],
    settleAfter: 2,
  },
  { kind: "Service", namespace: "payments-ledger", name: "ledger", type: "ClusterIP" },
  { kind: "Service", namespace: "default", name: "kubernetes", type: "ClusterIP" },
  { kind: "Ingress", namespace: "ml-models", name: "api", finalizers: ["ingress.k8s.aws/resources"] },
  { kind: "Gateway", namespace: "ml-models", name: "edge", finalizers: ["gateway.k8s.aws/resources"] },
];

async function withApi<T>(
  objects: readonly FakeObject[],
  opts: Parameters<typeof fakeKubeApi>[1],
  fn: (api: Awaited<ReturnType<typeof fakeKubeApi>>, events: string[]) => Promise<T>,
): Promise<T> {
  const events: string[] = [];
  const api = await fakeKubeApi(objects, { ...opts, events });
  try {
    return await fn(api, events);
  } finally {
    await api.close();
  }
}

const index = (events: readonly string[], pattern: RegExp, last = false): number => {
  const hits = events.map((e, i) => (pattern.test(e) ? i : -1)).filter((i) => i >= 0);
  assert.ok(hits.length > 0, `no event matches ${pattern}:\n${events.join("\n")}`);
  return last ? hits[hits.length - 1] : hits[0];
};

describe("releaseClusterResources", () => {
  it("deletes Applications with their resources, then traffic objects, then awaits load balancers, their network interfaces, then deletes their leftover security groups, in that order", async () => {
    await withApi(CLUSTER, { pageSize: 2 }, async (api, events) => {
      const aws = new ScriptedAws(
        {
          loadBalancers: [
            { item: ALB, looks: 2 },
            { item: CLB, looks: 1 },
          ],
          interfaces: [
            { item: { id: "eni-0a1", description: "ELB app/k8s-storefront-web-1a2b3c/50dc6c495c0c9188" }, looks: 2 },
          ],
          // Forgotten by its controller, and still referred to on the first try.
          securityGroups: [
            { item: { id: "sg-0b1", name: "k8s-traffic-phoenixprod-1a2b3c" }, looks: Infinity, refusals: 1 },
          ],
        },
        events,
      );
      const lines: string[] = [];
      const kube = await openTeardownKube(api.kubeconfig());
      const summary = await releaseClusterResources(TARGET, kube, aws, { ...FAST, progress: (l) => lines.push(l) });

      // The order, across Kubernetes and AWS.
      const lastApp = index(events, /^kube delete Application /, true);
      assert.ok(
        index(events, /^kube patch Application argocd\/storefront/) < index(events, /^kube delete ApplicationSet/),
        "the cascade finalizer before anything is deleted",
      );
      assert.ok(
        index(events, /^kube delete ApplicationSet/) < index(events, /^kube delete Application /),
        "ApplicationSets before the Applications they would make again",
      );
      assert.ok(
        lastApp < index(events, /^kube delete (Service|Ingress|Gateway) /),
        "Applications before traffic objects",
      );
      assert.ok(
        index(events, /^argocd deletes Service storefront\/web/) <
          index(events, /^kube delete (Service|Ingress|Gateway) /),
        "Applications were awaited until gone",
      );
      assert.ok(
        index(events, /^kube delete (Service|Ingress|Gateway) /, true) < index(events, /^aws load balancers/),
        "traffic objects before load balancers",
      );
      assert.ok(
        index(events, /^aws load balancers: none$/) < index(events, /^aws interfaces/),
        "load balancers gone before interfaces are awaited",
      );
      assert.ok(
        index(events, /^aws interfaces in vpc-0abc: none$/) <
          index(events, /^aws (security groups|delete security group)/),
        "interfaces released before security groups are deleted",
      );
      assert.match(events[events.length - 1], /^aws security groups in vpc-0abc: none$/);

      // What each phase did.
      const phase = (name: string) => summary.phases.find((p) => p.phase === name) ?? assert.fail(name);
      assert.deepEqual(
        summary.phases.map((p) => p.phase),
        ["applications", "traffic", "load-balancers", "network-interfaces", "security-groups"],
      );
      assert.deepEqual(phase("applications").deleted, [
        "ApplicationSet argocd/previews",
        "Application argocd/root",
        "Application argocd/storefront",
      ]);
      assert.deepEqual(
        [...phase("traffic").deleted].sort(),
        ["Gateway ml-models/edge", "Ingress ml-models/api", "Service payments-ledger/ledger-lb"],
        "the Service Argo CD deleted is not deleted again; ClusterIP Services are left alone",
      );
      assert.deepEqual(phase("load-balancers").awaited, [
        "application load balancer k8s-storefront-web-1a2b3c",
        "classic load balancer a1b2c3d4e5f6",
      ]);
      assert.deepEqual(phase("network-interfaces").awaited, [
        "network interface eni-0a1 (app/k8s-storefront-web-1a2b3c/50dc6c495c0c9188)",
      ]);
      assert.deepEqual(phase("security-groups").deleted, ["security group sg-0b1 (k8s-traffic-phoenixprod-1a2b3c)"]);
      assert.deepEqual(
        events.filter((e) => e.startsWith("aws delete security group")),
        ["aws delete security group sg-0b1: in use", "aws delete security group sg-0b1: deleted"],
      );
      assert.deepEqual(api.objects(), ["Service payments-ledger/ledger", "Service default/kubernetes"]);
      assert.deepEqual(aws.targets[0], TARGET);
      assert.ok(summary.seconds >= 0 && summary.phases.every((p) => p.seconds >= 0));

      // The real client paged its lists and sent the merge patch the server accepts.
      assert.ok(
        api.requests.some((r) => r.startsWith("GET /api/v1/services?") && r.includes("continue=2")),
        api.requests.join("\n"),
      );
      assert.ok(api.requests.includes("PATCH /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/storefront"));
      assert.ok(
        !api.requests.some((r) => r.startsWith("PATCH /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/root")),
        "an Application with the finalizer is not patched",
      );
      assert.ok(
        lines.some((l) =>
          /^deleting Argo CD Applications with their resources of cluster phoenix-prod \(eu-west-1, vpc-0abc\)$/.test(
            l,
          ),
        ),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) =>
          l.includes(
            "waiting for 2: application load balancer k8s-storefront-web-1a2b3c, classic load balancer a1b2c3d4e5f6",
          ),
        ),
        lines.join("\n"),
      );
    });
  });

  it("treats a Gateway API (and Argo CD) that is not served as nothing to delete, and says so", async () => {
    const objects = CLUSTER.filter((o) => o.kind === "Service" || o.kind === "Ingress");
    await withApi(objects, { absent: ["Gateway", "Application", "ApplicationSet"] }, async (api, events) => {
      const summary = await releaseClusterResources(
        TARGET,
        await openTeardownKube(api.kubeconfig()),
        new ScriptedAws({}, events),
        FAST,
      );
      assert.deepEqual(summary.phases[0].notes, [
        "Application: not installed (applications.argoproj.io is not served)",
        "ApplicationSet: not installed (applicationsets.argoproj.io is not served)",
      ]);
      assert.deepEqual(summary.phases[1].notes, [
        "Gateway: not installed (gateways.gateway.networking.k8s.io is not served)",
      ]);
      assert.deepEqual([...summary.phases[1].deleted].sort(), [
        "Ingress ml-models/api",
        "Service payments-ledger/ledger-lb",
        "Service storefront/web",
      ]);
      assert.ok(api.requests.some((r) => r.startsWith("GET /apis/gateway.networking.k8s.io/v1/gateways")));
      assert.ok(!api.requests.some((r) => /^(DELETE|PATCH) \/apis\/(argoproj|gateway)/.test(r)));
    });
  });

  it("with nothing to delete, only looks: one list per kind, one look at AWS per phase", async () => {
    await withApi(
      [{ kind: "Service", namespace: "default", name: "kubernetes", type: "ClusterIP" }],
      {},
      async (api, events) => {
        const summary = await releaseClusterResources(
          TARGET,
          await openTeardownKube(api.kubeconfig()),
          new ScriptedAws({}, events),
          FAST,
        );
        assert.ok(
          summary.phases.every((p) => p.deleted.length === 0 && p.awaited.length === 0),
          JSON.stringify(summary.phases),
        );
        assert.ok(
          api.requests.every((r) => r.startsWith("GET ")),
          api.requests.join("\n"),
        );
        assert.deepEqual(events, [
          "aws load balancers: none",
          "aws interfaces in vpc-0abc: none",
          "aws security groups in vpc-0abc: none",
        ]);
      },
    );
  });

  it("without a VPC id, awaits load balancers and notes that interfaces and security groups were not checked", async () => {
    await withApi([], {}, async (api, events) => {
      const aws = new ScriptedAws(
        {
          loadBalancers: [{ item: ALB, looks: 1 }],
          interfaces: [{ item: { id: "eni-0a1", description: "ELB x" }, looks: Infinity }],
        },
        events,
      );
      const summary = await releaseClusterResources(
        { clusterName: "phoenix-prod", region: "eu-west-1" },
        await openTeardownKube(api.kubeconfig()),
        aws,
        FAST,
      );
      assert.deepEqual(summary.phases[3].notes, ["no VPC id given: load balancer network interfaces not checked"]);
      assert.deepEqual(summary.phases[4].notes, ["no VPC id given: load balancer security groups not checked"]);
      assert.ok(!events.some((e) => e.startsWith("aws interfaces") || e.startsWith("aws security groups")));
    });
  });

  it("times out naming what is still there and how to delete it by hand, and goes no further", async () => {
    await withApi([], {}, async (api, events) => {
      const aws = new ScriptedAws(
        {
          loadBalancers: [
            { item: ALB, looks: Infinity },
            { item: CLB, looks: 1 },
          ],
          interfaces: [{ item: { id: "eni-0a1", description: "ELB x" }, looks: 1 }],
        },
        events,
      );
      const started = Date.now();
      const err = await releaseClusterResources(TARGET, await openTeardownKube(api.kubeconfig()), aws, {
        pollSeconds: 0.02,
        timeoutSeconds: 0.3,
      }).then(
        () => assert.fail("a load balancer that never goes must time out"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TeardownTimeoutError);
      assert.equal(err.phase, "load-balancers");
      assert.deepEqual(err.remaining, ["application load balancer k8s-storefront-web-1a2b3c"]);
      assert.match(
        err.message,
        /^teardown of cluster phoenix-prod \(eu-west-1, vpc-0abc\): still there after \d+s \(timeout 0\.3s\), in phase "waiting for the cluster's AWS load balancers to be deleted": application load balancer k8s-storefront-web-1a2b3c\./,
      );
      assert.ok(
        err.message.includes(`aws elbv2 delete-load-balancer --region eu-west-1 --load-balancer-arn ${ALB.id}`),
        err.message,
      );
      assert.ok(Date.now() - started < 10_000, "stops at the timeout");
      assert.ok(
        !events.some((e) => e.startsWith("aws interfaces")),
        "interfaces are not awaited while a load balancer remains",
      );
    });
  });

  it("times out on a Service whose controller never finishes, with the kubectl command", async () => {
    const stuck: FakeObject = {
      kind: "Service",
      namespace: "storefront",
      name: "web",
      type: "LoadBalancer",
      finalizers: ["service.k8s.aws/resources"],
      stuck: true,
    };
    await withApi([stuck], {}, async (api, events) => {
      const err = await releaseClusterResources(
        TARGET,
        await openTeardownKube(api.kubeconfig()),
        new ScriptedAws({}, events),
        { pollSeconds: 0.02, timeoutSeconds: 0.2 },
      ).catch((e: unknown) => e);
      assert.ok(err instanceof TeardownTimeoutError, String(err));
      assert.equal(err.phase, "traffic");
      assert.ok(
        err.message.includes(
          "kubectl -n storefront delete services web (its controller must run to delete its load balancer)",
        ),
        err.message,
      );
      assert.deepEqual(
        events,
        ["kube delete Service storefront/web"],
        "AWS is not looked at before the traffic objects are gone",
      );
    });
  });

  it("stops on a call the cluster refuses, naming the call, the server and the reason", async () => {
    const lb: FakeObject = { kind: "Service", namespace: "storefront", name: "web", type: "LoadBalancer" };
    await withApi([lb], { forbidden: ["DELETE Service"] }, async (api, events) => {
      const err = await releaseClusterResources(
        TARGET,
        await openTeardownKube(api.kubeconfig()),
        new ScriptedAws({}, events),
        FAST,
      ).catch((e: unknown) => e);
      assert.ok(err instanceof Error);
      assert.equal(
        err.message,
        `deleting Service storefront/web on ${api.url} failed: services is forbidden: User "phoenix" cannot delete resource "services" (the teardown needs list and delete on these kinds cluster-wide)`,
      );
      assert.deepEqual(events, [], "nothing further was attempted");
    });
  });

  it("stops waiting when the signal aborts, naming what was pending", async () => {
    await withApi([], {}, async (api, events) => {
      const aws = new ScriptedAws({ loadBalancers: [{ item: CLB, looks: Infinity }] }, events);
      const controller = new AbortController();
      const started = Date.now();
      // Aborted while it waits for the load balancer (as a Ctrl-C would), whatever the machine's load.
      const progress = (line: string): void => {
        if (line.includes("waiting for 1: classic load balancer")) setTimeout(() => controller.abort(), 20);
      };
      const err = await releaseClusterResources(TARGET, await openTeardownKube(api.kubeconfig()), aws, {
        pollSeconds: 0.05,
        timeoutSeconds: 60,
        signal: controller.signal,
        progress,
      }).catch((e: unknown) => e);
      assert.ok(err instanceof TeardownAbortedError, String(err));
      assert.equal(err.phase, "load-balancers");
      assert.deepEqual(err.remaining, ["classic load balancer a1b2c3d4e5f6"]);
      assert.ok(Date.now() - started < 10_000, "aborted long before the timeout");
    });
  });

  it("rejects at once when the signal is already aborted", async () => {
    await withApi([], {}, async (api, events) => {
      const err = await releaseClusterResources(
        TARGET,
        await openTeardownKube(api.kubeconfig()),
        new ScriptedAws({}, events),
        { signal: AbortSignal.abort() },
      ).catch((e: unknown) => e);
      assert.ok(err instanceof TeardownAbortedError);
      assert.deepEqual(api.requests, []);
    });
  });
});

describe("an AWS adapter without security groups (a caller's own)", () => {
  it("is still enough: the phase says what it did not check", async () => {
    await withApi([], {}, async (api) => {
      const minimal = {
        clusterLoadBalancers: () => Promise.resolve([]),
        loadBalancerInterfaces: () => Promise.resolve([]),
      };
      const summary = await releaseClusterResources(TARGET, await openTeardownKube(api.kubeconfig()), minimal, FAST);
      assert.deepEqual(summary.phases[4], {
        ...summary.phases[4],
        phase: "security-groups",
        notes: ["security groups not checked (the AWS adapter cannot list them)"],
        awaited: [],
      });
    });
  });
});

describe("what counts as the cluster's", () => {
  it("load balancers: the controller's tag, its predecessor's, the in-tree owned tag; never another cluster's or a shared one", () => {
    assert.ok(
      isClusterOwned(
        { "elbv2.k8s.aws/cluster": "phoenix-prod", "service.k8s.aws/stack": "storefront/web" },
        "phoenix-prod",
      ),
    );
    assert.ok(isClusterOwned({ "ingress.k8s.aws/cluster": "phoenix-prod" }, "phoenix-prod"));
    assert.ok(isClusterOwned({ "kubernetes.io/cluster/phoenix-prod": "owned" }, "phoenix-prod"));
    assert.ok(!isClusterOwned({ "kubernetes.io/cluster/phoenix-prod": "shared" }, "phoenix-prod"));
    assert.ok(!isClusterOwned({ "elbv2.k8s.aws/cluster": "phoenix-prod-2" }, "phoenix-prod"));
    assert.ok(!isClusterOwned({ "kubernetes.io/cluster/phoenix-prod-2": "owned" }, "phoenix-prod"));
  });

  it("security groups: the controller's, and the in-tree controller's k8s-elb- groups; never the EKS cluster group", () => {
    assert.ok(
      isLoadBalancerSecurityGroup(
        "k8s-traffic-phoenixprod-1a2b3c",
        { "elbv2.k8s.aws/cluster": "phoenix-prod", "elbv2.k8s.aws/resource": "backend-sg" },
        "phoenix-prod",
      ),
    );
    assert.ok(
      isLoadBalancerSecurityGroup(
        "k8s-storefr-web-0a1b2c",
        { "elbv2.k8s.aws/cluster": "phoenix-prod" },
        "phoenix-prod",
      ),
    );
    assert.ok(
      isLoadBalancerSecurityGroup(
        "k8s-elb-a1b2c3d4e5f6",
        { "kubernetes.io/cluster/phoenix-prod": "owned" },
        "phoenix-prod",
      ),
    );
    assert.ok(
      !isLoadBalancerSecurityGroup(
        "eks-cluster-sg-phoenix-prod-123456",
        { "kubernetes.io/cluster/phoenix-prod": "owned", "aws:eks:cluster-name": "phoenix-prod" },
        "phoenix-prod",
      ),
    );
    assert.ok(
      !isLoadBalancerSecurityGroup("k8s-traffic-other-1a2b3c", { "elbv2.k8s.aws/cluster": "other" }, "phoenix-prod"),
    );
  });

  it("network interfaces: those Elastic Load Balancing describes as its own", () => {
    for (const d of [
      "ELB app/k8s-a/50dc6c495c0c9188",
      "ELB net/k8s-b/50dc6c495f0c9188",
      "ELB gwy/x/1",
      "ELB a1b2c3d4e5f6",
    ])
      assert.ok(isLoadBalancerInterface(d), d);
    for (const d of ["", "aws-K8S-i-0123456789abcdef0", "Amazon EKS phoenix-prod", "ELB"])
      assert.ok(!isLoadBalancerInterface(d), d);
    assert.equal(interfaceOwner("ELB net/k8s-b/50dc6c495f0c9188"), "net/k8s-b/50dc6c495f0c9188");
  });

  it("a Kubernetes object: namespace, name, finalizers, deletion and a Service's type", () => {
    assert.deepEqual(
      toKubeItem({
        metadata: { namespace: "a", name: "b", finalizers: ["f"], deletionTimestamp: new Date(0) },
        spec: { type: "LoadBalancer" },
      }),
      {
        namespace: "a",
        name: "b",
        finalizers: ["f"],
        deleting: true,
        serviceType: "LoadBalancer",
      },
    );
    assert.deepEqual(toKubeItem({ metadata: { namespace: "a", name: "b" } }), {
      namespace: "a",
      name: "b",
      finalizers: [],
      deleting: false,
    });
  });
});
