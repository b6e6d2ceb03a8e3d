/**
 * `phoenix:runner`: where the deploy and preview workflows run, so Phoenix can tell,
 * before anything is deployed, whether they can reach this cluster's Kubernetes API
 * (the Kubernetes provider talks to it in every preview and update).
 *
 * - `self-hosted`: a runner in a network routed to the cluster's VPC (peering, a transit
 *   gateway, or the VPC itself); it reaches the private endpoint, and Phoenix opens the
 *   cluster security group on 443 to `cidrs`, the runner's private ranges.
 * - `static-egress`: a runner with fixed public egress addresses (a GitHub larger runner
 *   with static IPs, or a runner behind a NAT of yours); it reaches the public endpoint,
 *   which must allow `cidrs`.
 * - `github-hosted`: GitHub's standard runners come from no small fixed range (GitHub
 *   docs, "About GitHub-hosted runners", IP addresses: the published list is Azure's and
 *   changes weekly), so they reach only an endpoint open to 0.0.0.0/0, which the policy
 *   pack refuses (eks-endpoint-not-world-open).
 */
import { z } from "zod";
import { parseCidr } from "../../../components/cluster/network";
import { strictObject } from "../../config";
import { cidr } from "./common";

export const RUNNER_KINDS = ["self-hosted", "static-egress", "github-hosted"] as const;

export const runnerSchema = strictObject({
  kind: z.enum(RUNNER_KINDS).meta({
    description:
      'Where the deploy, preview and drill jobs run, so the plan can tell whether they reach the API: `self-hosted` (routed to the VPC; reaches the private endpoint), `static-egress` (fixed public egress addresses; reaches the public endpoint) or `github-hosted` (only an endpoint open to `0.0.0.0/0`, which the policy refuses). A runner that cannot reach the endpoint fails the plan ("CI reaches the cluster").',
  }),
  labels: z
    .array(z.string().regex(/^[\w.-]{1,100}$/, "must be a runner label such as self-hosted or phoenix-deploy"))
    .min(1)
    .meta({
      description: "The jobs' `runs-on` labels; `phoenix stack list -o json` hands them to the workflows' matrix.",
    }),
  cidrs: z.array(cidr).default([]).meta({
    description:
      "`self-hosted`: the runner's private ranges, opened on the EKS cluster security group on 443. `static-egress`: its egress addresses, each inside `publicAccessCidrs`.",
  }),
});

export type RunnerConfig = z.output<typeof runnerSchema>;

/** The endpoint settings reachability depends on (phoenix:cluster.endpoint). */
export interface EndpointAccess {
  readonly privateAccess: boolean;
  readonly publicAccess: boolean;
  readonly publicAccessCidrs: readonly string[];
}

/** Whether `inner` lies inside `outer`. */
function within(inner: string, outer: string): boolean {
  const [a, b] = [parseCidr(inner), parseCidr(outer)];
  if (!a || !b || a.prefix < b.prefix) return false;
  const mask = b.prefix === 0 ? 0 : (~0 << (32 - b.prefix)) >>> 0;
  return (a.base & mask) >>> 0 === b.base;
}

/** Why the runner cannot reach the endpoint, as a key below `phoenix:runner` and a message; none when it can. */
export function runnerReachProblems(
  runner: RunnerConfig,
  endpoint: EndpointAccess,
): { path: (string | number)[]; message: string }[] {
  if (runner.kind === "self-hosted") {
    if (runner.cidrs.length === 0)
      return [
        {
          path: ["cidrs"],
          message:
            "a self-hosted runner needs its private source ranges, which Phoenix opens on the cluster security group (443): list them",
        },
      ];
    return runner.cidrs.flatMap((c, i) =>
      parseCidr(c)?.prefix === 0
        ? [{ path: ["cidrs", i], message: "0.0.0.0/0 is not a runner's range: name the runner's subnets" }]
        : [],
    );
  }
  if (!endpoint.publicAccess) {
    return [
      {
        path: ["kind"],
        message: `a ${runner.kind} runner cannot reach a private-only endpoint (phoenix:cluster.endpoint.publicAccess is false): run the workflows on a self-hosted runner routed to the VPC (kind: self-hosted, cidrs), or open the public endpoint to the runner's egress addresses`,
      },
    ];
  }
  if (runner.kind === "github-hosted") {
    if (endpoint.publicAccessCidrs.includes("0.0.0.0/0")) return [];
    return [
      {
        path: ["kind"],
        message:
          "GitHub-hosted runners come from no small fixed range, so phoenix:cluster.endpoint.publicAccessCidrs cannot name them: use a runner with static egress addresses (kind: static-egress, cidrs) or a self-hosted runner",
      },
    ];
  }
  if (runner.cidrs.length === 0)
    return [
      {
        path: ["cidrs"],
        message:
          "a static-egress runner needs its egress addresses: list them (they must be inside phoenix:cluster.endpoint.publicAccessCidrs)",
      },
    ];
  return runner.cidrs.flatMap((c, i) =>
    endpoint.publicAccessCidrs.some((allowed) => within(c, allowed))
      ? []
      : [
          {
            path: ["cidrs", i],
            message: `${c} is not inside phoenix:cluster.endpoint.publicAccessCidrs (${endpoint.publicAccessCidrs.join(", ")}): add it there, or the runner cannot reach the API`,
          },
        ],
  );
}
