/**
 * The modeled timeline of a fresh `pulumi up`: every resource starts when the last
 * thing it waits for (its plan `dependencies`) is done and takes its type's duration
 * from one table. The critical path is the longest chain; its end is the modeled total.
 * A model, not a measurement: every figure is labelled published (with its source) or
 * assumption, and the report says so.
 */
import { table } from "../shared/table";
import { resourceKey, type PlanResource } from "./plan";

/** How a duration is known. */
export type Basis = "published" | "assumption";

/** One row of the duration table. */
export interface DurationRule {
  /** What it applies to, as shown in the report. */
  readonly what: string;
  readonly seconds: number;
  readonly basis: Basis;
  /** Where the figure comes from, or why it was assumed. */
  readonly source: string;
  readonly applies: (r: PlanResource) => boolean;
}

const addon = (names: readonly string[]) => (r: PlanResource) =>
  r.type === "aws:eks/addon:Addon" && names.includes(String(r.inputs.addonName));
const type = (t: string) => (r: PlanResource) => r.type === t;

/**
 * Durations per resource type, first match wins. Published figures are third-party
 * observations of creation times (the sources named), not measured by Phoenix.
 */
export const DURATIONS: readonly DurationRule[] = [
  {
    what: "EKS control plane (eks:index:Cluster)",
    seconds: 900,
    basis: "published",
    source:
      "easontechtalk.com 21-region test of one identical config: 793 s (eu-west-2) to 971 s, most near 900 s; AWS's \"9 minutes or less, on average\" (What's New, 2021-03) is the floor",
    applies: type("eks:index:Cluster"),
  },
  {
    what: "EKS add-ons coredns, aws-ebs-csi-driver",
    seconds: 900,
    basis: "published",
    source:
      'aws-ia/terraform-aws-eks-blueprints #642: they "always take 15 minutes to complete" on a new cluster; pulumi/pulumi-eks #1525 (20 min timeout)',
    applies: addon(["coredns", "aws-ebs-csi-driver"]),
  },
  {
    what: "other EKS add-ons (vpc-cni, kube-proxy, eks-pod-identity-agent)",
    seconds: 60,
    basis: "assumption",
    source: "no published figure; DaemonSets that go ACTIVE without waiting for nodes",
    applies: type("aws:eks/addon:Addon"),
  },
  {
    what: "managed node group",
    seconds: 300,
    basis: "assumption",
    source:
      "no standalone figure; eksctl-io/eksctl #3313 reports ~14 min for control plane and nodes together, minus ~9-10 min for the control plane",
    applies: type("aws:eks/nodeGroup:NodeGroup"),
  },
  {
    what: "NAT gateway",
    seconds: 300,
    basis: "published",
    source: 'kubernetes/kops PR #995: "up to 5 min" from Pending to Available (upper bound)',
    applies: type("aws:ec2/natGateway:NatGateway"),
  },
  {
    what: "VPC",
    seconds: 24,
    basis: "published",
    source: "turbot/steampipe-plugin-aws PR #131 test log: aws_vpc creation complete after 24s",
    applies: type("aws:ec2/vpc:Vpc"),
  },
  {
    what: "subnet",
    seconds: 7,
    basis: "published",
    source: "turbot/steampipe-plugin-aws PR #131 test log: subnets 7 s",
    applies: type("aws:ec2/subnet:Subnet"),
  },
  {
    what: "IAM role",
    seconds: 7,
    basis: "published",
    source: "turbot/steampipe-plugin-aws PR #131 test log: IAM role 7 s",
    applies: type("aws:iam/role:Role"),
  },
  {
    what: "Helm release (atomic: waits until its pods are ready)",
    seconds: 120,
    basis: "assumption",
    source: "no published figure; image pulls and readiness of a few Deployments",
    applies: type("kubernetes:helm.sh/v3:Release"),
  },
  {
    what: "CRD manifests from a release URL",
    seconds: 10,
    basis: "assumption",
    source: "download and server-side apply of a few CRDs",
    applies: type("kubernetes:yaml/v2:ConfigFile"),
  },
  {
    what: "other Kubernetes objects",
    seconds: 2,
    basis: "assumption",
    source: "one API call each",
    applies: (r) => r.type.startsWith("kubernetes:"),
  },
  {
    what: "providers, components, stack references",
    seconds: 0,
    basis: "assumption",
    source: "no cloud call that waits",
    applies: (r) => r.type.startsWith("pulumi:") || r.type.startsWith("phoenix:"),
  },
  {
    what: "other AWS resources",
    seconds: 5,
    basis: "assumption",
    source: "one API call that settles quickly",
    applies: () => true,
  },
];

