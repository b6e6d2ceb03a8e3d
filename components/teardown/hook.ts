/**
 * The marker whose deletion runs the teardown. `Teardown` is a component with no
 * children; the composition makes it depend on the plugins and apps layers. Pulumi
 * deletes dependents before what they depend on, so on `pulumi destroy` the marker goes
 * first, while the load balancer controller, Argo CD, the nodes, the NAT egress and the
 * VPC are all still there, and its `beforeDelete` hook releases what Kubernetes made in
 * AWS. Nothing depends on the marker, so it never holds anything else back.
 *
 * The hook reads everything from the marker's own state (its registered outputs, the
 * kubeconfig a secret), not from the program's live values, which a destroy never
 * computes. Delete hooks run only under `pulumi destroy --run-program` (Pulumi docs,
 * "Resource hooks"); a marker made by an earlier version of Phoenix has no hook: a
 * `pulumi up` with this one binds it. The hook runs whenever the marker is deleted, and
 * a program cannot tell a destroy from an update: the marker must keep its URN (an alias
 * where it moves), or an `up` would run the teardown on a live cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { openTeardownAws, openTeardownKube } from "./open";
import {
  releaseClusterResources,
  TEARDOWN_LOG_PREFIX,
  type TeardownAws,
  type TeardownKube,
  type TeardownOptions,
  type TeardownTarget,
} from "./release";
import { TYPE_TOKENS } from "../typeTokens";

/** Type token of the marker. */
export const TEARDOWN_TYPE = TYPE_TOKENS.teardown;

/** Arguments of the marker: what the hook reads back from state. */
export interface TeardownArgs {
  /** EKS cluster name (the controllers' ownership tags name it). */
  readonly clusterName: pulumi.Input<string>;
  /** AWS region of the cluster. */
  readonly region: string;
  /** The cluster's VPC, whose load balancer network interfaces are awaited. */
  readonly vpcId: pulumi.Input<string>;
  /** Kubeconfig of the cluster (JSON or YAML); stored as a secret. */
  readonly kubeconfig: pulumi.Input<string>;
  /** Budget of the whole teardown in seconds (releaseClusterResources' default when unset). */
  readonly timeoutSeconds?: number;
  /** Pause between two looks in seconds. */
  readonly pollSeconds?: number;
}

/** What the hook's function is given: the adapters and where progress goes. */
export interface TeardownHookDeps {
  readonly openKube: (kubeconfig: string) => Promise<TeardownKube>;
  readonly openAws: (region: string) => TeardownAws;
  /** A line of progress; a promise when it is sent somewhere, which the hook awaits before it returns. */
  readonly log: (line: string) => void | Promise<void>;
}

/** A state value as the hook receives it: a secret arrives as a secret Output. */
async function plain(value: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  return new Promise((resolve) => {
    value.apply((v) => {
      resolve(v);
      return v;
    });
  });
}

/**
 * The hook's function: reads the marker's state (outputs, or inputs when the engine
 * gives only those), opens the cluster and AWS, and releases the cluster's resources. A
 * failure stops the destroy before anything the teardown needs is deleted, and says how
 * to go on.
 */
export function teardownHookCallback(deps: TeardownHookDeps): (args: pulumi.ResourceHookArgs) => Promise<void> {
  return async (args) => {
    // The engine goes on deleting as soon as the hook returns: lines still on their way
    // to it would show after the first delete, as if the hook had not finished.
    const sent: Promise<void>[] = [];
    const log = (line: string): void => {
      const p = deps.log(line);
      if (p) sent.push(p);
    };
    try {
      await releaseFromState(args, deps, log);
    } finally {
      await Promise.allSettled(sent);
    }
  };
}

/** What the hook does with the marker's state (teardownHookCallback). */
async function releaseFromState(
  args: pulumi.ResourceHookArgs,
  deps: TeardownHookDeps,
  log: (line: string) => void,
): Promise<void> {
  const state: Record<string, unknown> = { ...(args.oldInputs ?? {}), ...(args.oldOutputs ?? {}) };
  const read = async (key: string): Promise<unknown> => plain(state[key]);
  const [clusterName, region, vpcId, kubeconfig, timeoutSeconds, pollSeconds] = await Promise.all(
    ["clusterName", "region", "vpcId", "kubeconfig", "timeoutSeconds", "pollSeconds"].map(read),
  );
  const skip = `to skip the teardown and delete load balancers by hand instead: pulumi state delete '${args.urn}'`;
  const missing = [
    ["clusterName", clusterName],
    ["region", region],
    ["kubeconfig", kubeconfig],
  ]
    .filter(([, v]) => typeof v !== "string" || v === "")
    .map(([k]) => k);
  if (missing.length > 0)
    throw new Error(
      `teardown marker ${args.urn} has no ${missing.join(", ")} in its state; run \`pulumi up\` once to record them, or ${skip}`,
    );
  const target: TeardownTarget = {
    clusterName: clusterName as string,
    region: region as string,
    ...(typeof vpcId === "string" && vpcId ? { vpcId } : {}),
  };
  const opts: TeardownOptions = {
    progress: log,
    ...(typeof timeoutSeconds === "number" ? { timeoutSeconds } : {}),
    ...(typeof pollSeconds === "number" ? { pollSeconds } : {}),
  };
  try {
    const summary = await releaseClusterResources(
      target,
      await deps.openKube(kubeconfig as string),
      deps.openAws(target.region),
      opts,
    );
    log(
      `released what the cluster made in AWS in ${summary.seconds.toFixed(0)}s: ${summary.phases.map((p) => `${p.phase} ${p.awaited.length}`).join(", ")}`,
    );
  } catch (err) {
    // Nothing has been deleted by Pulumi yet: the controllers, Argo CD and the network are all still there.
    throw new Error(
      `${err instanceof Error ? err.message : String(err)} (the destroy stopped before deleting anything the teardown needs: fix this and run it again; ${skip})`,
    );
  }
}

/** The real dependencies: `@kubernetes/client-node`, the AWS SDK, Pulumi's log. */
const REAL: TeardownHookDeps = {
  openKube: openTeardownKube,
  openAws: openTeardownAws,
  log: (line) => pulumi.log.info(`${TEARDOWN_LOG_PREFIX}${line}`),
};

/** The marker component: its `beforeDelete` hook releases the cluster's AWS leftovers (file comment). */
export class Teardown extends pulumi.ComponentResource {
  /** The hook bound to the marker (named: delete hooks must be, for the engine to find them at destroy). */
  public readonly hook: pulumi.ResourceHook;

  constructor(name: string, args: TeardownArgs, opts?: pulumi.ComponentResourceOptions, deps: TeardownHookDeps = REAL) {
    const hook = new pulumi.ResourceHook(`${name}-release-cluster-resources`, teardownHookCallback(deps));
    super(
      TEARDOWN_TYPE,
      name,
      {},
      { ...opts, hooks: { ...opts?.hooks, beforeDelete: [...(opts?.hooks?.beforeDelete ?? []), hook] } },
    );
    this.hook = hook;
    this.registerOutputs({
      clusterName: args.clusterName,
      region: args.region,
      vpcId: args.vpcId,
      kubeconfig: pulumi.secret(args.kubeconfig),
      ...(args.timeoutSeconds !== undefined ? { timeoutSeconds: args.timeoutSeconds } : {}),
      ...(args.pollSeconds !== undefined ? { pollSeconds: args.pollSeconds } : {}),
    });
  }
}
