/**
 * Runs the Phoenix program under Pulumi's mock runtime and records every resource it
 * registers (type, name, parent, provider, inputs). No cloud, no CLI, no plugins.
 *
 * Values only the cloud knows (ids, ARNs, endpoints, kubeconfig, availability zones)
 * come back as visible placeholders, `<computed: ...>`, never invented as if real. The
 * partition is the one exception: it is a fixed function of the region code.
 */
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../../components/regions";

/** Prefix of every placeholder the offline runtime returns. */
export const COMPUTED = "<computed:";

/** A placeholder for a value only the cloud knows. */
export function computed(what: string): string {
  return `${COMPUTED} ${what}>`;
}

/** Shown for a secret value. */
export const SECRET = "[secret]";

/** One resource the program registered. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource, or undefined for top-level resources. */
  readonly parentUrn?: string;
  /** URN of the explicit provider, if any. */
  readonly providerUrn?: string;
  /** URNs of the resources it depends on explicitly or through its inputs. */
  readonly dependencies: readonly string[];
  /** Whether a provider manages it (false for component resources). */
  readonly custom: boolean;
  /** Resource options that decide what happens on delete and update. */
  readonly options: { readonly protect: boolean; readonly retainOnDelete: boolean; readonly ignoreChanges: readonly string[] };
  /** Names it was known by before (aliases that name one), `<name>@root` for one without a parent. */
  readonly aliases?: readonly string[];
  /** Inputs, with secrets shown as `[secret]` and unknowns as placeholders. */
  readonly inputs: Record<string, unknown>;
}

type State = Record<string, unknown>;

/** Outputs a real provider computes, per resource type, as placeholders. */
function computedOutputs(type: string, name: string, inputs: State): State {
  const of = (prop: string): string => computed(`${type} ${name}.${prop}`);
  const out: State = {};
  if (type.startsWith("aws:")) out.arn = of("arn");
  switch (type) {
    case "aws:s3/bucket:Bucket":
      if (inputs.bucket === undefined) out.bucket = of("bucket");
      break;
    case "aws:kms/key:Key":
      out.keyId = of("keyId");
      break;
    case "aws:ec2/launchTemplate:LaunchTemplate":
      out.latestVersion = of("latestVersion");
      break;
    case "aws:iam/role:Role":
      if (inputs.name === undefined) out.name = of("name");
      break;
    case "eks:index:Cluster":
      out.kubeconfigJson = of("kubeconfigJson");
      out.kubeconfig = of("kubeconfig");
      // A remote component: one mocked resource whose nested outputs arrive as plain
      // objects (pulumi-eks is a multi-language component: pulumi/pulumi-eks nodejs/eks).
      out.eksCluster = {
        name: inputs.name ?? of("eksCluster.name"),
        arn: of("eksCluster.arn"),
        endpoint: of("eksCluster.endpoint"),
        version: inputs.version,
      };
      out.clusterSecurityGroupId = of("clusterSecurityGroupId");
      out.oidcProviderArn = of("oidcProviderArn");
      out.oidcIssuer = of("oidcIssuer");
      break;
    case "kubernetes:helm.sh/v3:Release":
      out.status = { status: of("status.status") };
      break;
  }
  return out;
}

/** Type token of a stack reference: a read of another stack's outputs. */
export const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** Outputs of other stacks, by fully qualified stack name, for the program's `StackReference`s. */
export type StackOutputs = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** A stack reference the offline run has no outputs for. */
export class UnknownStackReferenceError extends Error {
  constructor(readonly stackName: string, known: readonly string[]) {
    super(`the program reads stack ${stackName}, which the offline run was not given (known: ${known.join(", ") || "none"})`);
    this.name = "UnknownStackReferenceError";
  }
}

/** A stack reference's state: the referenced stack's outputs, as the engine reads them. */
function stackReferenceState(inputs: State, stackOutputs: StackOutputs): State {
  const name = String(inputs.name);
  const outputs = stackOutputs[name];
  if (outputs === undefined) throw new UnknownStackReferenceError(name, Object.keys(stackOutputs));
  return { name, outputs, secretOutputNames: [] };
}

