/**
 * The seam between the audit and a real cluster. `ClusterReader` is all the audit asks
 * of Kubernetes; `openCluster` implements it over the command's one Kubernetes client
 * (cli/shared/kube.ts, `@kubernetes/client-node` loaded only when a cluster is opened),
 * using cluster-wide list calls only (one request per kind, not one per namespace), with
 * paging so a large cluster does not answer in one huge response.
 */
import type {
  LiveApplication,
  LiveNamespace,
  LiveObject,
  LiveSchedule,
  Listing,
  StateKind,
  StringMap,
} from "./classify";
import { isRecord, text, texts, valueAt } from "../shared/data";
import {
  apiPath,
  isStatus,
  KubeConfigError,
  KubeError,
  openKubeClient,
  type KubeClient,
  type Query,
} from "../shared/kube";

/** What the audit reads from a cluster. */
export interface ClusterReader {
  /** Where the reader points, for messages: kubeconfig file, context and server. */
  readonly target: ClusterTarget;
  /** Every namespace. */
  listNamespaces(): Promise<LiveNamespace[]>;
  /** Every Argo CD Application in every namespace; not installed when the CRD is absent. */
  listApplications(): Promise<Listing<LiveApplication>>;
  /** Every Velero Schedule; not installed when the CRD is absent. */
  listSchedules(): Promise<Listing<LiveSchedule>>;
  /** Every object of the state kinds, in every namespace. */
  listStateObjects(): Promise<LiveObject[]>;
}

/** Which cluster, and through which kubeconfig. */
export interface ClusterTarget {
  readonly kubeconfig: string;
  readonly context: string;
  readonly server: string;
}

/** The cluster cannot be reached or read: a usage or environment problem (exit 2), not a finding. */
export class ClusterAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClusterAccessError";
  }
}

/** The Argo CD Application and Velero Schedule APIs the audit reads. */
export const APPLICATIONS_API = { group: "argoproj.io", version: "v1alpha1", plural: "applications" } as const;
export const SCHEDULES_API = { group: "velero.io", version: "v1", plural: "schedules" } as const;

/**
 * Secret types excluded on the server by field selector, so the audit does not
 * download every service-account token; `isState` drops them again in case a server
 * ignores the selector.
 */
export const SECRET_FIELD_SELECTOR = "type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1";

function stringMap(v: unknown): StringMap {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** Reduces an `argoproj.io/v1alpha1` Application object to what the audit needs. */
export function toApplication(obj: unknown): LiveApplication {
  return {
    namespace: text(valueAt(obj, "metadata", "namespace")) ?? "",
    name: text(valueAt(obj, "metadata", "name")) ?? "",
    destinationNamespace: text(valueAt(obj, "spec", "destination", "namespace")) || undefined,
    destinationServer: text(valueAt(obj, "spec", "destination", "server")),
    destinationName: text(valueAt(obj, "spec", "destination", "name")),
  };
}

/** Reduces a `velero.io/v1` Schedule object to its namespace scope. */
export function toSchedule(obj: unknown): LiveSchedule {
  const template = valueAt(obj, "spec", "template");
  const filters: string[] = [];
  if (valueAt(template, "labelSelector") !== undefined) filters.push("labelSelector");
  if (valueAt(template, "orLabelSelectors") !== undefined) filters.push("orLabelSelectors");
  for (const key of [
    "includedResources",
    "excludedResources",
    "includedNamespaceScopedResources",
    "excludedNamespaceScopedResources",
  ]) {
    const v = texts(valueAt(template, key));
    if (v.length > 0 && !(key.startsWith("included") && v.length === 1 && v[0] === "*"))
      filters.push(`${key}: ${v.join(",")}`);
  }
  return {
    namespace: text(valueAt(obj, "metadata", "namespace")) ?? "",
    name: text(valueAt(obj, "metadata", "name")) ?? "",
    includedNamespaces: texts(valueAt(template, "includedNamespaces")),
    excludedNamespaces: texts(valueAt(template, "excludedNamespaces")),
    paused: valueAt(obj, "spec", "paused") === true,
    phase: text(valueAt(obj, "status", "phase")),
    objectFilters: filters,
  };
}

/** Reduces a namespaced object to a `LiveObject`. */
export function toObject(kind: StateKind, obj: unknown): LiveObject {
  return {
    kind,
    namespace: text(valueAt(obj, "metadata", "namespace")) ?? "",
    name: text(valueAt(obj, "metadata", "name")) ?? "",
    type: text(valueAt(obj, "type")),
    labels: stringMap(valueAt(obj, "metadata", "labels")),
    annotations: stringMap(valueAt(obj, "metadata", "annotations")),
    owned:
      Array.isArray(valueAt(obj, "metadata", "ownerReferences")) &&
      (valueAt(obj, "metadata", "ownerReferences") as unknown[]).length > 0,
  };
}

/** Reduces a Namespace object. */
export function toNamespace(obj: unknown): LiveNamespace {
  return {
    name: text(valueAt(obj, "metadata", "name")) ?? "",
    labels: stringMap(valueAt(obj, "metadata", "labels")),
    annotations: stringMap(valueAt(obj, "metadata", "annotations")),
    phase: text(valueAt(obj, "status", "phase")),
  };
}

/** The state kinds, and where each is listed cluster-wide (with the Secret field selector). */
const STATE_KINDS: readonly { readonly kind: StateKind; readonly path: string; readonly query?: Query }[] = [
  { kind: "PersistentVolumeClaim", path: apiPath("v1", "persistentvolumeclaims") },
  { kind: "Secret", path: apiPath("v1", "secrets"), query: { fieldSelector: SECRET_FIELD_SELECTOR } },
  { kind: "ConfigMap", path: apiPath("v1", "configmaps") },
  { kind: "Deployment", path: apiPath("apps/v1", "deployments") },
  { kind: "StatefulSet", path: apiPath("apps/v1", "statefulsets") },
  { kind: "DaemonSet", path: apiPath("apps/v1", "daemonsets") },
  { kind: "CronJob", path: apiPath("batch/v1", "cronjobs") },
];

/** Opens the kubeconfig's cluster through the command's one client; its problems are `ClusterAccessError`s. */
async function openClient(kubeconfig: string, context: string | undefined): Promise<KubeClient> {
  try {
    return await openKubeClient({ file: kubeconfig }, context === undefined ? {} : { context });
  } catch (err) {
    if (err instanceof KubeConfigError) throw new ClusterAccessError(err.message);
    throw err;
  }
}

/** Runs one list call, turning transport and auth failures into `ClusterAccessError`. */
async function call<T>(where: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof KubeError) || err.code === undefined) {
      throw new ClusterAccessError(
        `cannot reach the API server of ${where}: ${err instanceof KubeError ? err.detail : (err as Error).message}`,
      );
    }
    if (err.code === 401 || err.code === 403) {
      throw new ClusterAccessError(
        `${where}: not allowed to list ${what} (${err.detail}); the audit needs cluster-wide list on it`,
      );
    }
    throw new ClusterAccessError(`${where}: listing ${what} failed: ${err.detail}`);
  }
}

