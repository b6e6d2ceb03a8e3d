/**
 * Stand-ins for the teardown's two worlds. `fakeKubeApi` is a local HTTP server that
 * answers the Kubernetes calls the real `@kubernetes/client-node` adapter makes
 * (cluster-wide list, paged; namespaced delete; merge patch of an Application's
 * finalizers), with finalizers that the "controllers" it simulates process a few lists
 * later. `ScriptedAws` answers from a script of load balancers and network interfaces
 * that disappear after a number of looks (or never). Both write to one event log, so a
 * test can read the order of everything across the two.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  KUBE_APIS,
  type AwsLoadBalancer,
  type AwsNetworkInterface,
  type AwsSecurityGroup,
  type KubeKind,
  type TeardownAws,
  type TeardownTarget,
} from "../../../components/teardown";

export const TOKEN = "teardown-test-token";

/** An object in the fake cluster. */
export interface FakeObject {
  readonly kind: KubeKind;
  readonly namespace: string;
  readonly name: string;
  finalizers?: string[];
  /** A Service's type. */
  readonly type?: string;
  /** Lists of its kind it takes its controller to process its finalizers once deleted (default 1); never with `stuck`. */
  readonly settleAfter?: number;
  readonly stuck?: boolean;
  /** An Application's resources: deleted by "Argo CD" when it goes with the cascade finalizer. */
  readonly manages?: readonly { readonly kind: KubeKind; readonly namespace: string; readonly name: string }[];
}

interface Live extends FakeObject {
  deletionTimestamp?: string;
  countdown: number;
}

export interface FakeKubeApi {
  readonly url: string;
  /** `METHOD path` of every request, in order. */
  readonly requests: string[];
  /** What is in the cluster now, as `Kind namespace/name`. */
  objects(): string[];
  /** Kubeconfig text for the server (token user, plain HTTP). */
  kubeconfig(): string;
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string): unknown => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  code,
});

function basePath(kind: KubeKind): string {
  const api = KUBE_APIS[kind];
  return api.group ? `/apis/${api.group}/${api.version}` : `/api/${api.version}`;
}

/**
 * Starts the fake API server. `absent` kinds answer 404 (their CRD is not installed);
 * `pageSize` pages every list with continue tokens, as the API server does.
 */
