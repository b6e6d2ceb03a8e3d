/**
 * The resource modifiers of one restore: Phoenix's standing rules (Argo CD's tracking
 * stripped, as the platform's own ConfigMap holds them) and the portability rewrites of
 * this backup into this region, in one ConfigMap, for Velero reads exactly one per
 * Restore and exactly one key in it (internal/resourcemodifiers/resource_modifiers.go:66-72@v1.18.1).
 * The rewrites ride along in an annotation, so `restore verify` knows what to expect.
 */
import { stringify } from "yaml";
import { restoreModifiers } from "../../components/plugins/velero/restoreModifiers";
import { portabilityModifierRules, type Rewrite } from "./portability";

/** The annotation on a restore's modifiers ConfigMap that records its rewrites (JSON). */
export const REWRITES_ANNOTATION = "phoenix.platform/rewrites";

/** The ConfigMap of one restore's resource modifiers. */
export function restoreModifiersConfigMap(opts: {
  readonly name: string;
  readonly veleroNamespace: string;
  readonly namespaces: readonly string[];
  readonly rewrites: readonly Rewrite[];
}): Record<string, unknown> {
  const standing = restoreModifiers(opts.namespaces) as { version: string; resourceModifierRules: unknown[] };
  const rules = [...standing.resourceModifierRules, ...portabilityModifierRules(opts.rewrites)];
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: opts.name,
      namespace: opts.veleroNamespace,
      labels: { "app.kubernetes.io/managed-by": "phoenix" },
      annotations: { [REWRITES_ANNOTATION]: JSON.stringify(opts.rewrites) },
    },
    data: { "resource-modifiers.yaml": stringify({ version: "v1", resourceModifierRules: rules }) },
  };
}

/** The rewrites recorded on a modifiers ConfigMap; none when it has no (readable) record. */
export function parseRewrites(annotation: string | undefined): Rewrite[] {
  if (!annotation) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch {
    return [];
  }
  const isRewrite = (r: unknown): r is Rewrite => {
    const o = r as Record<string, unknown>;
    return (
      typeof o === "object" &&
      o !== null &&
      typeof o.resource === "string" &&
      typeof o.kind === "string" &&
      typeof o.name === "string" &&
      typeof o.path === "string" &&
      (o.to === undefined || typeof o.to === "string")
    );
  };
  return Array.isArray(parsed) ? parsed.filter(isRewrite) : [];
}
