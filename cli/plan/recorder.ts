/**
 * Records every resource a program registers or reads under Pulumi's mock monitor: its
 * type, name, parent, provider, options, hooks, aliases and inputs, as a plan shows them.
 */
import * as pulumi from "@pulumi/pulumi";
import { computed, SECRET } from "./placeholders";

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
  readonly options: {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
  };
  /** Names of the resource hooks bound to it, by hook type (`beforeDelete`, ...), only when it has any. */
  readonly hooks?: Readonly<Record<string, readonly string[]>>;
  /** Names it was known by before (aliases that name one), `<name>@root` for one without a parent. */
  readonly aliases?: readonly string[];
  /** Inputs, with secrets shown as `[secret]` and unknowns as placeholders. */
  readonly inputs: Record<string, unknown>;
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
  getHooks?(): HooksBinding | undefined;
}
/** A registration's resource hooks: one list of hook names per hook type. */
type HooksBinding = Record<string, unknown>;
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
  registerResourceHook?(req: unknown, cb: (err: Error | null, resp?: unknown) => void): void;
}

/** The hook types a registration can bind, as the SDK's binding message names their getters. */
const HOOK_TYPES = [
  "beforeCreate",
  "afterCreate",
  "beforeUpdate",
  "afterUpdate",
  "beforeDelete",
  "afterDelete",
] as const;

/** The hooks a registration binds, by type; undefined when it binds none. */
function hookNames(req: RegisterRequest): Record<string, string[]> | undefined {
  const binding = req.getHooks?.();
  if (!binding) return undefined;
  const found: Record<string, string[]> = {};
  for (const type of HOOK_TYPES) {
    const getter = binding[`get${type[0].toUpperCase()}${type.slice(1)}List`];
    const names = typeof getter === "function" ? (getter.call(binding) as unknown) : undefined;
    if (Array.isArray(names) && names.length > 0) found[type] = names.map(String);
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

const withHooks = (hooks: Record<string, string[]> | undefined): { hooks?: Record<string, string[]> } =>
  hooks ? { hooks } : {};

/** The named aliases of a registration (the SDK adds unnamed ones for its own type renames). */
function aliasNames(req: RegisterRequest): string[] {
  return (req.getAliasesList?.() ?? [])
    .map((a) => a.getSpec?.())
    .filter(
      (spec): spec is { getName(): string; getNoparent(): boolean } => spec !== undefined && spec.getName() !== "",
    )
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

/**
 * Wraps the mock monitor's registrations and reads so each answered one is recorded into
 * `resources`, in the order the monitor answers them.
 */
export function recordRegistrations(resources: RecordedResource[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  // Pulumi's mock monitor cannot register resource hooks (it has no RegisterResourceHook),
  // and a program that makes one would fail. Hooks never run offline: the registration is
  // answered, and the hooks' names are recorded on the resources they are bound to.
  if (typeof monitor.registerResourceHook !== "function") monitor.registerResourceHook = (_req, cb) => cb(null, {});
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
          options: {
            protect: req.getProtect(),
            retainOnDelete: req.getRetainondelete(),
            ignoreChanges: req.getIgnorechangesList(),
          },
          ...withHooks(hookNames(req)),
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
}