/** Pulumi mocks that return placeholders for everything the cloud would compute. */
export class OfflineMocks implements pulumi.runtime.Mocks {
  constructor(
    private readonly region: string,
    private readonly stackOutputs: StackOutputs = {},
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
    const inputs = args.inputs as State;
    if (args.type === STACK_REFERENCE) return { id: String(inputs.name), state: stackReferenceState(inputs, this.stackOutputs) };
    return {
      id: args.custom === false ? undefined : computed(`${args.type} ${args.name}.id`),
      state: { ...inputs, ...computedOutputs(args.type, args.name, inputs) },
    };
  }

  call(args: pulumi.runtime.MockCallArgs): State {
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const names = [1, 2, 3, 4].map((i) => computed(`availability zone ${i} of ${this.region}`));
        return { id: this.region, names, zoneIds: names.map((n) => n.replace("zone", "zone id")), groupNames: [] };
      }
      case "aws:index/getPartition:getPartition": {
        const p = partitionOf(this.region) ?? { partition: computed("partition"), dnsSuffix: computed("dnsSuffix") };
        return { id: p.partition, ...p, reverseDnsPrefix: p.dnsSuffix.split(".").reverse().join(".") };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { id: computed("account id"), accountId: computed("account id"), arn: computed("caller arn"), userId: computed("user id") };
      case "aws:index/getRegion:getRegion":
        return { id: this.region, name: this.region, region: this.region };
      default:
        // A new data source must be taught here, not silently answered with nothing.
        throw new Error(`the offline runtime has no answer for data source ${args.token}: add it to cli/offline/runtime.ts`);
    }
  }
}

/** What `evaluateOffline` needs. */
export interface OfflineRun {
  readonly project: string;
  readonly stack: string;
  /** Flat config, as the Pulumi CLI would pass it. */
  readonly config: Record<string, string>;
  /** Flat keys Pulumi holds as secrets (`pulumi config set --secret`). */
  readonly secretKeys?: readonly string[];
  /** Run as a preview of a brand-new stack: the mocks return no computed outputs and unknowns stay unknown. */
  readonly preview?: boolean;
  /** Outputs of the stacks the program reads through `StackReference`, by fully qualified name. */
  readonly stackOutputs?: StackOutputs;
  /** The backend's organization (`pulumi.getOrganization()`): DIY backends' fixed `organization` by default. */
  readonly organization?: string;
  /** Wraps the offline mocks (tests: an engine that auto-names resources as a real one does). */
  readonly wrapMocks?: (mocks: pulumi.runtime.Mocks) => pulumi.runtime.Mocks;
}

/** The organization name of DIY backends (file://, s3://), which Phoenix's stack references use by default. */
export const DIY_ORGANIZATION = "organization";

/** What the program registered and returned. */
export interface OfflineResult<T> {
  readonly resources: RecordedResource[];
  /** The program's return value (its stack outputs). */
  readonly outputs: T;
}

// The gRPC request/response surface of the mock monitor that the recorder reads.
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
  getAliasesList?(): { getSpec?(): { getName(): string; getNoparent(): boolean } | undefined }[];
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: Error | null, resp?: RegisterResponse) => void;
interface ReadRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getProperties(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
}
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: Callback): void;
  readResource(req: ReadRequest, cb: Callback): void;
}

/** The named aliases of a registration (the SDK adds unnamed ones for its own type renames). */
function aliasNames(req: RegisterRequest): string[] {
  return (req.getAliasesList?.() ?? [])
    .map((a) => a.getSpec?.())
    .filter((spec): spec is { getName(): string; getNoparent(): boolean } => spec !== undefined && spec.getName() !== "")
    .map((spec) => (spec.getNoparent() ? `${spec.getName()}@root` : spec.getName()));
}

/** Makes recorded inputs printable: secrets masked, unknowns named, resources by URN. */
export function sanitize(value: unknown): unknown {
  if (pulumi.isUnknown(value)) return computed("unknown during preview");
  if (Array.isArray(value)) return value.map(sanitize);
  if (pulumi.Resource.isInstance(value)) return "<resource reference>";
  if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    if (obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return SECRET;
    return Object.fromEntries(
      Object.entries(obj)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, sanitize(v)]),
    );
  }
  return value;
}

