/**
 * Kubernetes-side rules: Pod Security levels on every namespace Phoenix creates or has
 * Argo CD create, Helm releases pinned to the catalog, and Velero's schedules scoped to
 * the imperative namespaces.
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { charts } from "../../components/catalog";
import { NAMESPACE_CLASS_LABEL, POD_SECURITY_ENFORCE_LABEL, POD_SECURITY_LEVELS } from "../../components/labels";
import { list, record, strings, type PhoenixPolicy } from "./common";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The Pod Security level a label map enforces, or a description of what is wrong. */
function podSecurityProblem(labels: Record<string, unknown>): string | undefined {
  const level = labels[POD_SECURITY_ENFORCE_LABEL];
  if (level === undefined) return `carries no ${POD_SECURITY_ENFORCE_LABEL} label`;
  if (typeof level !== "string" || !(POD_SECURITY_LEVELS as readonly string[]).includes(level)) {
    return `has ${POD_SECURITY_ENFORCE_LABEL}=${JSON.stringify(level)}, not one of ${POD_SECURITY_LEVELS.join(", ")}`;
  }
  return undefined;
}

/** Mandatory: every namespace Phoenix creates, and every one Argo CD creates for it, enforces a Pod Security level. */
export const namespacesPodSecurity: PhoenixPolicy = {
  name: "namespaces-pod-security",
  description:
    "Every namespace Phoenix creates or has Argo CD create carries a Pod Security Standards level (pod-security.kubernetes.io/enforce): without one, any pod may run privileged, with host paths and host networking.",
  enforcementLevel: "mandatory",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type === NAMESPACE) {
      const problem = podSecurityProblem(record(record(args.props.metadata).labels));
      const name = record(args.props.metadata).name;
      if (problem) report(`namespace ${typeof name === "string" ? name : args.name} ${problem}`);
      return;
    }
    // Namespaces Argo CD creates (CreateNamespace=true) get their labels from
    // managedNamespaceMetadata (Argo CD docs, "Sync Options: Namespace Auto-Creation").
    if (args.type !== HELM_RELEASE || args.props.chart !== charts.argocdApps.chart) return;
    for (const [name, app] of Object.entries(record(record(args.props.values).applications))) {
      const sync = record(record(app).syncPolicy);
      if (!strings(sync.syncOptions).includes("CreateNamespace=true")) continue;
      const problem = podSecurityProblem(record(record(sync.managedNamespaceMetadata).labels));
      if (problem) report(`the namespace Application ${name} creates (managedNamespaceMetadata) ${problem}`);
    }
  },
};

/** Mandatory: a Helm release installs exactly the chart version and repository the catalog pins. */
export const helmReleasesPinned: PhoenixPolicy = {
  name: "helm-releases-pinned",
  description:
    "Every Helm release installs the chart version and repository pinned in components/catalog.ts: a range, a missing version or another repository would let an install pull what nobody reviewed.",
  enforcementLevel: "mandatory",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE) return;
    const p = args.props;
    const pin = Object.values(charts).find((c) => c.chart === p.chart);
    if (!pin) {
      report(`installs chart ${String(p.chart)}, which the catalog does not pin: add it to components/catalog.ts`);
      return;
    }
    if (p.version !== pin.version)
      report(`installs ${pin.chart} version ${String(p.version ?? "(latest)")}; the catalog pins ${pin.version}`);
    const repo = record(p.repositoryOpts).repo;
    if (repo !== pin.repository)
      report(
        `installs ${pin.chart} from ${typeof repo === "string" ? repo : "(no repository)"}; the catalog pins ${pin.repository}`,
      );
  },
};

const SCHEDULE = "kubernetes:velero.io/v1:Schedule";

