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
 */
import { IN_CLUSTER } from "../../components/apps/applications";
import { ARGOCD_INSTANCE_LABEL, ARGOCD_TRACKING_ANNOTATION, NAMESPACE_CLASS_LABEL } from "../../components/labels";
import { CLUSTER_NAMESPACES, type Inventory, type NamespaceClass } from "../stacks/names";

/** The class of a live namespace: the inventory's three, plus `unknown` (no evidence). */
export type LiveClass = NamespaceClass | "unknown";

/** Precedence, strongest first. */
export const CLASS_PRECEDENCE: readonly NamespaceClass[] = ["platform", "gitops", "imperative"];

/** Name Argo CD gives the cluster it runs in, as an alternative to the `IN_CLUSTER` server URL. */
export const IN_CLUSTER_NAME = "in-cluster";

/** Labels or annotations of an object. */
export type StringMap = Readonly<Record<string, string>>;

/** A live namespace. */
export interface LiveNamespace {
  readonly name: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  /** `Terminating` while it is being deleted. */
  readonly phase?: string;
}

/** A live Argo CD Application (argoproj.io/v1alpha1), reduced to what classification needs. */
export interface LiveApplication {
  /** Namespace the Application object lives in (Argo CD's own, or any with apps-in-any-namespace). */
  readonly namespace: string;
  readonly name: string;
  /** `spec.destination.namespace`; absent when the manifests carry their own namespaces. */
  readonly destinationNamespace?: string;
  /** `spec.destination.server`. */
  readonly destinationServer?: string;
  /** `spec.destination.name`. */
  readonly destinationName?: string;
}

/** A live Velero Schedule (velero.io/v1), reduced to its namespace scope. */
export interface LiveSchedule {
  /** Namespace the Schedule lives in (Velero's). */
  readonly namespace: string;
  readonly name: string;
  /** `spec.template.includedNamespaces`; empty means every namespace (Velero docs, "Resource filtering"). */
  readonly includedNamespaces: readonly string[];
  /** `spec.template.excludedNamespaces`. */
  readonly excludedNamespaces: readonly string[];
  /** `spec.paused`. */
  readonly paused: boolean;
  /** `status.phase` (`Enabled`, `FailedValidation`, ...), when Velero has set one. */
  readonly phase?: string;
  /** Filters that take only some objects of a covered namespace (label selectors, resource lists). */
  readonly objectFilters: readonly string[];
}

/** Kinds the audit reads to decide whether a namespace holds state. */
export const STATE_KINDS = ["PersistentVolumeClaim", "Secret", "ConfigMap", "Deployment", "StatefulSet", "DaemonSet", "CronJob"] as const;

/** One of `STATE_KINDS`. */
export type StateKind = (typeof STATE_KINDS)[number];

/** A namespaced object of one of the state kinds. */
export interface LiveObject {
  readonly kind: StateKind;
  readonly namespace: string;
  readonly name: string;
  /** A Secret's `type`. */
  readonly type?: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  /** It has ownerReferences: a controller made it from another object and makes it again. */
  readonly owned?: boolean;
}

/** A list the cluster may not serve: a CRD that is not installed answers 404. */
export type Listing<T> = { readonly installed: true; readonly items: readonly T[] } | { readonly installed: false };

/** The stack's inventory, when `--stack` is given. */
export interface StackInventory {
  /** Stack file name, for evidence and messages. */
  readonly stackFile: string;
  readonly inventory: Inventory;
}

/** Everything the audit judges. */
export interface AuditInput {
  readonly namespaces: readonly LiveNamespace[];
  readonly applications: Listing<LiveApplication>;
  readonly schedules: Listing<LiveSchedule>;
  readonly objects: readonly LiveObject[];
  readonly stack?: StackInventory;
}

/** One piece of evidence for a class. */
export interface Evidence {
  readonly class: NamespaceClass;
  readonly source: string;
}

