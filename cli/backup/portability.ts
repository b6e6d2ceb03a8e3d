/**
 * What in a backup is bound to the region (or the cluster) it was taken in, and what a
 * restore elsewhere does with it: rewrite it through a Velero resource modifier that
 * Phoenix generates, remove it, or stop. Pure: the objects come from the backup's
 * tarball (./check.ts reads it), the target from the stack's plan or the command line.
 */
import type { BackupObject } from "../recovery/backupTarball";
import { escapeRegExp, hasArrayIndex, jsonPatchValue, type Rewrite } from "./rewrites";

export { applyRewrites, jsonPatchValue, portabilityModifierRules, type Rewrite } from "./rewrites";

/** What kind of binding a reference is. */
export type Category = "ecr-image" | "arn" | "endpoint" | "zone" | "storage-class" | "load-balancer" | "irsa";

/** One region- or cluster-bound reference in one field of one object. */
export interface Reference {
  /** Velero's group-resource (`deployments.apps`, `configmaps`). */
  readonly resource: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** JSON pointer of the field (RFC 6901). */
  readonly path: string;
  readonly category: Category;
  /** The bound part of the field: the ARN, the image, the zone, the annotation. */
  readonly found: string;
  readonly action: "rewrite" | "remove" | "stop";
  /** The bound part as restored (rewrite). */
  readonly to?: string;
  readonly why: string;
}

/** Where the restore lands. */
export interface PortabilityTarget {
  readonly sourceRegion: string;
  readonly targetRegion: string;
  /** Storage classes the target cluster has; absent, classes are not checked. */
  readonly storageClasses?: readonly string[];
  /** The target's default class: a claim of a class the target lacks is moved to it. */
  readonly defaultStorageClass?: string;
}

/** The check of one backup. */
export interface PortabilityCheck {
  readonly sourceRegion: string;
  readonly targetRegion: string;
  readonly objects: number;
  readonly references: readonly Reference[];
  /** References that nothing resolves: a restore would leave them broken. */
  readonly unresolved: readonly Reference[];
  /** The fields a restore rewrites or removes, one per field. */
  readonly rewrites: readonly Rewrite[];
  /** What was not checked, and why. */
  readonly notes: readonly string[];
}

/** Fields never read: the server's own, Velero's, and the copy kubectl keeps of the whole object. */
const SKIPPED = [
  /^\/status(\/|$)/,
  /^\/metadata\/(managedFields|uid|resourceVersion|creationTimestamp)(\/|$)/,
  /^\/metadata\/annotations\/kubectl\.kubernetes\.io~1last-applied-configuration$/,
];

/** AWS Load Balancer Controller annotations naming subnets: removed, the controller then discovers the new cluster's subnets by their tags. */
const SUBNET_ANNOTATIONS = [
  "service.beta.kubernetes.io/aws-load-balancer-subnets",
  "alb.ingress.kubernetes.io/subnets",
];

/** Annotations naming security groups or Elastic IPs: regional ids that nothing maps. */
const REGIONAL_ID_ANNOTATIONS = [
  "service.beta.kubernetes.io/aws-load-balancer-security-groups",
  "service.beta.kubernetes.io/aws-load-balancer-extra-security-groups",
  "service.beta.kubernetes.io/aws-load-balancer-eip-allocations",
  "alb.ingress.kubernetes.io/security-groups",
];

const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/** ARN services whose resources keep their identity in a replica in another region (same name). */
const STOPPING_SERVICES: Record<string, string> = {
  acm: "a certificate has another ARN in every region: issue or import one there",
  ec2: "EC2 ids are regional: nothing maps them",
  elasticloadbalancing: "a load balancer is regional: the controller makes a new one",
  wafv2: "a web ACL has another id in every region",
  elasticfilesystem: "a file system is regional",
};

const pointer = (segments: readonly string[]): string =>
  segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
const annotationPath = (key: string): string => pointer(["metadata", "annotations", key]);

/** A leaf of an object, with its pointer. */
interface Leaf {
  readonly path: string;
  readonly value: string;
}

function leaves(value: unknown, at: string[], out: Leaf[], skip: (path: string) => boolean): Leaf[] {
  const path = pointer(at);
  if (skip(path)) return out;
  if (typeof value === "string") out.push({ path, value });
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...at, String(i)], out, skip));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) leaves(v, [...at, k], out, skip);
  return out;
}

