/**
 * The live audit's judgement, as pure functions: given what a running cluster holds
 * (namespaces, Argo CD Applications, Velero Schedules, the objects that carry state)
 * and optionally the stack's own inventory, give every live namespace exactly one
 * class and say whether a disaster would lose something.
 *
 * Classes and precedence (platform > gitops > imperative > unknown):
 *  - `platform`:   created by EKS (CLUSTER_NAMESPACES), labelled
 *                  `phoenix.platform/namespace-class=platform` (Pulumi labels the plugin
 *                  namespaces so), or a plugin namespace of the given stack. Code
 *                  recreates it; a restore would fight Pulumi and Helm, so it is never
 *                  backed up. It wins over everything.
 *  - `gitops`:     the destination of a live Argo CD Application on this cluster, a
 *                  namespace carrying Argo tracking metadata, one labelled `gitops`
 *                  (the apps layer stamps it through managedNamespaceMetadata), or a
 *                  destination the stack declares. Argo re-applies it from Git and prunes
 *                  restored objects that carry its tracking metadata (velero #7848),
 *                  so backing it up is harmful: it wins over imperative.
 *  - `imperative`: in the stack's `phoenix:namespaces.imperative`, or labelled
 *                  `imperative` (Pulumi creates imperative namespaces with that label, and
 *                  the label stays when a namespace is dropped from the stack file).
 *  - `unknown`:    no evidence at all: typically made by hand or by a root Application
 *                  Phoenix cannot see offline.
 * Evidence for two classes is itself a failing finding (`conflict`): Phoenix refuses
 * such an inventory offline, and live it means two owners may fight over one namespace.
 *
 * This module gives each namespace its class and assembles the result; ./model.ts holds
 * what the audit reads and returns, ./schedules.ts the Velero scopes, ./state.ts what
 * counts as state, and ./verdicts.ts what a classified namespace concludes.
 */
import { IN_CLUSTER } from "../../components/apps/applications";
import { ARGOCD_INSTANCE_LABEL, ARGOCD_TRACKING_ANNOTATION, NAMESPACE_CLASS_LABEL } from "../../components/labels";
import { CLUSTER_NAMESPACES } from "../stacks/names";
import {
  CLASS_PRECEDENCE,
  FAILING_VERDICTS,
  IN_CLUSTER_NAME,
  type AuditInput,
  type AuditResult,
  type AuditRow,
  type Evidence,
  type LiveApplication,
  type LiveClass,
  type LiveNamespace,
  type LiveSchedule,
  type StackInventory,
  type StateSummary,
} from "./model";
import { inactiveReason, scopeCovers } from "./schedules";
import { summarizeState, untrackedState } from "./state";
import { namespaceFindings, namespaceWarnings, worst, type NamespaceCase } from "./verdicts";

// The audit's vocabulary, Velero scopes and state: the command, the report and the tests import them from here.
export * from "./model";
export * from "./schedules";
export * from "./state";

/** Whether an Application deploys into the cluster it runs in (the only one the audit sees). */
export function targetsThisCluster(app: LiveApplication): boolean {
  if (app.destinationServer !== undefined && app.destinationServer !== "") return app.destinationServer === IN_CLUSTER;
  // Argo requires server or name; name alone refers to a cluster secret ("in-cluster" by default).
  return app.destinationName === undefined || app.destinationName === "" || app.destinationName === IN_CLUSTER_NAME;
}

/**
 * Whether an Application only writes into its own namespace: the app-of-apps pattern,
 * whose manifests are other Applications and live in Argo CD's namespace (the Phoenix
 * root Application does exactly this). It does not make Argo CD's namespace GitOps.
 */
export function isAppOfApps(app: LiveApplication): boolean {
  return app.destinationNamespace === app.namespace;
}

/** Every piece of evidence about one namespace. */
export function evidenceFor(ns: LiveNamespace, apps: readonly LiveApplication[], stack?: StackInventory): Evidence[] {
  const ev: Evidence[] = [];
  if (CLUSTER_NAMESPACES.includes(ns.name)) ev.push({ class: "platform", source: "created by EKS" });
  const entry = stack?.inventory.namespaces.find((n) => n.name === ns.name);
  if (stack && entry) {
    for (const source of entry.sources) {
      // CLUSTER_NAMESPACES already said it; do not repeat it as a stack claim.
      if (source !== "eks") ev.push({ class: entry.class, source: `${stack.stackFile} ${source}` });
    }
  }
  const label = ns.labels[NAMESPACE_CLASS_LABEL];
  if (label === "platform" || label === "gitops" || label === "imperative")
    ev.push({ class: label, source: `label ${NAMESPACE_CLASS_LABEL}=${label}` });
  for (const app of apps) {
    if (app.destinationNamespace === ns.name && targetsThisCluster(app) && !isAppOfApps(app)) {
      ev.push({ class: "gitops", source: `Application ${app.namespace}/${app.name}` });
    }
  }
  if (ns.annotations[ARGOCD_TRACKING_ANNOTATION] !== undefined)
    ev.push({ class: "gitops", source: `Argo tracking ${ns.annotations[ARGOCD_TRACKING_ANNOTATION]}` });
  if (ns.labels[ARGOCD_INSTANCE_LABEL] !== undefined)
    ev.push({ class: "gitops", source: `label ${ARGOCD_INSTANCE_LABEL}=${ns.labels[ARGOCD_INSTANCE_LABEL]}` });
  return ev;
}