/** Lists a custom resource in all namespaces; a 404 means its CRD is not installed. */
async function listCustom(
  client: KubeClient,
  where: string,
  api: { group: string; version: string; plural: string },
): Promise<Listing<unknown>> {
  try {
    return { installed: true, items: await client.list(apiPath(`${api.group}/${api.version}`, api.plural)) };
  } catch (err) {
    if (isStatus(err, 404)) return { installed: false };
    return call(where, `${api.plural}.${api.group}`, () => Promise.reject(err as Error));
  }
}

/**
 * Opens the cluster a kubeconfig points at. Throws `ClusterAccessError` when the file
 * cannot be read or the context does not exist; nothing is requested until a list
 * method is called.
 */
export async function openCluster(opts: {
  readonly kubeconfig: string;
  readonly context?: string;
}): Promise<ClusterReader> {
  const client = await openClient(opts.kubeconfig, opts.context);
  const target: ClusterTarget = { kubeconfig: opts.kubeconfig, context: client.context, server: client.server };
  const where = `context "${client.context}" of kubeconfig ${opts.kubeconfig} (server ${client.server})`;
  return {
    target,
    listNamespaces: async () =>
      (await call(where, "namespaces", () => client.list(apiPath("v1", "namespaces")))).map(toNamespace),
    listApplications: async () => {
      const l = await listCustom(client, where, APPLICATIONS_API);
      return l.installed ? { installed: true, items: l.items.map(toApplication) } : l;
    },
    listSchedules: async () => {
      const l = await listCustom(client, where, SCHEDULES_API);
      return l.installed ? { installed: true, items: l.items.map(toSchedule) } : l;
    },
    listStateObjects: async () => {
      const lists = await Promise.all(
        STATE_KINDS.map((k) =>
          call(where, `${k.kind}s`, () => client.list(k.path, k.query)).then((items) =>
            items.map((o) => toObject(k.kind, o)),
          ),
        ),
      );
      return lists.flat();
    },
  };
}

/** Everything the audit reads, in parallel. */
export async function readCluster(reader: ClusterReader): Promise<{
  namespaces: LiveNamespace[];
  applications: Listing<LiveApplication>;
  schedules: Listing<LiveSchedule>;
  objects: LiveObject[];
}> {
  const [namespaces, applications, schedules, objects] = await Promise.all([
    reader.listNamespaces(),
    reader.listApplications(),
    reader.listSchedules(),
    reader.listStateObjects(),
  ]);
  return { namespaces, applications, schedules, objects };
}
