/**
 * `TeardownKube` over `@kubernetes/client-node`. Services through the core API, every
 * other kind through the custom objects API, which serves any API group by its plural
 * (Ingresses and Gateways included). Lists are cluster-wide and paged.
 *
 * `@kubernetes/client-node` 1.x is an ES module and this project is CommonJS: it is
 * loaded with a dynamic `import()`, and only its types statically.
 */
import type * as K8s from "@kubernetes/client-node";
import { KUBE_APIS, type KubeItem, type KubeKind, type KubeListing, type KubeRef, type TeardownKube } from "./release";

/** Page size of list calls. */
const PAGE = 500;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const safeJson = (v: string): unknown => {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
};

/** Reduces a listed object (typed model or raw JSON: both name the fields alike) to a `KubeItem`. */
export function toKubeItem(o: unknown): KubeItem {
  const meta = obj(obj(o).metadata);
  const finalizers = Array.isArray(meta.finalizers)
    ? meta.finalizers.filter((f): f is string => typeof f === "string")
    : [];
  const serviceType = text(obj(obj(o).spec).type);
  return {
    namespace: text(meta.namespace) ?? "",
    name: text(meta.name) ?? "",
    finalizers,
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    ...(serviceType ? { serviceType } : {}),
  };
}

/** Opens the cluster of a kubeconfig's current context. */
export async function openKube(kubeconfig: string): Promise<TeardownKube> {
  // ESM-only package from CommonJS: a dynamic import (see the file comment).
  const k8s: typeof K8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new Error(
      `the kubeconfig has no usable current context (contexts: ${
        kc
          .getContexts()
          .map((c) => c.name)
          .join(", ") || "none"
      })`,
    );
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const notFound = (err: unknown): boolean =>
    err instanceof k8s.ApiException && (err as K8s.ApiException<unknown>).code === 404;
  /** A failed call, named: what was asked, of which server, and the API server's own reason. */
  const failed = (what: string, err: unknown): Error => {
    if (err instanceof k8s.ApiException) {
      const e = err as K8s.ApiException<unknown>;
      const reason = text(obj(typeof e.body === "string" ? safeJson(e.body) : e.body).message) ?? `HTTP ${e.code}`;
      return new Error(
        `${what} on ${cluster.server} failed: ${reason}${e.code === 401 || e.code === 403 ? " (the teardown needs list and delete on these kinds cluster-wide)" : ""}`,
      );
    }
    return new Error(`${what} on ${cluster.server} failed: ${err instanceof Error ? err.message : String(err)}`);
  };

  /** Every page of a list: typed lists name the token `_continue`, raw JSON `continue`. */
  async function pages(page: (cont: string | undefined) => Promise<unknown>): Promise<unknown[]> {
    const items: unknown[] = [];
    let cont: string | undefined;
    do {
      const list = obj(await page(cont));
      if (Array.isArray(list.items)) items.push(...(list.items as unknown[]));
      const meta = obj(list.metadata);
      cont = text(meta._continue) || text(meta.continue) || undefined;
    } while (cont);
    return items;
  }

  return {
    server: cluster.server,
    async list(kind: KubeKind): Promise<KubeListing> {
      const api = KUBE_APIS[kind];
      try {
        const items = await pages((cont) =>
          kind === "Service"
            ? core.listServiceForAllNamespaces({ limit: PAGE, _continue: cont })
            : custom.listCustomObjectForAllNamespaces({ ...api, limit: PAGE, _continue: cont }),
        );
        return { installed: true, items: items.map(toKubeItem) };
      } catch (err) {
        // A 404 on a cluster-wide list: the API (a CRD) is not served.
        if (notFound(err)) return { installed: false };
        throw failed(`listing ${api.plural}`, err);
      }
    },
    async delete(kind: KubeKind, ref: KubeRef): Promise<boolean> {
      try {
        if (kind === "Service") await core.deleteNamespacedService({ namespace: ref.namespace, name: ref.name });
        else
          await custom.deleteNamespacedCustomObject({ ...KUBE_APIS[kind], namespace: ref.namespace, name: ref.name });
        return true;
      } catch (err) {
        if (notFound(err)) return false;
        throw failed(`deleting ${kind} ${ref.namespace}/${ref.name}`, err);
      }
    },
    async setFinalizers(kind: KubeKind, ref: KubeRef, finalizers: readonly string[]): Promise<void> {
      if (kind === "Service") throw new Error("teardown never changes a Service's finalizers");
      try {
        await custom.patchNamespacedCustomObject(
          {
            ...KUBE_APIS[kind],
            namespace: ref.namespace,
            name: ref.name,
            body: { metadata: { finalizers: [...finalizers] } },
          },
          k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        );
      } catch (err) {
        throw failed(`setting the finalizers of ${kind} ${ref.namespace}/${ref.name}`, err);
      }
    },
  };
}