/** The rule for a resource. */
export function durationOf(r: PlanResource): DurationRule {
  return DURATIONS.find((d) => d.applies(r)) ?? DURATIONS[DURATIONS.length - 1];
}

/** One resource on the modeled timeline. */
export interface TimelineEntry {
  readonly key: string;
  readonly type: string;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly basis: Basis;
}

/** The modeled `pulumi up`. */
export interface Timeline {
  /** Every resource, by start time. */
  readonly entries: readonly TimelineEntry[];
  /** The longest chain of waits, first to last. */
  readonly critical: readonly TimelineEntry[];
  /** Seconds until the last resource is done. */
  readonly total: number;
}

/** Models a fresh `pulumi up` of the plan's resources. */
export function modelTimeline(resources: readonly PlanResource[]): Timeline {
  const byKey = new Map(resources.map((r) => [resourceKey(r), r]));
  const done = new Map<string, { entry: TimelineEntry; via?: string }>();
  const visiting = new Set<string>();
  const visit = (key: string): { entry: TimelineEntry; via?: string } => {
    const known = done.get(key);
    if (known) return known;
    if (visiting.has(key)) throw new Error(`dependency cycle through ${key}`);
    visiting.add(key);
    const r = byKey.get(key);
    if (!r) throw new Error(`unknown resource ${key}`);
    let start = 0;
    let via: string | undefined;
    for (const dep of r.dependencies) {
      if (!byKey.has(dep)) continue;
      const end = visit(dep).entry.end;
      if (via === undefined || end > start) {
        start = end;
        via = dep;
      }
    }
    const rule = durationOf(r);
    const result = {
      entry: { key, type: r.type, name: r.name, start, end: start + rule.seconds, basis: rule.basis },
      via,
    };
    visiting.delete(key);
    done.set(key, result);
    return result;
  };
  for (const key of byKey.keys()) visit(key);
  const entries = [...done.values()]
    .map((d) => d.entry)
    .sort((a, b) => a.start - b.start || a.key.localeCompare(b.key));
  const last = [...done.values()].reduce<{ entry: TimelineEntry; via?: string } | undefined>(
    (m, d) => (!m || d.entry.end > m.entry.end ? d : m),
    undefined,
  );
  const critical: TimelineEntry[] = [];
  for (let at = last; at; at = at.via ? done.get(at.via) : undefined)
    if (at.entry.end > at.entry.start || critical.length === 0) critical.unshift(at.entry);
  return { entries, critical, total: last?.entry.end ?? 0 };
}

/** `12m 30s`. */
export function minutes(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m ${String(s).padStart(2, "0")}s` : `${s}s`;
}

/** When the last Helm release is modeled ready: the platform usable, whatever still settles after it. */
function releasesDone(t: Timeline): string[] {
  const releases = t.entries.filter((e) => e.type === "kubernetes:helm.sh/v3:Release");
  if (releases.length === 0) return [];
  const last = releases.reduce((a, b) => (b.end > a.end ? b : a));
  return [`Last Helm release ready: ${minutes(last.end)} (${last.key})`];
}

/** The timeline for a terminal: the critical path, the total, and the duration table it rests on. */
export function renderTimeline(t: Timeline, stack: string): string {
  const lines = [
    `Modeled critical path of a fresh \`pulumi up\` of ${stack} (a model: durations per resource type from the table below, not a measurement)`,
    ...table(
      ["START", "END", "BASIS", "RESOURCE"],
      t.critical.map((e) => [minutes(e.start), minutes(e.end), e.basis, e.key]),
      "  ",
    ),
    `Modeled total: ${minutes(t.total)} (${t.critical.length} steps on the longest chain)`,
    ...releasesDone(t),
    "",
    "Durations (first matching row applies):",
    ...table(
      ["WHAT", "SECONDS", "BASIS", "SOURCE"],
      DURATIONS.map((d) => [d.what, String(d.seconds), d.basis, d.source]),
      "  ",
    ),
  ];
  return lines.join("\n") + "\n";
}