/** The bound parts of one string that the region decides: zones, ECR images, ARNs, endpoints. */
function regionReferences(
  value: string,
  t: PortabilityTarget,
): Omit<Reference, "resource" | "kind" | "namespace" | "name" | "path">[] {
  if (t.sourceRegion === t.targetRegion) return [];
  const src = escapeRegExp(t.sourceRegion);
  const out: Omit<Reference, "resource" | "kind" | "namespace" | "name" | "path">[] = [];
  const zone = new RegExp(`^${src}([a-z])$`).exec(value);
  // Phoenix's clusters span a region's first three zones (components/cluster): a, b, c map letter for letter; others may not exist in the target.
  if (zone && "abc".includes(zone[1]))
    out.push({
      category: "zone",
      found: value,
      action: "rewrite",
      to: `${t.targetRegion}${zone[1]}`,
      why: `zone of ${t.sourceRegion}: mapped to the zone of the same letter in ${t.targetRegion}, one of its cluster's three (zone letters are not the same physical zones across accounts and regions)`,
    });
  else if (zone)
    out.push({
      category: "zone",
      found: value,
      action: "stop",
      why: `zone ${value}: the target cluster spans ${t.targetRegion}'s first three zones, and ${t.targetRegion}${zone[1]} may not exist: choose one of a, b, c`,
    });
  else if (value === t.sourceRegion)
    out.push({
      category: "zone",
      found: value,
      action: "rewrite",
      to: t.targetRegion,
      why: `the source region itself (a region label or AWS_REGION): the target region`,
    });
  else if (new RegExp(`^${src}-[a-z]+-\\d+[a-z]$`).test(value))
    out.push({
      category: "zone",
      found: value,
      action: "stop",
      why: `Local Zone of ${t.sourceRegion}: ${t.targetRegion} has its own, choose one`,
    });
  for (const m of value.matchAll(
    new RegExp(`\\d{12}\\.dkr\\.ecr(?:-fips)?\\.${src}\\.amazonaws\\.com(?:\\.cn)?`, "g"),
  )) {
    out.push({
      category: "ecr-image",
      found: m[0],
      action: "rewrite",
      to: m[0].replace(t.sourceRegion, t.targetRegion),
      why: `ECR registry of ${t.sourceRegion}, unreachable when the region is lost: pulled from ${t.targetRegion}'s registry of the same account, which ECR replication must fill`,
    });
  }
  for (const m of value.matchAll(new RegExp(`arn:aws[a-z-]*:([a-z0-9-]+):${src}:\\d{0,12}:[^\\s"',;]+`, "g")))
    out.push(arnReference(m[0], m[1], t));
  for (const m of value.matchAll(new RegExp(`(?<![\\w.-])(?:[a-z0-9-]+\\.)+${src}\\.amazonaws\\.com(?:\\.cn)?`, "g"))) {
    if (m[0].includes(".dkr.ecr")) continue;
    // Only the region of the host's suffix: a bucket or queue name before it may hold the region too.
    out.push({
      category: "endpoint",
      found: m[0],
      action: "rewrite",
      to: m[0].replace(new RegExp(`\\.${src}\\.amazonaws\\.com`), `.${t.targetRegion}.amazonaws.com`),
      why: `regional endpoint of ${t.sourceRegion}: the same service's endpoint in ${t.targetRegion}`,
    });
  }
  return out;
}

function arnReference(
  arn: string,
  service: string,
  t: PortabilityTarget,
): Omit<Reference, "resource" | "kind" | "namespace" | "name" | "path"> {
  const to = arn.replace(`:${t.sourceRegion}:`, `:${t.targetRegion}:`);
  if (service === "kms") {
    // A multi-region key's replicas share its id (mrk-...); any other key exists in one region only.
    return /:key\/mrk-/.test(arn)
      ? {
          category: "arn",
          found: arn,
          action: "rewrite",
          to,
          why: `multi-region KMS key: its replica in ${t.targetRegion} has the same id`,
        }
      : {
          category: "arn",
          found: arn,
          action: "stop",
          why: `KMS key of ${t.sourceRegion} only: use a multi-region key, or a key of ${t.targetRegion}`,
        };
  }
  const stop = STOPPING_SERVICES[service];
  if (stop) return { category: "arn", found: arn, action: "stop", why: stop };
  return {
    category: "arn",
    found: arn,
    action: "rewrite",
    to,
    why: `${service} ARN of ${t.sourceRegion}: the replica of the same name in ${t.targetRegion}, which must exist`,
  };
}