/**
 * What a row concludes, worst first. The first five fail the audit; the sixth is a
 * warning (an imperative namespace with nothing in it yet is not a loss).
 */
export const VERDICTS = ["backup-covers-platform", "backup-covers-gitops", "conflict", "lost", "untracked-in-gitops", "imperative-not-backed-up", "ok"] as const;

/** One of `VERDICTS`. */
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that make the audit exit 1. */
export const FAILING_VERDICTS: readonly Verdict[] = ["backup-covers-platform", "backup-covers-gitops", "conflict", "lost", "untracked-in-gitops"];

/** What a namespace holds that neither code nor Git recreates, by kind (object names, sorted). */
export type StateSummary = Readonly<Partial<Record<StateKind, readonly string[]>>>;

/** A schedule whose scope covers a namespace but which takes no backups now. */
export interface InactiveCover {
  readonly schedule: string;
  readonly reason: string;
}

/** One live namespace, judged. */
export interface AuditRow {
  readonly name: string;
  readonly class: LiveClass;
  /** Every piece of evidence, for every class (more than one class = conflict). */
  readonly evidence: readonly Evidence[];
  /** Schedules that take backups of it now. */
  readonly coveredBy: readonly string[];
  /** Schedules whose scope covers it but that take no backups (paused, invalid). */
  readonly inactiveCoveredBy: readonly InactiveCover[];
  /** Its state, by kind; empty when it holds none. */
  readonly holdsState: StateSummary;
  /** The worst verdict of the row. */
  readonly verdict: Verdict;
  /** Every failing or warning message about this namespace. */
  readonly findings: readonly Finding[];
}

/** A message about one namespace. */
export interface Finding {
  readonly namespace: string;
  readonly verdict: Verdict;
  readonly message: string;
}

/** The audit's conclusion. */
export interface AuditResult {
  /** One row per live namespace, sorted by name. */
  readonly rows: readonly AuditRow[];
  /** Findings that fail the audit. */
  readonly failures: readonly Finding[];
  /** Findings and notes that do not fail it. */
  readonly warnings: readonly string[];
  /** What the audit could not see (CRDs absent, ...). */
  readonly notes: readonly string[];
  /** True when there is at least one failing finding: exit 1. */
  readonly failed: boolean;
}

// ---------------------------------------------------------------------------
// Velero namespace globs
// ---------------------------------------------------------------------------

/**
 * Compiles a Velero namespace pattern. Since Velero 1.18 include/exclude entries may be
 * globs: `*` (any run), `?` (one character), `[abc]` and `[a-z]` (velero
 * docs "Namespace Glob Patterns"). `**`, `|`, `(`, `)`, `{`, `}`, `,`, `!`,
 * empty or unclosed brackets are refused by Velero's validation: `undefined` here, so the
 * caller can report the schedule as one that never runs.
 */
