/**
 * The load balancers a plan makes, as far as the plan can tell. None is a Pulumi
 * resource: the AWS Load Balancer Controller creates them from Kubernetes objects. So
 * this reads the objects the plan declares (a `LoadBalancer` Service, an Ingress, a
 * Gateway) and the Helm values that would create them (Argo CD's `server.ingress` or
 * `server.service.type`). The apps Argo CD deploys from Git are outside the plan:
 * whatever they expose is not counted here (a stack may declare them instead; ./model.ts).
 */
import { isRecord } from "../shared/data";

/** What the cost model reads of a plan resource. */
export interface CostResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** One load balancer the plan makes, and why the model thinks so. */
export interface PlannedLoadBalancer {
  readonly kind: "alb" | "nlb";
  readonly why: string;
}

const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const HELM = "kubernetes:helm.sh/v3:Release";
/** Ingresses sharing this annotation share one ALB (AWS Load Balancer Controller, IngressGroup). */
const GROUP = "alb.ingress.kubernetes.io/group.name";

const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** Argo CD's server exposed by its chart: an Ingress (an ALB) or a LoadBalancer Service (an NLB). */
function argocdBalancers(r: CostResource): PlannedLoadBalancer[] {
  if (r.inputs.chart !== "argo-cd") return [];
  const server = rec(rec(r.inputs.values).server);
  const out: PlannedLoadBalancer[] = [];
  if (rec(server.ingress).enabled === true)
    out.push({ kind: "alb", why: `Helm release ${r.name}: server.ingress.enabled` });
  if (rec(server.service).type === "LoadBalancer")
    out.push({ kind: "nlb", why: `Helm release ${r.name}: server.service.type LoadBalancer` });
  return out;
}

/** The load balancers the plan's own objects make. */
export function plannedLoadBalancers(resources: readonly CostResource[]): PlannedLoadBalancer[] {
  const out: PlannedLoadBalancer[] = [];
  const groups = new Set<string>();
  for (const r of resources) {
    if (r.type === SERVICE && rec(r.inputs.spec).type === "LoadBalancer")
      out.push({ kind: "nlb", why: `Service ${r.name} of type LoadBalancer` });
    else if (r.type === INGRESS) {
      const group = rec(rec(r.inputs.metadata).annotations)[GROUP];
      if (typeof group === "string") {
        if (groups.has(group)) continue;
        groups.add(group);
      }
      out.push({ kind: "alb", why: `Ingress ${r.name}${typeof group === "string" ? ` (group ${group})` : ""}` });
    } else if (r.type === GATEWAY) out.push({ kind: "alb", why: `Gateway ${r.name}` });
    else if (r.type === HELM) out.push(...argocdBalancers(r));
  }
  return out;
}
