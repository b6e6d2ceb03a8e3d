/**
 * The real AWS adapter (`openTeardownAws`): the SDK v3 clients of ELBv2, classic ELB and
 * EC2, pointed at a local HTTP server through the SDK's own `AWS_ENDPOINT_URL` setting,
 * which answers their query protocols in XML. It checks what the adapter asks (pages,
 * tag batches, ENI and security group filters) and what it keeps (only the cluster's
 * load balancers, only load balancer interfaces and security groups), and that a load balancer deleted between the list and the
 * tag lookup is left out instead of failing the look.
 */
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { openTeardownAws } from "../../../components/teardown";

interface V2 {
  readonly arn: string;
  readonly name: string;
  readonly vpc: string;
  readonly type: string;
  readonly tags: Record<string, string>;
}

const arn = (type: string, name: string): string =>
  `arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/${type === "network" ? "net" : "app"}/${name}/0123456789abcdef`;
const v2 = (name: string, type: string, vpc: string, tags: Record<string, string>): V2 => ({
  arn: arn(type, name),
  name,
  type,
  vpc,
  tags,
});

// 23 ELBv2 load balancers: more than a page (the server pages by 10) and more than one
// tag batch (20). Only some are the cluster's.
const V2_LBS: V2[] = [
  v2("k8s-storefront-web", "application", "vpc-0abc", {
    "elbv2.k8s.aws/cluster": "phoenix-prod",
    "ingress.k8s.aws/stack": "storefront/web",
  }),
  v2("k8s-ledger-nlb", "network", "vpc-0abc", {
    "elbv2.k8s.aws/cluster": "phoenix-prod",
    "service.k8s.aws/stack": "payments-ledger/ledger-lb",
  }),
  v2("other-cluster", "application", "vpc-0abc", { "elbv2.k8s.aws/cluster": "phoenix-prod-2" }),
  v2("other-vpc", "application", "vpc-0def", { "elbv2.k8s.aws/cluster": "phoenix-prod" }),
  v2("vanished", "application", "vpc-0abc", { "elbv2.k8s.aws/cluster": "phoenix-prod" }),
  ...Array.from({ length: 17 }, (_, i) => v2(`hand-made-${i}`, "application", "vpc-0abc", { team: "web" })),
  v2("k8s-last-page", "application", "vpc-0abc", { "elbv2.k8s.aws/cluster": "phoenix-prod" }),
];
const CLASSIC = [
  { name: "a1b2c3", vpc: "vpc-0abc", tags: { "kubernetes.io/cluster/phoenix-prod": "owned" } },
  { name: "shared", vpc: "vpc-0abc", tags: { "kubernetes.io/cluster/phoenix-prod": "shared" } },
];
const ENIS = [
  { id: "eni-0a1", description: "ELB app/k8s-storefront-web/0123456789abcdef" },
  { id: "eni-0a2", description: "ELB a1b2c3" },
];

const xmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const members = (items: string[]): string => items.map((i) => `<member>${i}</member>`).join("");
const tagsXml = (tags: Record<string, string>): string =>
  `<Tags>${members(Object.entries(tags).map(([k, v]) => `<Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value>`))}</Tags>`;