export function compileNamespaceGlob(pattern: string): RegExp | undefined {
  if (pattern === "" || pattern.includes("**") || /[|(){},!]/.test(pattern)) return undefined;
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0 || end === i + 1) return undefined;
      const body = pattern.slice(i + 1, end);
      if (body.includes("[")) return undefined;
      // Characters and a-z ranges; everything but '-' between two characters is literal.
      re += `[${body.replace(/[\\^\]]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else if (c === "]") return undefined;
    else re += c.replace(/[.+^$\\/-]/g, (m) => `\\${m}`);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // A reversed range such as [z-a].
    return undefined;
  }
}

/** True when `pattern` has glob characters; literal entries match only themselves. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Whether one Velero namespace pattern matches a namespace name. Invalid patterns match nothing. */
export function globMatches(pattern: string, namespace: string): boolean {
  if (!isGlob(pattern)) return pattern === namespace;
  return compileNamespaceGlob(pattern)?.test(namespace) ?? false;
}

/** Why Velero would refuse a schedule's namespace scope (its backups then fail validation), if it would. */
export function scopeProblems(scope: Pick<LiveSchedule, "includedNamespaces" | "excludedNamespaces">): string[] {
  const problems: string[] = [];
  const inc = scope.includedNamespaces;
  const exc = scope.excludedNamespaces;
  if (inc.length > 1 && inc.includes("*")) problems.push("includedNamespaces mixes '*' with other entries");
  if (exc.includes("*")) problems.push("excludedNamespaces contains '*'");
  for (const p of [...inc, ...exc]) {
    if (p !== "*" && isGlob(p) && !compileNamespaceGlob(p)) problems.push(`"${p}" is not a glob Velero accepts (*, ?, [abc], [a-z])`);
    else if (!isGlob(p) && /[|(){},!]/.test(p)) problems.push(`"${p}" uses a pattern character Velero refuses`);
  }
  for (const p of exc) if (inc.includes(p)) problems.push(`"${p}" is both included and excluded`);
  return problems;
}

/**
 * Whether a schedule's scope takes a namespace, as Velero 1.18 decides it:
 *  - an empty `includedNamespaces`, or the standalone `*`, means every namespace
 *    (Velero docs, "Resource filtering": empty = everything);
 *  - excludes always win over includes;
 *  - with the standalone `*` Velero skips glob expansion, so glob excludes then match
 *    only literally (velero design "wildcard-namespace-support", known limitations).
 */
export function scopeCovers(scope: Pick<LiveSchedule, "includedNamespaces" | "excludedNamespaces">, namespace: string): boolean {
  const inc = scope.includedNamespaces;
  const star = inc.includes("*");
  const excluded = scope.excludedNamespaces.some((p) => (star ? p === namespace : globMatches(p, namespace)));
  if (excluded) return false;
  return inc.length === 0 || star || inc.some((p) => globMatches(p, namespace));
}

/**
 * Why a schedule takes no backups now, or undefined when it does. A paused schedule
 * protects nothing, so it never saves a namespace from `lost`; its scope still counts
 * for `backup-covers-gitops`/`-platform`, because resuming it is one flag away.
 */
export function inactiveReason(s: LiveSchedule): string | undefined {
  if (s.paused) return "paused";
  const problems = scopeProblems(s);
  if (problems.length > 0) return `Velero refuses its scope: ${problems.join("; ")}`;
  if (s.phase === "FailedValidation") return "status FailedValidation";
  return undefined;
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

/** True when Argo CD tracks the object: it comes from Git. */
export function isArgoTracked(o: { readonly labels: StringMap; readonly annotations: StringMap }): boolean {
  return o.annotations[ARGOCD_TRACKING_ANNOTATION] !== undefined || o.labels[ARGOCD_INSTANCE_LABEL] !== undefined;
}

/** Secret types that are not state: recreated by Kubernetes, or a record of objects counted themselves. */
export const STATELESS_SECRET_TYPES: readonly string[] = [
  // The token controller mints these again for their service accounts.
  "kubernetes.io/service-account-token",
  // A Helm release record; the objects the release installed are judged one by one.
  "helm.sh/release.v1",
];

/** ConfigMaps every namespace gets from the control plane. */
export const STATELESS_CONFIGMAPS: readonly string[] = [
  // Published into every namespace by kube-controller-manager.
  "kube-root-ca.crt",
];

/**
 * Whether an object is state that neither code nor Git recreates:
 *  - every PersistentVolumeClaim: its data is on the volume, not in Git, even when
 *    Argo CD tracks the claim object itself;
 *  - Secrets, except service-account tokens and Helm release records;
 *  - ConfigMaps, except `kube-root-ca.crt`;
 *  - Deployments, StatefulSets, DaemonSets, CronJobs: a workload made by hand (or by a
 *    `helm install` from a laptop) exists nowhere else;
 * each except when Argo CD tracks it (then it is in Git). Pods, ReplicaSets and Jobs
 * are left out: their controllers recreate them. An empty namespace is not a loss.
 */
export function isState(o: LiveObject): boolean {
  if (o.kind === "PersistentVolumeClaim") return true;
  if (isArgoTracked(o)) return false;
  if (o.kind === "Secret") return !STATELESS_SECRET_TYPES.includes(o.type ?? "");
  if (o.kind === "ConfigMap") return !STATELESS_CONFIGMAPS.includes(o.name);
  return true;
}

/** The state each namespace holds, by kind, names sorted. */
export function summarizeState(objects: readonly LiveObject[]): Map<string, StateSummary> {
  const byNs = new Map<string, Partial<Record<StateKind, string[]>>>();
  for (const o of objects) {
    if (!isState(o)) continue;
    const summary = byNs.get(o.namespace) ?? {};
    (summary[o.kind] ??= []).push(o.name);
    byNs.set(o.namespace, summary);
  }
  const out = new Map<string, StateSummary>();
  for (const [ns, summary] of byNs) {
    const sorted: Partial<Record<StateKind, readonly string[]>> = {};
    for (const kind of STATE_KINDS) if (summary[kind]) sorted[kind] = [...new Set(summary[kind])].sort();
    out.set(ns, sorted);
  }
  return out;
}

/** Annotation cert-manager puts on the Secrets it issues (the Certificate in Git issues them again). */
export const CERT_MANAGER_CERTIFICATE_ANNOTATION = "cert-manager.io/certificate-name";

/**
 * State in a GitOps namespace that Git does not hold: objects Argo CD does not track,
 * such as a Secret created with kubectl. Claims are left out (their own warning: Git
 * holds the claim, not the data), and so are objects a controller makes again: those
 * with ownerReferences and the Secrets cert-manager issues.
 */
export function untrackedState(objects: readonly LiveObject[]): Map<string, StateSummary> {
  return summarizeState(
    objects.filter(
      (o) => o.kind !== "PersistentVolumeClaim" && !o.owned && !(o.kind === "Secret" && o.annotations[CERT_MANAGER_CERTIFICATE_ANNOTATION] !== undefined),
    ),
  );
}

/** True when the summary holds anything. */
export function holdsAny(state: StateSummary): boolean {
  return STATE_KINDS.some((k) => (state[k]?.length ?? 0) > 0);
}

/** "2 PersistentVolumeClaims, 1 Secret": the summary in words; "nothing" when empty. */
export function describeState(state: StateSummary): string {
  const parts = STATE_KINDS.flatMap((k) => {
    const n = state[k]?.length ?? 0;
    return n === 0 ? [] : [`${n} ${k}${n === 1 ? "" : "s"}`];
  });
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

// ---------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------

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
  if (label === "platform" || label === "gitops" || label === "imperative") ev.push({ class: label, source: `label ${NAMESPACE_CLASS_LABEL}=${label}` });
  for (const app of apps) {
    if (app.destinationNamespace === ns.name && targetsThisCluster(app) && !isAppOfApps(app)) {
      ev.push({ class: "gitops", source: `Application ${app.namespace}/${app.name}` });
    }
  }
  if (ns.annotations[ARGOCD_TRACKING_ANNOTATION] !== undefined) ev.push({ class: "gitops", source: `Argo tracking ${ns.annotations[ARGOCD_TRACKING_ANNOTATION]}` });
  if (ns.labels[ARGOCD_INSTANCE_LABEL] !== undefined) ev.push({ class: "gitops", source: `label ${ARGOCD_INSTANCE_LABEL}=${ns.labels[ARGOCD_INSTANCE_LABEL]}` });
  return ev;
}

/** The one class evidence gives, by precedence; `unknown` without evidence. */
export function classOf(evidence: readonly Evidence[]): LiveClass {
  return CLASS_PRECEDENCE.find((c) => evidence.some((e) => e.class === c)) ?? "unknown";
}

function worst(verdicts: readonly Verdict[]): Verdict {
  return VERDICTS.find((v) => verdicts.includes(v)) ?? "ok";
}

function list(names: readonly string[]): string {
  return names.join(", ");
}

/** Judges every live namespace. Pure: same input, same result. */
export function audit(input: AuditInput): AuditResult {
  const apps = input.applications.installed ? input.applications.items : [];
  const schedules = input.schedules.installed ? input.schedules.items : [];
  const state = summarizeState(input.objects);
  const untracked = untrackedState(input.objects);
  const notes: string[] = [];
  const warnings: string[] = [];
  if (!input.applications.installed) {
    notes.push("Argo CD is not installed (applications.argoproj.io is not served): GitOps evidence comes from namespace labels and annotations only.");
  }
  if (!input.schedules.installed) {
    notes.push("Velero is not installed (schedules.velero.io is not served): no namespace is backed up.");
  }
  for (const s of schedules) {
    const reason = inactiveReason(s);
    if (reason) warnings.push(`schedule ${s.namespace}/${s.name} takes no backups: ${reason}.`);
  }

  const rows: AuditRow[] = [];
  for (const ns of [...input.namespaces].sort((a, b) => a.name.localeCompare(b.name))) {
    const evidence = evidenceFor(ns, apps, input.stack);
    const cls = classOf(evidence);
    const scoped = schedules.filter((s) => scopeCovers(s, ns.name));
    const coveredBy = scoped.filter((s) => !inactiveReason(s)).map((s) => s.name);
    const inactiveCoveredBy = scoped.flatMap((s) => {
      const reason = inactiveReason(s);
      return reason ? [{ schedule: s.name, reason }] : [];
    });
    const holds = state.get(ns.name) ?? {};
    const findings: Finding[] = [];
    const add = (verdict: Verdict, message: string): void => void findings.push({ namespace: ns.name, verdict, message });
    const allCovering = scoped.map((s) => (inactiveReason(s) ? `${s.name} (${inactiveReason(s)})` : s.name));

    if (cls === "platform" && scoped.length > 0) {
      add("backup-covers-platform", `platform namespace "${ns.name}" is in the scope of schedule(s) ${list(allCovering)}: code recreates it and it must never be backed up. Fix: exclude it from the schedule (Velero selects namespaces by name only, velero #2477).`);
    }
    if (cls === "gitops" && scoped.length > 0) {
      add("backup-covers-gitops", `GitOps namespace "${ns.name}" is in the scope of schedule(s) ${list(allCovering)}: Argo CD recreates it from Git, and restored objects with Argo's tracking metadata get pruned (velero #7848). Fix: exclude it from the schedule.`);
    }
    const classes = CLASS_PRECEDENCE.filter((c) => evidence.some((e) => e.class === c));
    if (classes.length > 1) {
      const who = classes.map((c) => `${c} (${evidence.filter((e) => e.class === c).map((e) => e.source).join("; ")})`).join(" vs ");
      add("conflict", `namespace "${ns.name}" has evidence for two classes: ${who}. It is treated as ${cls} (precedence platform > gitops > imperative), but it must have one owner. Fix: remove the claim that is wrong.`);
    }
    if ((cls === "imperative" || cls === "unknown") && holdsAny(holds) && coveredBy.length === 0) {
      const inactive = inactiveCoveredBy.length > 0 ? ` Schedule(s) ${list(inactiveCoveredBy.map((c) => `${c.schedule} (${c.reason})`))} would cover it but take no backups.` : "";
      const fix =
        cls === "unknown"
          ? "Fix: list it in phoenix:namespaces.imperative so Velero backs it up, or move its state into Git."
          : input.stack?.inventory.namespaces.some((n) => n.name === ns.name && n.class === "imperative")
            ? `Fix: ${input.stack.stackFile} lists it, so the live schedules are stale or backups are off: check phoenix:backups and run pulumi up.`
            : "Fix: add it to phoenix:namespaces.imperative (the label alone does not put it in any schedule) and run pulumi up.";
      add("lost", `${cls} namespace "${ns.name}" holds ${describeState(holds)} that no backup and no Git repository covers: it would be lost in a disaster.${inactive} ${fix}`);
    }
    const outsideGit = untracked.get(ns.name) ?? {};
    if (cls === "gitops" && holdsAny(outsideGit)) {
      add(
        "untracked-in-gitops",
        `GitOps namespace "${ns.name}" holds ${describeState(outsideGit)} that Argo CD does not track (${STATE_KINDS.flatMap((k) => outsideGit[k] ?? []).join(", ")}): Git does not recreate them and no backup may cover a GitOps namespace, so they would be lost in a disaster. Fix: put them in Git (a sealed or external secret for credentials), or move them to an imperative namespace.`,
      );
    }
    if (cls === "imperative" && !holdsAny(holds) && coveredBy.length === 0) {
      add("imperative-not-backed-up", `imperative namespace "${ns.name}" is in no active schedule; it holds no state yet, so nothing would be lost today.`);
    }

    // Warnings that do not fail: the audit cannot judge these, a person must.
    if (cls === "gitops" && (holds.PersistentVolumeClaim?.length ?? 0) > 0) {
      warnings.push(`GitOps namespace "${ns.name}" has volumes (${list(holds.PersistentVolumeClaim ?? [])}): Git recreates the claims, not their data. If the data matters, move it to an imperative namespace.`);
    }
    if (cls === "platform" && (holds.PersistentVolumeClaim?.length ?? 0) > 0) {
      warnings.push(`platform namespace "${ns.name}" has volumes (${list(holds.PersistentVolumeClaim ?? [])}): platform namespaces are never backed up.`);
    }
    if (cls === "unknown" && coveredBy.length > 0) {
      warnings.push(`namespace "${ns.name}" has no class; only the breadth of schedule(s) ${list(coveredBy)} backs it up. Classify it.`);
    }
    if (cls === "gitops" && input.applications.installed && !evidence.some((e) => e.source.startsWith("Application "))) {
      warnings.push(`namespace "${ns.name}" is GitOps by metadata only: no live Application deploys into it. If it is orphaned, Git no longer recreates it.`);
    }
    const filtering = scoped.filter((s) => !inactiveReason(s) && s.objectFilters.length > 0);
    if (holdsAny(holds) && (cls === "imperative" || cls === "unknown") && filtering.length > 0) {
      warnings.push(`namespace "${ns.name}": schedule(s) ${list(filtering.map((s) => `${s.name} [${s.objectFilters.join("; ")}]`))} back up only some objects: check that its state is included.`);
    }
    if (ns.phase === "Terminating") warnings.push(`namespace "${ns.name}" is being deleted.`);
    const label = ns.labels[NAMESPACE_CLASS_LABEL];
    if (label !== undefined && !CLASS_PRECEDENCE.includes(label as NamespaceClass)) {
      warnings.push(`namespace "${ns.name}" has ${NAMESPACE_CLASS_LABEL}=${label}, which is not a class (platform, gitops, imperative): ignored.`);
    }

    rows.push({ name: ns.name, class: cls, evidence, coveredBy, inactiveCoveredBy, holdsState: holds, verdict: worst(findings.map((f) => f.verdict)), findings });
  }

  if (input.stack) {
    const live = new Set(input.namespaces.map((n) => n.name));
    for (const n of input.stack.inventory.namespaces) {
      if (!live.has(n.name)) notes.push(`${input.stack.stackFile} declares ${n.class} namespace "${n.name}", which does not exist in the cluster.`);
    }
  }
  for (const row of rows) for (const f of row.findings) if (!FAILING_VERDICTS.includes(f.verdict)) warnings.push(f.message);
  const failures = rows.flatMap((r) => r.findings.filter((f) => FAILING_VERDICTS.includes(f.verdict)));
  return { rows, failures, warnings, notes, failed: failures.length > 0 };
}