/** The one class evidence gives, by precedence; `unknown` without evidence. */
export function classOf(evidence: readonly Evidence[]): LiveClass {
  return CLASS_PRECEDENCE.find((c) => evidence.some((e) => e.class === c)) ?? "unknown";
}

/** What the audit sees of the cluster as a whole, for each namespace's case. */
interface Cluster {
  readonly input: AuditInput;
  readonly apps: readonly LiveApplication[];
  readonly schedules: readonly LiveSchedule[];
  readonly state: ReadonlyMap<string, StateSummary>;
  readonly untracked: ReadonlyMap<string, StateSummary>;
}

/** One namespace's class and the evidence for it, the schedules that cover it and the state it holds. */
function namespaceCase(ns: LiveNamespace, cluster: Cluster): NamespaceCase {
  const evidence = evidenceFor(ns, cluster.apps, cluster.input.stack);
  const scoped = cluster.schedules.filter((s) => scopeCovers(s, ns.name));
  return {
    ns,
    evidence,
    cls: classOf(evidence),
    scoped,
    coveredBy: scoped.filter((s) => !inactiveReason(s)).map((s) => s.name),
    inactiveCoveredBy: scoped.flatMap((s) => {
      const reason = inactiveReason(s);
      return reason ? [{ schedule: s.name, reason }] : [];
    }),
    holds: cluster.state.get(ns.name) ?? {},
    outsideGit: cluster.untracked.get(ns.name) ?? {},
    argoInstalled: cluster.input.applications.installed,
    stack: cluster.input.stack,
  };
}

/** What the audit could not see: the CRDs the cluster does not serve. */
function missingNotes(input: AuditInput): string[] {
  const notes: string[] = [];
  if (!input.applications.installed) {
    notes.push(
      "Argo CD is not installed (applications.argoproj.io is not served): GitOps evidence comes from namespace labels and annotations only.",
    );
  }
  if (!input.schedules.installed) {
    notes.push("Velero is not installed (schedules.velero.io is not served): no namespace is backed up.");
  }
  return notes;
}

/** The stack's namespaces the cluster does not have. */
function undeployedNotes(stack: StackInventory | undefined, namespaces: readonly LiveNamespace[]): string[] {
  if (!stack) return [];
  const live = new Set(namespaces.map((n) => n.name));
  return stack.inventory.namespaces
    .filter((n) => !live.has(n.name))
    .map((n) => `${stack.stackFile} declares ${n.class} namespace "${n.name}", which does not exist in the cluster.`);
}

/** Judges every live namespace. Pure: same input, same result. */
export function audit(input: AuditInput): AuditResult {
  const schedules = input.schedules.installed ? input.schedules.items : [];
  const cluster: Cluster = {
    input,
    apps: input.applications.installed ? input.applications.items : [],
    schedules,
    state: summarizeState(input.objects),
    untracked: untrackedState(input.objects),
  };
  const notes = missingNotes(input);
  const warnings: string[] = [];
  for (const s of schedules) {
    const reason = inactiveReason(s);
    if (reason) warnings.push(`schedule ${s.namespace}/${s.name} takes no backups: ${reason}.`);
  }

  const rows: AuditRow[] = [];
  for (const ns of [...input.namespaces].sort((a, b) => a.name.localeCompare(b.name))) {
    const c = namespaceCase(ns, cluster);
    const findings = namespaceFindings(c);
    warnings.push(...namespaceWarnings(c));
    rows.push({
      name: ns.name,
      class: c.cls,
      evidence: c.evidence,
      coveredBy: c.coveredBy,
      inactiveCoveredBy: c.inactiveCoveredBy,
      holdsState: c.holds,
      verdict: worst(findings.map((f) => f.verdict)),
      findings,
    });
  }

  notes.push(...undeployedNotes(input.stack, input.namespaces));
  for (const row of rows)
    for (const f of row.findings) if (!FAILING_VERDICTS.includes(f.verdict)) warnings.push(f.message);
  const failures = rows.flatMap((r) => r.findings.filter((f) => FAILING_VERDICTS.includes(f.verdict)));
  return { rows, failures, warnings, notes, failed: failures.length > 0 };
}
