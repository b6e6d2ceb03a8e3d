/** The cost model (pure): a month of a stack, a pilot-light standby beside backup-restore, a drill modeled and measured. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  actualDrillCost,
  cents,
  costed,
  costOver,
  drillCost,
  HOURS_PER_MONTH,
  LOAD_BALANCER_LIFETIME,
  monthlyCost,
  restoreTrafficLines,
  standbyMonthlyCost,
  standbyResources,
  usd,
  type Cost,
} from "../../../cli/cost/model";
import { plannedLoadBalancers } from "../../../cli/cost/loadBalancers";
import { PRICES } from "../../../cli/cost/prices";

const r = (type: string, name: string, inputs: Record<string, unknown> = {}) => ({ type, name, inputs });
const stack = [
  r("eks:index:Cluster", "eks"),
  r("aws:ec2/natGateway:NatGateway", "nat-0"),
  r("aws:ec2/natGateway:NatGateway", "nat-1"),
  r("aws:ec2/eip:Eip", "nat-0"),
  r("aws:ec2/eip:Eip", "nat-1"),
  r("aws:eks/nodeGroup:NodeGroup", "system", {
    scalingConfig: { desiredSize: 3 },
    instanceTypes: ["m7i.large", "m6i.large"],
  }),
  r("aws:ec2/launchTemplate:LaunchTemplate", "system", { blockDeviceMappings: [{ ebs: { volumeSize: 50 } }] }),
  r("aws:eks/nodeGroup:NodeGroup", "spare", { scalingConfig: { desiredSize: 0 }, instanceTypes: ["m7i.large"] }),
  r("aws:kms/key:Key", "secrets"),
  r("aws:iam/role:Role", "node"),
];
const eu = PRICES["eu-west-1"];
const by = (c: Cost, what: RegExp) => c.lines.find((l) => what.test(l.what));
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

describe("a month of a stack", () => {
  it("counts the control plane, NAT gateways and their addresses, running nodes with their root volumes, and keys", () => {
    const c = monthlyCost({ region: "eu-west-1", resources: stack });
    close(by(c, /^EKS control plane/)?.usd ?? 0, 0.1 * HOURS_PER_MONTH);
    assert.equal(by(c, /^NAT gateway$/)?.quantity, 2 * HOURS_PER_MONTH);
    close(by(c, /^public IPv4/)?.usd ?? 0, 2 * HOURS_PER_MONTH * 0.005);
    const nodes = by(c, /^system: 3 x m7i\.large/);
    close(nodes?.usd ?? 0, 3 * HOURS_PER_MONTH * eu.ec2Hour["m7i.large"].usd);
    assert.equal(nodes?.basis, eu.ec2Hour["m7i.large"].basis);
    assert.ok(!c.lines.some((l) => l.what.startsWith("spare")), "a group at zero costs nothing");
    assert.equal(by(c, /EBS gp3 root volumes, 3 x 50 GiB/)?.quantity, 150);
    close(by(c, /^KMS/)?.usd ?? 0, 1);
    close(
      c.usd,
      c.lines.reduce((a, l) => a + l.usd, 0),
    );
    assert.match(c.notes.join("\n"), /not modeled: NAT data processing/);
  });

  it("counts no load balancer the plan does not make, and says so; declared ones are ALBs with an LCU an hour when serving", () => {
    const none = monthlyCost({ region: "eu-west-1", resources: stack });
    assert.ok(!none.lines.some((l) => /Load Balancer/.test(l.what)));
    assert.match(none.notes.join("\n"), /load balancers: the plan makes none .*; 0 more declared/);
    const declared = monthlyCost({ region: "eu-west-1", resources: stack }, { loadBalancers: 2 });
    close(by(declared, /^Application Load Balancer/)?.usd ?? 0, 2 * HOURS_PER_MONTH * eu.items.albHour.usd);
    close(by(declared, /LCU/)?.usd ?? 0, 2 * HOURS_PER_MONTH * eu.items.albLcuHour.usd);
    const idle = monthlyCost({ region: "eu-west-1", resources: stack }, { loadBalancers: 2 }, "idle");
    assert.ok(!idle.lines.some((l) => /LCU/.test(l.what)), "no traffic, no LCUs");
  });

  it("reads the load balancers the plan's own objects make: Services, Ingress groups, Gateways, Argo CD's chart values", () => {
    const lbs = plannedLoadBalancers([
      r("kubernetes:core/v1:Service", "web", { spec: { type: "LoadBalancer" } }),
      r("kubernetes:core/v1:Service", "internal", { spec: { type: "ClusterIP" } }),
      r("kubernetes:networking.k8s.io/v1:Ingress", "a", {
        metadata: { annotations: { "alb.ingress.kubernetes.io/group.name": "g" } },
      }),
      r("kubernetes:networking.k8s.io/v1:Ingress", "b", {
        metadata: { annotations: { "alb.ingress.kubernetes.io/group.name": "g" } },
      }),
      r("kubernetes:networking.k8s.io/v1:Ingress", "c"),
      r("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gw"),
      r("kubernetes:helm.sh/v3:Release", "argocd", {
        chart: "argo-cd",
        values: { server: { ingress: { enabled: true } } },
      }),
      r("kubernetes:helm.sh/v3:Release", "argocd-plain", { chart: "argo-cd", values: { global: { domain: "x" } } }),
    ]);
    assert.deepEqual(
      lbs.map((b) => `${b.kind} ${b.why}`),
      [
        "nlb Service web of type LoadBalancer",
        "alb Ingress a (group g)",
        "alb Ingress c",
        "alb Gateway gw",
        "alb Helm release argocd: server.ingress.enabled",
      ],
    );
    const c = monthlyCost({
      region: "us-east-1",
      resources: [
        r("eks:index:Cluster", "eks"),
        ...[r("kubernetes:core/v1:Service", "web", { spec: { type: "LoadBalancer" } })],
      ],
    });
    close(by(c, /^Network Load Balancer/)?.usd ?? 0, HOURS_PER_MONTH * PRICES["us-east-1"].items.nlbHour.usd);
  });

  it("says Auto Mode's compute is not modeled instead of pricing it at zero", () => {
    const c = monthlyCost({ region: "us-east-1", resources: [r("eks:index:Cluster", "eks")] });
    assert.match(c.notes.join("\n"), /EKS Auto Mode\).*not modeled/);
  });

  it("turns a missing price into an unknown cost with the fix, and nothing else", () => {
    assert.deepEqual(
      costed(() => monthlyCost({ region: "ap-south-1", resources: stack })),
      { unknown: "no price for region ap-south-1 in cli/cost/prices.ts: add it (with its source) to model this cost" },
    );
    assert.deepEqual(
      costed(() =>
        monthlyCost({
          region: "eu-west-1",
          resources: [
            r("aws:eks/nodeGroup:NodeGroup", "g", { scalingConfig: { desiredSize: 1 }, instanceTypes: ["x9.huge"] }),
          ],
        }),
      ),
      {
        unknown:
          "no price for instance type x9.huge in eu-west-1 in cli/cost/prices.ts: add it (with its source) to model this cost",
      },
    );
    assert.throws(
      () =>
        costed(() => {
          throw new TypeError("a bug");
        }),
      TypeError,
    );
  });

  it("rounds only for display", () => {
    assert.equal(cents(1.005 + 1e-9), 1.01);
    assert.equal(usd(73), "$73.00");
    assert.equal(usd(0.004), "$0.00");
  });
});

describe("standing by", () => {
  const input = {
    resources: stack,
    region: "eu-central-1",
    systemNodes: { count: 1, instanceType: "t3.large" },
    dataGiB: 10,
    drill: { seconds: 3600, items: 500 },
  };

  it("puts the stack's node groups at zero beside the system nodes, on the same root volume", () => {
    const rs = standbyResources(stack, { count: 3, instanceType: "t3.large" });
    const groups = rs.filter((x) => x.type === "aws:eks/nodeGroup:NodeGroup");
    assert.deepEqual(
      groups.map((g) => [g.name, (g.inputs.scalingConfig as { desiredSize: number }).desiredSize]),
      [
        ["system", 0],
        ["spare", 0],
        ["system-standby", 3],
      ],
    );
    assert.ok(rs.some((x) => x.type === "aws:ec2/launchTemplate:LaunchTemplate" && x.name === "system-standby"));
  });

  it("prices a pilot light: control plane, NAT, the system node, keys and the replica's storage, no LCUs", () => {
    const { pilotLight } = standbyMonthlyCost({ ...input, expected: { loadBalancers: 1 } });
    const p = PRICES["eu-central-1"];
    close(by(pilotLight, /^system-standby: 1 x t3\.large/)?.usd ?? 0, HOURS_PER_MONTH * p.ec2Hour["t3.large"].usd);
    assert.ok(!pilotLight.lines.some((l) => /m7i/.test(l.what)));
    assert.ok(by(pilotLight, /^EKS control plane/) && by(pilotLight, /^NAT gateway$/) && by(pilotLight, /^KMS/));
    assert.ok(by(pilotLight, /^Application Load Balancer/) && !by(pilotLight, /LCU/));
    close(by(pilotLight, /^DR replica storage/)?.usd ?? 0, 10 * p.items.s3StandardGBMonth.usd);
  });

  it("prices backup-restore as the replica's storage plus one drill of the whole stack, far below the pilot light", () => {
    const { pilotLight, backupRestore } = standbyMonthlyCost(input);
    const drill = drillCost(stack, 3600, {
      region: "eu-central-1",
      bucketRegion: "eu-central-1",
      dataGiB: 10,
      items: 500,
    });
    close(backupRestore.usd, drill.usd + 10 * PRICES["eu-central-1"].items.s3StandardGBMonth.usd);
    assert.ok(backupRestore.lines.filter((l) => l.what.startsWith("drill: ")).length === drill.lines.length);
    assert.ok(backupRestore.usd < pilotLight.usd / 20);
    assert.match(backupRestore.notes[0], /one drill a month, modeled at 60 min/);
  });
});

describe("a drill", () => {
  const traffic = { region: "eu-central-1", bucketRegion: "eu-central-1", dataGiB: 10, items: 500 };
  const p = PRICES["eu-central-1"].items;
  const gets = 500 + Math.ceil((10 * 1024) / 20) + 10;

  it("is the stack for the drill's hours, idle, plus the restore's GETs and NAT processing; no transfer within one region", () => {
    const c = drillCost(stack, 5400, traffic, { loadBalancers: 1 });
    const running = costOver("eu-central-1", stack, 1.5, { loadBalancers: 1 }, "idle").usd;
    close(c.usd, running + 10 * p.natGatewayGB.usd + (gets / 1000) * p.s3GetPer1000.usd);
    assert.ok(!c.lines.some((l) => /transfer/.test(l.what)));
    assert.match(c.notes.join("\n"), /whole drill, 90 min/);
    assert.match(c.notes.join("\n"), /no transfer between regions: the backups are read in eu-central-1/);
  });

  it("pays the transfer between regions, at the sending region's price, when the bucket is elsewhere", () => {
    const lines = restoreTrafficLines({ ...traffic, region: "us-east-1" }, 0);
    const transfer = lines.find((l) => /transfer eu-central-1 -> us-east-1/.test(l.what));
    assert.equal(transfer?.unitUsd, p.interRegionGB.usd);
    assert.equal(transfer?.quantity, 10);
    assert.ok(!lines.some((l) => /NAT/.test(l.what)), "no NAT gateway, no NAT processing");
  });

  it("measured: each type for the seconds it lived; load balancers for the cluster's; an unmeasured type named", () => {
    const lived = {
      "eks:index:Cluster": 3600,
      "aws:ec2/natGateway:NatGateway": 1800,
      "aws:eks/nodeGroup:NodeGroup": 1200,
    };
    const c = actualDrillCost(stack, lived, traffic, { loadBalancers: 1 });
    close(by(c, /^EKS control plane/)?.quantity ?? 0, 1);
    close(by(c, /^NAT gateway$/)?.quantity ?? 0, 1);
    close(by(c, /^system: 3 x m7i\.large/)?.quantity ?? 0, 1);
    close(by(c, /^Application Load Balancer/)?.quantity ?? 0, 1);
    assert.equal(by(c, /^public IPv4/)?.usd, 0);
    assert.match(c.notes.join("\n"), /not measured, counted as 0 s: aws:ec2\/eip:Eip, aws:kms\/key:Key/);
    const lb = actualDrillCost(stack, { ...lived, [LOAD_BALANCER_LIFETIME]: 720 }, traffic, { loadBalancers: 1 });
    close(by(lb, /^Application Load Balancer/)?.quantity ?? 0, 0.2);
  });
});
