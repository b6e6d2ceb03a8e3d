/**
 * The seam between the audit and a real cluster. `ClusterReader` is all the audit asks
 * of Kubernetes; `openCluster` implements it with `@kubernetes/client-node`, using
 * cluster-wide list calls only (one request per kind, not one per namespace), with
 * paging so a large cluster does not answer in one huge response.
 *
 * `@kubernetes/client-node` 1.x is an ES module and this project is CommonJS: it is
 * loaded with a dynamic `import()` (which Node and tsx allow from CommonJS) and only its
 * types are imported statically, so loading this file costs nothing until a cluster is
 * opened.
 */
import type * as K8s from "@kubernetes/client-node";
import type { LiveApplication, LiveNamespace, LiveObject, LiveSchedule, Listing, StateKind, StringMap } from "./classify";
import { isRecord } from "../shared/data";

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

/** Page size of list calls. */
const PAGE = 500;

/** The Argo CD Application and Velero Schedule APIs the audit reads. */
export const APPLICATIONS_API = { group: "argoproj.io", version: "v1alpha1", plural: "applications" } as const;
export const SCHEDULES_API = { group: "velero.io", version: "v1", plural: "schedules" } as const;

/**
 * Secret types excluded on the server by field selector, so the audit does not
 * download every service-account token; `isState` drops them again in case a server
 * ignores the selector.
 */