/** Each namespace of the stack by class: from Namespace labels, and GitOps ones from the Applications' destinations. */
function namespaceClasses(resources: readonly PolicyResource[]): Map<string, string> {
  const classes = new Map<string, string>();
  for (const r of resources.filter((x) => x.type === NAMESPACE)) {
    const meta = record(r.props.metadata);
    const [cls = "unclassified"] = strings(record(meta.labels)[NAMESPACE_CLASS_LABEL]);
    classes.set(String(meta.name), cls);
  }
  for (const r of resources.filter((x) => x.type === HELM_RELEASE && x.props.chart === charts.argocdApps.chart)) {
    for (const app of Object.values(record(record(r.props.values).applications))) {
      const ns = record(record(app).destination).namespace;
      if (typeof ns === "string" && !classes.has(ns)) classes.set(ns, "gitops");
    }
  }
  return classes;
}

/** Every schedule of the stack with its backup template: in Velero's chart values, and as Schedule objects. */
function schedulesOf(
  resources: readonly PolicyResource[],
): { name: string; template: Record<string, unknown>; urn: string }[] {
  const fromValues = resources
    .filter((r) => r.type === HELM_RELEASE && r.props.chart === charts.velero.chart)
    .flatMap((r) =>
      Object.entries(record(record(r.props.values).schedules)).map(([name, sc]) => ({
        name,
        template: record(record(sc).template),
        urn: r.urn,
      })),
    );
  const objects = resources
    .filter((r) => r.type === SCHEDULE)
    .map((r) => ({
      name: strings(record(r.props.metadata).name)[0] ?? r.name,
      template: record(record(r.props.spec).template),
      urn: r.urn,
    }));
  return [...fromValues, ...objects];
}

/** What is wrong with one schedule's scope. */
function scheduleProblems(
  name: string,
  template: Record<string, unknown>,
  classes: ReadonlyMap<string, string>,
): string[] {
  const included = list(template.includedNamespaces);
  const problems: string[] = [];
  if (included.length === 0) problems.push(`schedule ${name} names no namespace, so Velero backs up all of them`);
  for (const ns of included) {
    const cls = typeof ns === "string" ? classes.get(ns) : undefined;
    if (typeof ns !== "string" || /[*?[\]]/.test(ns))
      problems.push(`schedule ${name} includes ${String(ns)}: name imperative namespaces one by one, never a pattern`);
    else if (cls === "gitops")
      problems.push(
        `schedule ${name} includes ${ns}, a GitOps namespace: Argo CD recreates it from Git, and a restore over it fights the sync`,
      );
    else if (cls === "platform")
      problems.push(
        `schedule ${name} includes ${ns}, a platform namespace: Pulumi recreates it, and a restore over it fights the release`,
      );
    else if (cls !== "imperative")
      problems.push(`schedule ${name} includes ${ns}, which is not an imperative namespace of this stack`);
  }
  // Velero's default already takes the cluster-scoped objects the namespaced ones use (PVs);
  // true takes every CRD, ClusterRole and webhook, which Pulumi owns.
  if (template.includeClusterResources === true)
    problems.push(
      `schedule ${name} sets includeClusterResources: true, which backs up every cluster-scoped object Pulumi owns: leave it unset`,
    );
  return problems;
}

/** Mandatory (stack): Velero's schedules back up named imperative namespaces, and nothing else. */
export const veleroSchedulesImperativeOnly: PhoenixPolicy = {
  name: "velero-schedules-imperative-only",
  description:
    "Velero's schedules (chart values and Schedule objects) name only imperative namespaces: GitOps and platform namespaces are recreated from Git and code, and restoring them over a rebuilt cluster fights Argo CD and Pulumi. An empty or wildcard list backs up every namespace (Velero treats empty as *).",
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const schedules = schedulesOf(args.resources);
    const hasVelero = args.resources.some((r) => r.type === HELM_RELEASE && r.props.chart === charts.velero.chart);
    if (!hasVelero && schedules.length === 0) args.notApplicable("no Velero release or schedule in this stack");
    const classes = namespaceClasses(args.resources);
    for (const sc of schedules) for (const p of scheduleProblems(sc.name, sc.template, classes)) report(p, sc.urn);
  },
};
