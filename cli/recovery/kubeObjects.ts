/**
 * The objects of the restored namespaces as recovery reads and removes them: listed by
 * resource type (a type the server does not serve has none), and deleted by the label
 * Velero puts on what a restore made.
 */
import { text, valueAt } from "../shared/data";
import { apiPath as path, isStatus, type KubeClient, type Query } from "../shared/kube";
import type { ResourceType } from "./adapters";
import type { LiveObject } from "./compare";

/** A list; a 404 (the collection's CRD is not installed) is an empty one. */
export async function listOr404(client: KubeClient, p: string, query: Query = {}): Promise<Record<string, unknown>[]> {
  try {
    return await client.list(p, query);
  } catch (err) {
    if (isStatus(err, 404)) return [];
    throw err;
  }
}

/** Live objects of the resources in the namespaces; a resource not served has none. */
export async function listObjects(
  client: KubeClient,
  namespaces: readonly string[],
  resources: readonly ResourceType[],
): Promise<LiveObject[]> {
  const out: LiveObject[] = [];
  for (const ns of namespaces) {
    for (const r of resources) {
      for (const o of await listOr404(client, path(r.apiVersion, r.plural, ns))) {
        // List items carry no kind or apiVersion of their own: the list's are theirs.
        out.push({
          apiVersion: r.apiVersion,
          kind: r.kind,
          namespace: ns,
          name: text(valueAt(o, "metadata", "name")) ?? "",
          object: { apiVersion: r.apiVersion, kind: r.kind, ...o },
        });
      }
    }
  }
  return out;
}

/** Velero's label on every object a restore makes (pkg/apis/velero/v1/labels_annotations.go:27@v1.18.1). */
const RESTORE_NAME_LABEL = "velero.io/restore-name";

/** Deletes the objects one restore made; the API server's garbage collector takes their dependents. */
export async function deleteRestored(
  client: KubeClient,
  namespaces: readonly string[],
  resources: readonly ResourceType[],
  restore: string,
): Promise<number> {
  let deleted = 0;
  for (const ns of namespaces) {
    for (const r of resources) {
      const found = await listOr404(client, path(r.apiVersion, r.plural, ns), {
        labelSelector: `${RESTORE_NAME_LABEL}=${restore}`,
      });
      for (const o of found) {
        const name = text(valueAt(o, "metadata", "name")) ?? "";
        try {
          await client.request("DELETE", path(r.apiVersion, r.plural, ns, name), {
            propagationPolicy: "Background",
          });
          deleted += 1;
        } catch (err) {
          // Gone already (a Pod its ReplicaSet took with it): what was asked for is done.
          if (!isStatus(err, 404)) throw err;
        }
      }
    }
  }
  return deleted;
}