export const SECRET_FIELD_SELECTOR = "type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1";

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function stringMap(v: unknown): StringMap {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

/** Reduces an `argoproj.io/v1alpha1` Application object to what the audit needs. */
export function toApplication(obj: unknown): LiveApplication {
  return {
    namespace: str(at(obj, "metadata", "namespace")) ?? "",
    name: str(at(obj, "metadata", "name")) ?? "",
    destinationNamespace: str(at(obj, "spec", "destination", "namespace")) || undefined,
    destinationServer: str(at(obj, "spec", "destination", "server")),
    destinationName: str(at(obj, "spec", "destination", "name")),
  };
}

/** Reduces a `velero.io/v1` Schedule object to its namespace scope. */
export function toSchedule(obj: unknown): LiveSchedule {
  const template = at(obj, "spec", "template");
  const filters: string[] = [];
  if (at(template, "labelSelector") !== undefined) filters.push("labelSelector");
  if (at(template, "orLabelSelectors") !== undefined) filters.push("orLabelSelectors");
  for (const key of ["includedResources", "excludedResources", "includedNamespaceScopedResources", "excludedNamespaceScopedResources"]) {
    const v = strings(at(template, key));
    if (v.length > 0 && !(key.startsWith("included") && v.length === 1 && v[0] === "*")) filters.push(`${key}: ${v.join(",")}`);
  }
  return {
    namespace: str(at(obj, "metadata", "namespace")) ?? "",
    name: str(at(obj, "metadata", "name")) ?? "",
    includedNamespaces: strings(at(template, "includedNamespaces")),
    excludedNamespaces: strings(at(template, "excludedNamespaces")),
    paused: at(obj, "spec", "paused") === true,
    phase: str(at(obj, "status", "phase")),
    objectFilters: filters,
  };
}

/** Reduces a namespaced object to a `LiveObject`. */
export function toObject(kind: StateKind, obj: unknown): LiveObject {
  return {
    kind,
    namespace: str(at(obj, "metadata", "namespace")) ?? "",
    name: str(at(obj, "metadata", "name")) ?? "",
    type: str(at(obj, "type")),
    labels: stringMap(at(obj, "metadata", "labels")),
    annotations: stringMap(at(obj, "metadata", "annotations")),
    owned: Array.isArray(at(obj, "metadata", "ownerReferences")) && (at(obj, "metadata", "ownerReferences") as unknown[]).length > 0,
  };
}

/** Reduces a Namespace object. */
export function toNamespace(obj: unknown): LiveNamespace {
  return {
    name: str(at(obj, "metadata", "name")) ?? "",
    labels: stringMap(at(obj, "metadata", "labels")),
    annotations: stringMap(at(obj, "metadata", "annotations")),
    phase: str(at(obj, "status", "phase")),
  };
}

/** One page of a list: typed lists name the token `_continue`, raw JSON names it `continue`. */
interface Page {
  readonly items: readonly unknown[];
  readonly next?: string;
}

async function listAll(fetchPage: (cont: string | undefined) => Promise<Page>): Promise<unknown[]> {
  const items: unknown[] = [];
  let cont: string | undefined;
  do {
    const page = await fetchPage(cont);
    items.push(...page.items);
    cont = page.next || undefined;
  } while (cont);
  return items;
}

function typedPage(list: { items: readonly unknown[]; metadata?: { _continue?: string } }): Page {
  return { items: list.items, next: list.metadata?._continue };
}

function rawPage(list: unknown): Page {
  const items = at(list, "items");
  return { items: Array.isArray(items) ? (items as unknown[]) : [], next: str(at(list, "metadata", "continue")) };
}

/**
 * Opens the cluster a kubeconfig points at. Throws `ClusterAccessError` when the file
 * cannot be read or the context does not exist; nothing is requested until a list
 * method is called.
 */
export async function openCluster(opts: { readonly kubeconfig: string; readonly context?: string }): Promise<ClusterReader> {
  // ESM-only package from CommonJS: a dynamic import (see the file comment).
  const k8s: typeof K8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(opts.kubeconfig);
  } catch (err) {
    throw new ClusterAccessError(`cannot read kubeconfig ${opts.kubeconfig}: ${(err as Error).message}`);
  }
  const contexts = kc.getContexts().map((c) => c.name);
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) {
      throw new ClusterAccessError(
        `context "${opts.context}" is not in kubeconfig ${opts.kubeconfig}; it has: ${contexts.join(", ") || "no contexts"}`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !kc.getContextObject(context) || !cluster) {
    throw new ClusterAccessError(
      `kubeconfig ${opts.kubeconfig} has no usable current context${context ? ` ("${context}" names no cluster)` : ""}; pass --context, one of: ${contexts.join(", ") || "none"}`,
    );
  }
  const target: ClusterTarget = { kubeconfig: opts.kubeconfig, context, server: cluster.server };
  const where = `context "${context}" of kubeconfig ${opts.kubeconfig} (server ${cluster.server})`;

  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);

  /** Runs one list call, turning transport and auth failures into `ClusterAccessError`. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof k8s.ApiException) {
        const code = (err as K8s.ApiException<unknown>).code;
        const reason = str(at((err as K8s.ApiException<unknown>).body, "message")) ?? `HTTP ${code}`;
        if (code === 401 || code === 403) {
          throw new ClusterAccessError(`${where}: not allowed to list ${what} (${reason}); the audit needs cluster-wide list on it`);
        }
        throw new ClusterAccessError(`${where}: listing ${what} failed: ${reason}`);
      }
      throw new ClusterAccessError(`cannot reach the API server of ${where}: ${(err as Error).message}`);
    }
  }

  /** Lists a custom resource in all namespaces; a 404 means its CRD is not installed. */
  async function listCustom(api: { group: string; version: string; plural: string }): Promise<Listing<unknown>> {
    try {
      const items = await listAll(async (cont) =>
        rawPage((await custom.listCustomObjectForAllNamespaces({ ...api, limit: PAGE, _continue: cont })) as unknown),
      );
      return { installed: true, items };
    } catch (err) {
      if (err instanceof k8s.ApiException && (err as K8s.ApiException<unknown>).code === 404) return { installed: false };
      return call(`${api.plural}.${api.group}`, () => Promise.reject(err as Error));
    }
  }

  return {
    target,
    listNamespaces: async () =>
      (await call("namespaces", () => listAll(async (cont) => typedPage(await core.listNamespace({ limit: PAGE, _continue: cont }))))).map(toNamespace),
    listApplications: async () => {
      const l = await listCustom(APPLICATIONS_API);
      return l.installed ? { installed: true, items: l.items.map(toApplication) } : l;
    },
    listSchedules: async () => {
      const l = await listCustom(SCHEDULES_API);
      return l.installed ? { installed: true, items: l.items.map(toSchedule) } : l;
    },
    listStateObjects: async () => {
      const kinds: [StateKind, (cont: string | undefined) => Promise<Page>][] = [
        ["PersistentVolumeClaim", async (c) => typedPage(await core.listPersistentVolumeClaimForAllNamespaces({ limit: PAGE, _continue: c }))],
        ["Secret", async (c) => typedPage(await core.listSecretForAllNamespaces({ limit: PAGE, _continue: c, fieldSelector: SECRET_FIELD_SELECTOR }))],
        ["ConfigMap", async (c) => typedPage(await core.listConfigMapForAllNamespaces({ limit: PAGE, _continue: c }))],
        ["Deployment", async (c) => typedPage(await apps.listDeploymentForAllNamespaces({ limit: PAGE, _continue: c }))],
        ["StatefulSet", async (c) => typedPage(await apps.listStatefulSetForAllNamespaces({ limit: PAGE, _continue: c }))],
        ["DaemonSet", async (c) => typedPage(await apps.listDaemonSetForAllNamespaces({ limit: PAGE, _continue: c }))],
        ["CronJob", async (c) => typedPage(await batch.listCronJobForAllNamespaces({ limit: PAGE, _continue: c }))],
      ];
      const lists = await Promise.all(kinds.map(([kind, page]) => call(`${kind}s`, () => listAll(page)).then((items) => items.map((o) => toObject(kind, o)))));
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
