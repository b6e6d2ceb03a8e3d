/**
 * What the live audit reads and concludes: the live objects, reduced to what the
 * judgement needs, and the rows, verdicts and findings it gives back.
 */
import type { Inventory, NamespaceClass } from "../stacks/names";

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
export const STATE_KINDS = [
  "PersistentVolumeClaim",
  "Secret",
  "ConfigMap",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
] as const;

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
export const VERDICTS = [
  "backup-covers-platform",
  "backup-covers-gitops",
  "conflict",
  "lost",
  "untracked-in-gitops",
  "imperative-not-backed-up",
  "ok",
] as const;

/** One of `VERDICTS`. */
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that make the audit exit 1. */
export const FAILING_VERDICTS: readonly Verdict[] = [
  "backup-covers-platform",
  "backup-covers-gitops",
  "conflict",
  "lost",
  "untracked-in-gitops",
];

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
