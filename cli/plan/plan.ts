/**
 * The offline plan document and its text rendering: pure functions over what the mock
 * runtime recorded. The JSON form is what the golden test pins and what a reviewer diffs.
 */
import { BACKUP_STORAGE_TYPE } from "../../components/backupStorage";
import { charts } from "../../components/catalog";
import { record } from "../shared/data";
import { renderCost, type PlanCost } from "./costView";
import { table } from "../shared/table";
import type { NamespaceRow } from "../stacks/names";
import type { PolicyVerdict } from "./verdict";
import type { RecordedResource } from "./runtime";
import { TYPE_TOKENS } from "../../components/typeTokens";

/** The three layers, in order, by the type token of their component. */
export const LAYERS = [
  { layer: "storage", type: BACKUP_STORAGE_TYPE, title: "Backup storage (its own project)" },
  { layer: "cluster", type: TYPE_TOKENS.cluster, title: "Layer 1: cluster" },
  { layer: "plugins", type: TYPE_TOKENS.plugins, title: "Layer 2: core plugins" },
  { layer: "apps", type: TYPE_TOKENS.apps, title: "Layer 3: apps" },
] as const;

/** A layer name, or `stack` for anything outside the three components. */
export type LayerName = (typeof LAYERS)[number]["layer"] | "stack";

/** One resource of the plan. */
export interface PlanResource {
  readonly type: string;
  readonly name: string;
  /** Parent as `type::name`, or null at the top. */
  readonly parent: string | null;
  readonly layer: LayerName;
  /** Tree depth below the layer component (0 for the component itself). */
  readonly depth: number;
  /** Delete and update options, only where set (e.g. a bucket that survives destroy). */
  readonly options?: {
    protect?: true;
    retainOnDelete?: true;
    ignoreChanges?: readonly string[];
    hooks?: Readonly<Record<string, readonly string[]>>;
  };
  /**
   * What the engine waits for before creating it, as `type::name`: its explicit
   * `dependsOn` and the resources whose outputs its inputs use (as the SDK sends them
   * in the registration; a component in `dependsOn` stands for its children), plus its
   * explicit provider, which the engine creates first. Sorted.
   */
  readonly dependencies: readonly string[];
  readonly inputs: Record<string, unknown>;
}

/** One Helm release of the plan. */
export interface PlanHelmRelease {
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
  readonly namespace: string;
  readonly layer: LayerName;
  readonly values: unknown;
}

/** One Velero schedule of the plan. */
export interface PlanBackupSchedule {
  readonly name: string;
  readonly schedule: string;
  readonly includedNamespaces: readonly string[];
  readonly excludedNamespaces: readonly string[];
  readonly ttl: string;
  readonly storageLocation: string;
  /** Namespaces whose backup hooks run before and after their volumes are read. */
  readonly hookNamespaces: readonly string[];
}

/** The whole plan document (`--json FILE`). */
export interface PlanDocument {
  readonly stack: string;
  readonly region: string;
  readonly project: string;
  readonly placeholders: string;
  readonly resources: readonly PlanResource[];
  readonly helmReleases: readonly PlanHelmRelease[];
  readonly namespaces: readonly { name: string; class: string; backedUp: boolean; sources: readonly string[] }[];
  readonly backupSchedules: readonly PlanBackupSchedule[];
  readonly outputs: Record<string, unknown>;
  /** The policy pack's verdict on the planned resources (cli/plan/policy.ts); absent in plans written before it ran. */
  readonly policy?: PolicyVerdict;
  /** A platform plan's modeled cost (./cost.ts); absent for a storage stack and in older plans. */
  readonly cost?: PlanCost;
}

/** What the plan is built from. */
export interface PlanInput {
  readonly project: string;
  readonly stack: string;
  readonly region: string;
  readonly resources: readonly RecordedResource[];
  readonly namespaces: readonly NamespaceRow[];
  readonly outputs: Record<string, unknown>;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A value as the plan document shows it: strings as they are, anything else as JSON. */
function shown(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v ?? null);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(shown) : [];
}

/** `type::name` of a recorded resource: how the plan names it. */
export function resourceKey(r: Pick<RecordedResource, "type" | "name">): string {
  return `${r.type}::${r.name}`;
}

/** A resource's dependencies (explicit, through inputs, and its provider) as plan keys. */
function dependencyKeys(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string[] {
  const urns = [...r.dependencies, ...(r.providerUrn ? [r.providerUrn] : [])];
  return [
    ...new Set(
      urns
        .map((u) => byUrn.get(u))
        .filter((d): d is RecordedResource => d !== undefined)
        .map(resourceKey),
    ),
  ].sort();
}

/** Orders the recorded resources as a tree (layers in order, siblings by type then name) and tags each with its layer. */
export function planResources(recorded: readonly RecordedResource[]): PlanResource[] {
  const byUrn = new Map(recorded.map((r) => [r.urn, r]));
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of recorded) {
    const parent = r.parentUrn && byUrn.has(r.parentUrn) ? r.parentUrn : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const layerRank = (r: RecordedResource): number => {
    const i = LAYERS.findIndex((l) => l.type === r.type);
    return i === -1 ? LAYERS.length : i;
  };
  const sorted = (rs: RecordedResource[]): RecordedResource[] =>
    [...rs].sort((a, b) => layerRank(a) - layerRank(b) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));

  const out: PlanResource[] = [];
  const walk = (r: RecordedResource, layer: LayerName, depth: number): void => {
    const parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
    const options = {
      ...(r.options.protect ? { protect: true as const } : {}),
      ...(r.options.retainOnDelete ? { retainOnDelete: true as const } : {}),
      ...(r.options.ignoreChanges.length > 0 ? { ignoreChanges: [...r.options.ignoreChanges] } : {}),
      ...(r.hooks ? { hooks: r.hooks } : {}),
    };
    out.push({
      type: r.type,
      name: r.name,
      parent: parent ? `${parent.type}::${parent.name}` : null,
      layer,
      depth,
      ...(Object.keys(options).length > 0 ? { options } : {}),
      dependencies: dependencyKeys(r, byUrn),
      inputs: r.inputs,
    });
    for (const c of sorted(children.get(r.urn) ?? [])) walk(c, layer, depth + 1);
  };
  for (const root of sorted(children.get(undefined) ?? [])) {
    walk(root, LAYERS.find((l) => l.type === root.type)?.layer ?? "stack", 0);
  }
  return out;
}