const wrap = (action: string, ns: string, result: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;
const notFound = (): string =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>LoadBalancerNotFound</Code><Message>One or more load balancers not found</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

/** Every call the server answered: `Version Action` and the parameters that matter. */
const calls: string[] = [];
let server: http.Server;

function answer(params: URLSearchParams): { status: number; body: string } {
  const action = params.get("Action") ?? "";
  const version = params.get("Version") ?? "";
  const list = (prefix: string): string[] =>
    [...params.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  if (version === "2015-12-01") {
    const ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    if (action === "DescribeLoadBalancers") {
      const from = Number(params.get("Marker") ?? "0");
      calls.push(`elbv2 DescribeLoadBalancers from ${from}`);
      const page = V2_LBS.slice(from, from + 10);
      const next = from + 10 < V2_LBS.length ? `<NextMarker>${from + 10}</NextMarker>` : "";
      const lbs = page.map(
        (l) =>
          `<LoadBalancerArn>${l.arn}</LoadBalancerArn><LoadBalancerName>${l.name}</LoadBalancerName><VpcId>${l.vpc}</VpcId><Type>${l.type}</Type>`,
      );
      return { status: 200, body: wrap(action, ns, `<LoadBalancers>${members(lbs)}</LoadBalancers>${next}`) };
    }
    if (action === "DescribeTags") {
      const arns = list("ResourceArns.member.");
      calls.push(`elbv2 DescribeTags ${arns.length}`);
      // Deleted since it was listed: the whole batch fails, as ELBv2 does.
      if (arns.some((a) => a.includes("/vanished/"))) return { status: 400, body: notFound() };
      const found = arns.map((a) => V2_LBS.find((l) => l.arn === a)!);
      return {
        status: 200,
        body: wrap(
          action,
          ns,
          `<TagDescriptions>${members(found.map((l) => `<ResourceArn>${l.arn}</ResourceArn>${tagsXml(l.tags)}`))}</TagDescriptions>`,
        ),
      };
    }
  }
  if (version === "2012-06-01") {
    const ns = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/";
    if (action === "DescribeLoadBalancers") {
      calls.push("elb DescribeLoadBalancers");
      return {
        status: 200,
        body: wrap(
          action,
          ns,
          `<LoadBalancerDescriptions>${members(CLASSIC.map((l) => `<LoadBalancerName>${l.name}</LoadBalancerName><VPCId>${l.vpc}</VPCId>`))}</LoadBalancerDescriptions>`,
        ),
      };
    }
    if (action === "DescribeTags") {
      const names = list("LoadBalancerNames.member.");
      calls.push(`elb DescribeTags ${names.join(",")}`);
      const found = names.map((n) => CLASSIC.find((l) => l.name === n)!);
      return {
        status: 200,
        body: wrap(
          action,
          ns,
          `<TagDescriptions>${members(found.map((l) => `<LoadBalancerName>${l.name}</LoadBalancerName>${tagsXml(l.tags)}`))}</TagDescriptions>`,
        ),
      };
    }
  }
  if (action === "DescribeNetworkInterfaces") {
    const filters = [1, 2, 3]
      .map(
        (i) =>
          params.get(`Filter.${i}.Name`) && `${params.get(`Filter.${i}.Name`)}=${list(`Filter.${i}.Value.`).join(",")}`,
      )
      .filter(Boolean);
    calls.push(`ec2 DescribeNetworkInterfaces ${filters.join(" ")}`);
    // The server does not filter by description: the adapter checks it again.
    const items = [...ENIS, { id: "eni-node", description: "aws-K8S-i-0123456789abcdef0" }].map(
      (e) =>
        `<item><networkInterfaceId>${e.id}</networkInterfaceId><description>${xmlEscape(e.description)}</description><status>in-use</status></item>`,
    );
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><networkInterfaceSet>${items.join("")}</networkInterfaceSet></DescribeNetworkInterfacesResponse>`,
    };
  }
  if (action === "DescribeSecurityGroups") {
    const filters = [1, 2, 3]
      .map(
        (i) =>
          params.get(`Filter.${i}.Name`) && `${params.get(`Filter.${i}.Name`)}=${list(`Filter.${i}.Value.`).join(",")}`,
      )
      .filter(Boolean);
    calls.push(`ec2 DescribeSecurityGroups ${filters.join(" ")}`);
    // What the tag-key filter lets through; the adapter keeps only the load balancers' groups.
    const groups = [
      {
        id: "sg-0b1",
        name: "k8s-traffic-phoenixprod-1a2b3c",
        tags: { "elbv2.k8s.aws/cluster": "phoenix-prod", "elbv2.k8s.aws/resource": "backend-sg" },
      },
      { id: "sg-0b2", name: "k8s-elb-a1b2c3", tags: { "kubernetes.io/cluster/phoenix-prod": "owned" } },
      { id: "sg-0b3", name: "eks-cluster-sg-phoenix-prod-1", tags: { "kubernetes.io/cluster/phoenix-prod": "owned" } },
    ];
    const items = groups.map(
      (g) =>
        `<item><groupId>${g.id}</groupId><groupName>${g.name}</groupName><tagSet>${Object.entries(g.tags)
          .map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`)
          .join("")}</tagSet></item>`,
    );
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><securityGroupInfo>${items.join("")}</securityGroupInfo></DescribeSecurityGroupsResponse>`,
    };
  }
  if (action === "DeleteSecurityGroup") {
    const id = params.get("GroupId") ?? "";
    calls.push(`ec2 DeleteSecurityGroup ${id}`);
    const code =
      id === "sg-in-use"
        ? "DependencyViolation"
        : id === "sg-gone"
          ? "InvalidGroup.NotFound"
          : id === "sg-denied"
            ? "UnauthorizedOperation"
            : undefined;
    if (code)
      return {
        status: code === "UnauthorizedOperation" ? 403 : 400,
        body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${code} for ${id}</Message></Error></Errors><RequestID>r</RequestID></Response>`,
      };
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><DeleteSecurityGroupResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return></DeleteSecurityGroupResponse>`,
    };
  }
  return {
    status: 400,
    body: `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action} ${version}</Message></Error></ErrorResponse>`,
  };
}

describe("openTeardownAws, against a local endpoint", () => {
  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const { status, body: out } = answer(new URLSearchParams(body));
        res.writeHead(status, { "content-type": "text/xml" });
        res.end(out);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // The SDK's own endpoint and credential settings: no test-only seam in the adapter.
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
    delete process.env.AWS_PROFILE;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("finds the cluster's ELBv2 and classic load balancers in its VPC, across pages and tag batches, without one deleted meanwhile", async () => {
    calls.length = 0;
    const lbs = await openTeardownAws("eu-west-1").clusterLoadBalancers({
      clusterName: "phoenix-prod",
      region: "eu-west-1",
      vpcId: "vpc-0abc",
    });
    assert.deepEqual(
      lbs.map((l) => `${l.kind} ${l.name} ${l.id}`),
      [
        `application k8s-storefront-web ${arn("application", "k8s-storefront-web")}`,
        `network k8s-ledger-nlb ${arn("network", "k8s-ledger-nlb")}`,
        `application k8s-last-page ${arn("application", "k8s-last-page")}`,
        "classic a1b2c3 a1b2c3",
      ],
    );
    const v2calls = calls.filter((c) => c.startsWith("elbv2"));
    assert.deepEqual(v2calls.slice(0, 3), [
      "elbv2 DescribeLoadBalancers from 0",
      "elbv2 DescribeLoadBalancers from 10",
      "elbv2 DescribeLoadBalancers from 20",
    ]);
    // 22 in the VPC: a batch of 20 fails on the vanished one and is asked one by one; then the last 2.
    assert.equal(v2calls.filter((c) => c === "elbv2 DescribeTags 20").length, 1);
    assert.equal(v2calls.filter((c) => c === "elbv2 DescribeTags 1").length, 20);
    assert.equal(v2calls.filter((c) => c === "elbv2 DescribeTags 2").length, 1);
    assert.ok(calls.includes("elb DescribeTags a1b2c3,shared"));
  });

  it("lists the load balancer security groups of the VPC, never the EKS cluster group", async () => {
    calls.length = 0;
    const aws = openTeardownAws("eu-west-1");
    const groups = await aws.loadBalancerSecurityGroups!({
      clusterName: "phoenix-prod",
      region: "eu-west-1",
      vpcId: "vpc-0abc",
    });
    assert.deepEqual(groups, [
      { id: "sg-0b1", name: "k8s-traffic-phoenixprod-1a2b3c" },
      { id: "sg-0b2", name: "k8s-elb-a1b2c3" },
    ]);
    assert.deepEqual(calls, [
      "ec2 DescribeSecurityGroups vpc-id=vpc-0abc tag-key=elbv2.k8s.aws/cluster,kubernetes.io/cluster/phoenix-prod",
    ]);
  });

  it("deletes a security group: true when deleted, false when still in use or gone, and throws anything else", async () => {
    calls.length = 0;
    const aws = openTeardownAws("eu-west-1");
    assert.equal(await aws.deleteSecurityGroup!("sg-0b1"), true);
    assert.equal(await aws.deleteSecurityGroup!("sg-in-use"), false);
    assert.equal(await aws.deleteSecurityGroup!("sg-gone"), false);
    await assert.rejects(aws.deleteSecurityGroup!("sg-denied"), /UnauthorizedOperation for sg-denied/);
    assert.deepEqual(calls.slice(0, 3), [
      "ec2 DeleteSecurityGroup sg-0b1",
      "ec2 DeleteSecurityGroup sg-in-use",
      "ec2 DeleteSecurityGroup sg-gone",
    ]);
  });

  it("lists the load balancer interfaces of the VPC, filtered by VPC and description", async () => {
    calls.length = 0;
    const enis = await openTeardownAws("eu-west-1").loadBalancerInterfaces("vpc-0abc");
    assert.deepEqual(
      enis.map((e) => `${e.id} ${e.description}`),
      ENIS.map((e) => `${e.id} ${e.description}`),
    );
    assert.deepEqual(calls, ["ec2 DescribeNetworkInterfaces vpc-id=vpc-0abc description=ELB *"]);
  });
});