/** The bound parts the field's place decides: load balancer and IRSA annotations, storage classes. */
function placeReferences(
  o: BackupObject,
  leaf: Leaf,
  t: PortabilityTarget,
): Omit<Reference, "resource" | "kind" | "namespace" | "name" | "path">[] {
  if (SUBNET_ANNOTATIONS.some((k) => leaf.path === annotationPath(k))) {
    return [
      {
        category: "load-balancer",
        found: leaf.value,
        action: "remove",
        why: "subnets of the source VPC: removed, the load balancer controller discovers the new cluster's subnets by their tags",
      },
    ];
  }
  if (REGIONAL_ID_ANNOTATIONS.some((k) => leaf.path === annotationPath(k))) {
    return [
      {
        category: "load-balancer",
        found: leaf.value,
        action: "stop",
        why: "security groups and Elastic IPs of the source VPC: create their like in the target, then point the annotation at them",
      },
    ];
  }
  if (o.kind === "ServiceAccount" && leaf.path === annotationPath(IRSA_ANNOTATION)) {
    return [
      {
        category: "irsa",
        found: leaf.value,
        action: "stop",
        why: "IRSA: the role trusts the source cluster's OIDC provider, not the new cluster's: trust the new one (or use EKS Pod Identity)",
      },
    ];
  }
  const isClass =
    (o.kind === "PersistentVolumeClaim" && leaf.path === "/spec/storageClassName") ||
    /^\/spec\/volumeClaimTemplates\/\d+\/spec\/storageClassName$/.test(leaf.path) ||
    leaf.path === annotationPath(STORAGE_CLASS_ANNOTATION);
  if (!isClass || t.storageClasses === undefined || t.storageClasses.includes(leaf.value)) return [];
  return t.defaultStorageClass
    ? [
        {
          category: "storage-class",
          found: leaf.value,
          action: "rewrite",
          to: t.defaultStorageClass,
          why: `the target has no storage class ${leaf.value}: its default, ${t.defaultStorageClass}`,
        },
      ]
    : [
        {
          category: "storage-class",
          found: leaf.value,
          action: "stop",
          why: `the target has no storage class ${leaf.value} and no default one`,
        },
      ];
}

/** The references of one object, and its rewrites (one per field: every rewrite of the field applied). */
function checkObject(o: BackupObject, t: PortabilityTarget): { references: Reference[]; rewrites: Rewrite[] } {
  const secretData = (path: string): boolean => o.kind === "Secret" && /^\/(data|stringData)(\/|$)/.test(path);
  const skip = (path: string): boolean => SKIPPED.some((r) => r.test(path)) || secretData(path);
  const id = { resource: o.resource, kind: o.kind, ...(o.namespace ? { namespace: o.namespace } : {}), name: o.name };
  const references: Reference[] = [];
  const rewrites: Rewrite[] = [];
  for (const leaf of leaves(o.object, [], [], skip)) {
    const found = [...placeReferences(o, leaf, t), ...regionReferences(leaf.value, t)].map((r): Reference => ({
      ...id,
      path: leaf.path,
      ...r,
    }));
    if (found.length === 0) continue;
    references.push(...found);
    if (found.some((r) => r.action === "remove")) rewrites.push({ ...id, path: leaf.path });
    else if (found.some((r) => r.action === "rewrite")) {
      const to = found.reduce(
        (v, r) => (r.action === "rewrite" && r.to !== undefined ? v.split(r.found).join(r.to) : v),
        leaf.value,
      );
      // Inside an array only a JSON patch reaches the field, and Velero's cannot carry quotes, backslashes or line breaks.
      if (hasArrayIndex(leaf.path) && jsonPatchValue(to) === undefined) {
        references.push({
          ...id,
          path: leaf.path,
          category: found[0].category,
          found: found[0].found,
          action: "stop",
          why: "the rewritten value has quotes, backslashes or line breaks, which Velero's JSON patch cannot carry into an array: change it by hand after the restore",
        });
      } else rewrites.push({ ...id, path: leaf.path, to });
    }
  }
  return { references, rewrites };
}

/** Checks the objects of a backup that a restore of `namespaces` brings back (cluster-scoped ones included). */
export function checkPortability(
  objects: readonly BackupObject[],
  namespaces: readonly string[],
  t: PortabilityTarget,
): PortabilityCheck {
  const inScope = objects.filter((o) => o.namespace === undefined || namespaces.includes(o.namespace));
  const results = inScope.map((o) => checkObject(o, t));
  const references = results.flatMap((r) => r.references);
  const notes = [
    "Secret values are not read (never printed, never rewritten): a region-bound value inside a Secret is not found here.",
    ...(t.storageClasses === undefined
      ? ["Storage classes not checked: the target's are unknown (give --stack, or --storage-classes)."]
      : []),
    ...(t.sourceRegion === t.targetRegion
      ? [
          `Same region (${t.targetRegion}): only cluster-bound references (IRSA, storage classes, load balancer annotations) apply.`,
        ]
      : []),
  ];
  return {
    sourceRegion: t.sourceRegion,
    targetRegion: t.targetRegion,
    objects: inScope.length,
    references,
    unresolved: references.filter((r) => r.action === "stop"),
    rewrites: results.flatMap((r) => r.rewrites),
    notes,
  };
}

/**
 * The check as reports show it: each rewritten field by its path, never its value (a
 * ConfigMap's whole value would otherwise reach a report or a CI artifact).
 */
export function reportable<C extends PortabilityCheck>(
  c: C,
): Omit<C, "rewrites"> & {
  readonly rewrites: readonly {
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
    readonly path: string;
    readonly removed: boolean;
  }[];
} {
  return {
    ...c,
    rewrites: c.rewrites.map((r) => ({
      kind: r.kind,
      ...(r.namespace ? { namespace: r.namespace } : {}),
      name: r.name,
      path: r.path,
      removed: r.to === undefined,
    })),
  };
}