/** The Helm releases among the resources. */
export function planHelmReleases(resources: readonly PlanResource[]): PlanHelmRelease[] {
  return resources
    .filter((r) => r.type === HELM_RELEASE)
    .map((r) => ({
      name: shown(r.inputs.name ?? r.name),
      chart: shown(r.inputs.chart),
      version: shown(r.inputs.version),
      repository: shown(record(r.inputs.repositoryOpts).repo),
      namespace: shown(r.inputs.namespace),
      layer: r.layer,
      values: r.inputs.values ?? {},
    }));
}

/** The Velero schedules, read back from the Velero release's values (what will really be deployed). */
export function planBackupSchedules(releases: readonly PlanHelmRelease[]): PlanBackupSchedule[] {
  const velero = releases.find((r) => r.chart === charts.velero.chart);
  const schedules = record(record(velero?.values).schedules);
  return Object.keys(schedules)
    .sort()
    .map((name) => {
      const s = record(schedules[name]);
      const t = record(s.template);
      return {
        name,
        schedule: shown(s.schedule),
        includedNamespaces: strings(t.includedNamespaces),
        excludedNamespaces: strings(t.excludedNamespaces),
        ttl: shown(t.ttl),
        storageLocation: shown(t.storageLocation),
        hookNamespaces: (Array.isArray(record(t.hooks).resources) ? (record(t.hooks).resources as unknown[]) : [])
          .flatMap((h) => strings(record(h).includedNamespaces))
          .sort(),
      };
    });
}

/** Builds the plan document. */
export function buildPlan(input: PlanInput): PlanDocument {
  const resources = planResources(input.resources);
  const helmReleases = planHelmReleases(resources);
  const backupSchedules = planBackupSchedules(helmReleases);
  // "Backed up" is read from the schedules Velero will really get, not from the config
  // that was meant to produce them.
  const scheduled = new Set(backupSchedules.flatMap((s) => s.includedNamespaces));
  return {
    stack: input.stack,
    region: input.region,
    project: input.project,
    placeholders:
      "Values only AWS or the cluster knows (ids, ARNs, endpoints, availability zones, kubeconfig) read <computed: ...>; secrets read [secret].",
    resources,
    helmReleases,
    namespaces: input.namespaces.map((n) => ({
      name: n.name,
      class: n.class,
      backedUp: scheduled.has(n.name),
      sources: [...n.sources],
    })),
    backupSchedules,
    outputs: input.outputs,
  };
}

/** The stack outputs, one per line: what other stacks read. */
function renderOutputs(doc: PlanDocument): string {
  const rows = Object.entries(doc.outputs).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
  return ["Outputs", ...table(["OUTPUT", "VALUE"], rows, "  ")].join("\n") + "\n";
}

/** Renders the plan for a terminal. */
export function renderPlan(doc: PlanDocument): string {
  const lines: string[] = [
    `Phoenix offline plan: stack ${doc.stack}, region ${doc.region} (project ${doc.project})`,
    doc.placeholders,
    "",
  ];
  for (const l of [...LAYERS, { layer: "stack", title: "Outside the layers" } as const]) {
    const rs = doc.resources.filter((r) => r.layer === l.layer);
    if (rs.length === 0) continue;
    lines.push(`${l.title} (${rs.length} resources)`);
    for (const r of rs) lines.push(`${"  ".repeat(r.depth + 1)}${r.type}  ${r.name}`);
    lines.push("");
  }
  // A storage stack has no releases, namespaces or schedules: those sections are the platform's.
  if (doc.helmReleases.length === 0 && doc.namespaces.length === 0) return lines.join("\n") + renderOutputs(doc);
  lines.push("Helm releases");
  lines.push(
    ...table(
      ["RELEASE", "CHART", "VERSION", "REPOSITORY", "NAMESPACE", "LAYER"],
      doc.helmReleases.map((h) => [h.name, h.chart, h.version, h.repository, h.namespace, h.layer]),
      "  ",
    ),
  );
  lines.push("", "Namespaces");
  lines.push(
    ...table(
      ["NAMESPACE", "CLASS", "BACKED UP", "FROM"],
      doc.namespaces.map((n) => [n.name, n.class, n.backedUp ? "yes" : "no", n.sources.join(", ")]),
      "  ",
    ),
  );
  lines.push("", "Backup schedules (Velero)");
  if (doc.backupSchedules.length === 0) {
    lines.push("  none: no imperative namespace, or phoenix:backups.enabled is false");
  } else {
    lines.push(
      ...table(
        ["SCHEDULE", "CRON", "TTL", "INCLUDED NAMESPACES", "HOOKS IN"],
        doc.backupSchedules.map((s) => [
          s.name,
          s.schedule,
          s.ttl,
          s.includedNamespaces.join(", "),
          s.hookNamespaces.join(", ") || "-",
        ]),
        "  ",
      ),
    );
  }
  if (doc.cost) lines.push(...renderCost(doc.cost, doc.stack, doc.region));
  return lines.join("\n") + "\n";
}