export async function fakeKubeApi(
  initial: readonly FakeObject[],
  opts: {
    absent?: readonly KubeKind[];
    pageSize?: number;
    events?: string[];
    /** `METHOD Kind` calls refused with 403, as RBAC would. */ forbidden?: readonly string[];
  } = {},
): Promise<FakeKubeApi> {
  const requests: string[] = [];
  const events = opts.events ?? [];
  const live: Live[] = initial.map((o) => ({
    ...o,
    finalizers: [...(o.finalizers ?? [])],
    countdown: o.settleAfter ?? 1,
  }));
  const kinds = Object.keys(KUBE_APIS) as KubeKind[];
  const find = (kind: KubeKind, ns: string, name: string): Live | undefined =>
    live.find((o) => o.kind === kind && o.namespace === ns && o.name === name);
  const remove = (o: Live): void => void live.splice(live.indexOf(o), 1);

  const toJson = (o: Live): unknown => ({
    apiVersion: KUBE_APIS[o.kind].group ? `${KUBE_APIS[o.kind].group}/${KUBE_APIS[o.kind].version}` : "v1",
    kind: o.kind,
    metadata: {
      namespace: o.namespace,
      name: o.name,
      ...(o.finalizers && o.finalizers.length > 0 ? { finalizers: o.finalizers } : {}),
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp } : {}),
    },
    spec: o.type ? { type: o.type } : {},
  });

  /** The controllers' work between two lists of a kind: deleting objects whose time has come lose their finalizers and go. */
  function settle(kind: KubeKind): void {
    for (const o of live.filter((x) => x.kind === kind && x.deletionTimestamp && !x.stuck)) {
      if (--o.countdown > 0) continue;
      if (kind === "Application" && o.finalizers?.some((f) => f.startsWith("resources-finalizer.argocd.argoproj.io"))) {
        for (const m of o.manages ?? []) {
          const managed = find(m.kind, m.namespace, m.name);
          if (managed) {
            events.push(`argocd deletes ${m.kind} ${m.namespace}/${m.name}`);
            remove(managed);
          }
        }
      }
      remove(o);
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const line = `${req.method} ${url.pathname}`;
    requests.push(`${line}${url.search}`);
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return send(401, status(401, "Unauthorized", "Unauthorized"));
      for (const kind of kinds) {
        const base = basePath(kind);
        if (
          opts.forbidden?.includes(`${req.method} ${kind}`) &&
          url.pathname.startsWith(`${base}/`) &&
          url.pathname.includes(`/${KUBE_APIS[kind].plural}`)
        ) {
          return send(
            403,
            status(
              403,
              "Forbidden",
              `${KUBE_APIS[kind].plural} is forbidden: User "phoenix" cannot ${req.method === "GET" ? "list" : "delete"} resource "${KUBE_APIS[kind].plural}"`,
            ),
          );
        }
        const plural = KUBE_APIS[kind].plural;
        if (url.pathname === `${base}/${plural}` && req.method === "GET") {
          if (opts.absent?.includes(kind))
            return send(404, status(404, "NotFound", "the server could not find the requested resource"));
          settle(kind);
          const items = live.filter((o) => o.kind === kind).map(toJson);
          const from = Number(url.searchParams.get("continue") ?? "0");
          const size = opts.pageSize ?? items.length;
          const next = from + size < items.length ? String(from + size) : undefined;
          return send(200, {
            kind: `${kind}List`,
            apiVersion: "v1",
            metadata: next ? { continue: next } : {},
            items: items.slice(from, from + Math.max(size, 1)),
          });
        }
        const m = new RegExp(`^${base}/namespaces/([^/]+)/${plural}/([^/]+)$`).exec(url.pathname);
        if (!m) continue;
        const o = find(kind, m[1], m[2]);
        if (!o) return send(404, status(404, "NotFound", `${plural} "${m[2]}" not found`));
        if (req.method === "DELETE") {
          events.push(`kube delete ${kind} ${o.namespace}/${o.name}`);
          if (o.finalizers && o.finalizers.length > 0) {
            o.deletionTimestamp ??= new Date().toISOString();
            return send(200, toJson(o));
          }
          remove(o);
          return send(200, toJson(o));
        }
        if (req.method === "PATCH") {
          if (req.headers["content-type"] !== "application/merge-patch+json")
            return send(415, status(415, "UnsupportedMediaType", String(req.headers["content-type"])));
          const patch = JSON.parse(body) as { metadata?: { finalizers?: string[] } };
          events.push(
            `kube patch ${kind} ${o.namespace}/${o.name} finalizers=${(patch.metadata?.finalizers ?? []).join(",")}`,
          );
          o.finalizers = patch.metadata?.finalizers ?? [];
          return send(200, toJson(o));
        }
      }
      send(404, status(404, "NotFound", "the server could not find the requested resource"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests,
    objects: () => live.map((o) => `${o.kind} ${o.namespace}/${o.name}`),
    kubeconfig: () =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "phoenix", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "phoenix", user: { token: TOKEN } }],
        contexts: [{ name: "phoenix", context: { cluster: "phoenix", user: "phoenix" } }],
        "current-context": "phoenix",
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A scripted entry: gone after `looks` answers that still listed it (`Infinity`: never). */
interface Scripted<T> {
  readonly item: T;
  looks: number;
  /** A security group: how many delete calls AWS refuses (in use) before one succeeds. */
  refusals?: number;
}

/** AWS from a script. Load balancers start counting down only once asked for. */
export class ScriptedAws implements TeardownAws {
  private readonly lbs: Scripted<AwsLoadBalancer>[];
  private readonly enis: Scripted<AwsNetworkInterface>[];
  private readonly sgs: Scripted<AwsSecurityGroup>[];
  readonly targets: TeardownTarget[] = [];

  constructor(
    script: {
      readonly loadBalancers?: readonly { item: AwsLoadBalancer; looks: number }[];
      readonly interfaces?: readonly { item: AwsNetworkInterface; looks: number }[];
      readonly securityGroups?: readonly { item: AwsSecurityGroup; looks: number; refusals?: number }[];
    },
    private readonly events: string[],
  ) {
    this.lbs = (script.loadBalancers ?? []).map((s) => ({ ...s }));
    this.enis = (script.interfaces ?? []).map((s) => ({ ...s }));
    this.sgs = (script.securityGroups ?? []).map((s) => ({ ...s }));
  }

  private look<T>(list: Scripted<T>[]): T[] {
    const present = list.filter((s) => s.looks > 0);
    present.forEach((s) => (s.looks -= 1));
    return present.map((s) => s.item);
  }

  clusterLoadBalancers(target: TeardownTarget): Promise<readonly AwsLoadBalancer[]> {
    this.targets.push(target);
    const found = this.look(this.lbs);
    this.events.push(`aws load balancers: ${found.map((l) => l.name).join(",") || "none"}`);
    return Promise.resolve(found);
  }

  loadBalancerInterfaces(vpcId: string): Promise<readonly AwsNetworkInterface[]> {
    const found = this.look(this.enis);
    this.events.push(`aws interfaces in ${vpcId}: ${found.map((e) => e.id).join(",") || "none"}`);
    return Promise.resolve(found);
  }

  loadBalancerSecurityGroups(
    target: TeardownTarget & { readonly vpcId: string },
  ): Promise<readonly AwsSecurityGroup[]> {
    const found = this.look(this.sgs);
    this.events.push(`aws security groups in ${target.vpcId}: ${found.map((g) => g.id).join(",") || "none"}`);
    return Promise.resolve(found);
  }

  deleteSecurityGroup(id: string): Promise<boolean> {
    const sg = this.sgs.find((s) => s.item.id === id && s.looks > 0);
    if (!sg) return Promise.resolve(false);
    if ((sg.refusals ?? 0) > 0) {
      sg.refusals = (sg.refusals ?? 0) - 1;
      this.events.push(`aws delete security group ${id}: in use`);
      return Promise.resolve(false);
    }
    sg.looks = 0;
    this.events.push(`aws delete security group ${id}: deleted`);
    return Promise.resolve(true);
  }
}