/** Mocks that compute nothing: what a preview of a region that does not exist yet sees. */
class PreviewMocks implements pulumi.runtime.Mocks {
  constructor(private readonly inner: OfflineMocks) {}
  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
    // A stack reference reads a stack that exists already (storage outlives the cluster),
    // so even a preview of a new region sees its outputs.
    if (args.type === STACK_REFERENCE) return this.inner.newResource(args);
    return { id: undefined, state: args.inputs as State };
  }
  call(args: pulumi.runtime.MockCallArgs): State {
    return this.inner.call(args);
  }
}

/** Mocks whose first error is also reported to `onError`. */
function failFast(inner: pulumi.runtime.Mocks, onError: (err: unknown) => void): pulumi.runtime.Mocks {
  const guard = <T>(f: () => T | Promise<T>): Promise<T> =>
    Promise.resolve()
      .then(f)
      .catch((err: unknown) => {
        onError(err);
        throw err;
      });
  return { newResource: (args) => guard(() => inner.newResource(args)), call: (args) => guard(() => inner.call(args)) };
}

/**
 * Sets up the mock runtime and config, runs `program` (which must only be imported
 * or called after this), and waits until every registration has been answered.
 */
export async function evaluateOffline<T>(run: OfflineRun, program: () => T): Promise<OfflineResult<T>> {
  const region = run.config["aws:region"] ?? "";
  const stackOutputs = run.stackOutputs ?? {};
  const mocks = new OfflineMocks(region, stackOutputs);
  const chosen = run.preview ? new PreviewMocks(mocks) : mocks;
  // A mock that throws (an unknown stack reference, a data source not taught here) only
  // rejects the registration's own promise: the program would wait forever. The first
  // such error fails the whole run instead.
  let fail: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const guarded = failFast(run.wrapMocks ? run.wrapMocks(chosen) : chosen, (err) => fail(err));
  await pulumi.runtime.setMocks(guarded, run.project, run.stack, run.preview ?? false, run.organization ?? DIY_ORGANIZATION);
  pulumi.runtime.setAllConfig(run.config, [...(run.secretKeys ?? [])]);

  const resources: RecordedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, resp) => {
      if (!err && resp) {
        const provider = req.getProvider();
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parentUrn: req.getParent() || undefined,
          providerUrn: provider ? provider.split("::").slice(0, -1).join("::") : undefined,
          dependencies: [...req.getDependenciesList()].sort(),
          custom: req.getCustom(),
          options: { protect: req.getProtect(), retainOnDelete: req.getRetainondelete(), ignoreChanges: req.getIgnorechangesList() },
          aliases: aliasNames(req),
          inputs: sanitize(pulumi.runtime.deserializeProperties(req.getObject(), true)) as Record<string, unknown>,
        });
      }
      cb(err, resp);
    });

  // Reads (stack references) are recorded too: a plan shows which stacks it reads.
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, cb) =>
    read(req, (err, resp) => {
      if (!err && resp) {
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parentUrn: req.getParent() || undefined,
          dependencies: [...req.getDependenciesList()].sort(),
          custom: true,
          options: { protect: false, retainOnDelete: false, ignoreChanges: [] },
          inputs: sanitize(pulumi.runtime.deserializeProperties(req.getProperties(), true)) as Record<string, unknown>,
        });
      }
      cb(err, resp);
    });

  // @pulumi/pulumi captures `new Error().stack` for every promise and registration it
  // makes (runtime/debuggable.js, for its leak report; runtime/resource.js), which is
  // most of an offline plan's time. Nothing here reads those stacks: capture none while
  // the program runs, unless PHOENIX_STACK_TRACES=1 asks for them to debug the program.
  const stackTraceLimit = Error.stackTraceLimit;
  if (process.env.PHOENIX_STACK_TRACES !== "1") Error.stackTraceLimit = 0;
  try {
    const outputs = program();
    await Promise.race([pulumi.runtime.disconnect(), failed]);
    return { resources, outputs };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Resolves an output-bearing value to plain data (secrets masked). Not for preview runs: unknowns never resolve. */
export async function resolve(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    if (await pulumi.isSecret(value)) return SECRET;
    return resolve(await new Promise<unknown>((r) => value.apply((v) => r(v))));
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolve));
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
