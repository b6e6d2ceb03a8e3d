/**
 * The CRD check: custom resources a chart renders from values must pass their
 * CustomResourceDefinition. The API server silently prunes fields a CRD does not name.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { RenderedResources } from "../../components/types";
import { schemaValidator } from "./validate";
import { isMap, isPlaceholder, join, kindOf, type Finding, type Schema } from "./values";

/** The CustomResourceDefinition of `kind` among the YAML files in `crdsDir`, if any. */
export function findCrd(crdsDir: string, kind: string): Schema | undefined {
  if (!fs.existsSync(crdsDir)) return undefined;
  for (const f of fs
    .readdirSync(crdsDir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdsDir, f), "utf8"))) {
      const d: unknown = doc.toJS();
      if (
        isMap(d) &&
        d.kind === "CustomResourceDefinition" &&
        isMap(d.spec) &&
        isMap(d.spec.names) &&
        d.spec.names.kind === kind
      )
        return d;
    }
  }
  return undefined;
}

/**
 * The `spec` schema of one version of a CRD, closed: every node that lists `properties`
 * gets `additionalProperties: false` unless it says otherwise or carries
 * `x-kubernetes-preserve-unknown-fields`. The API server silently prunes fields a
 * structural schema does not name, so for Phoenix an unknown field is an error, not a no-op.
 */
export function closedSpecSchema(crd: Schema, version: string): Schema | undefined {
  const versions = isMap(crd.spec) && Array.isArray(crd.spec.versions) ? (crd.spec.versions as unknown[]) : [];
  const v = versions.find((x): x is Schema => isMap(x) && x.name === version);
  const schema = v && isMap(v.schema) && isMap(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
  const spec = schema && isMap(schema.properties) ? schema.properties.spec : undefined;
  if (!isMap(spec)) return undefined;
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (!isMap(node)) return node;
    const n: Schema = Object.fromEntries(Object.entries(node).map(([k, x]) => [k, close(x)]));
    if (n.properties && n.additionalProperties === undefined && !n["x-kubernetes-preserve-unknown-fields"])
      n.additionalProperties = false;
    return n;
  };
  return close(spec) as Schema;
}

/** Checks each entry of a values map the chart renders as custom resources against their CRD. */
export function renderedProblems(
  spec: RenderedResources,
  values: unknown,
  crdsDir: string,
  crdLabel: string,
): { checked: string[]; findings: Finding[] } {
  let entries: unknown = values;
  for (const k of spec.at.split(".")) entries = isMap(entries) ? entries[k] : undefined;
  if (!isMap(entries) || Object.keys(entries).length === 0) return { checked: [], findings: [] };
  const crd = findCrd(crdsDir, spec.kind);
  if (!crd)
    return {
      checked: [],
      findings: [
        { path: spec.at, message: `cannot check: no CustomResourceDefinition of kind ${spec.kind} in ${crdsDir}` },
      ],
    };
  const schema = closedSpecSchema(crd, spec.version);
  if (!schema)
    return {
      checked: [],
      findings: [
        { path: spec.at, message: `cannot check: the ${spec.kind} CRD in ${crdsDir} has no ${spec.version} schema` },
      ],
    };
  const validate = schemaValidator(schema);
  const findings = Object.entries(entries).flatMap(([name, entry]) => {
    if (!isMap(entry))
      return entry === null || isPlaceholder(entry)
        ? []
        : [
            {
              path: join(spec.at, name),
              message: `is ${kindOf(entry)}, but the chart renders a ${spec.kind} from a map`,
            },
          ];
    const at = join(spec.at, name);
    const dropped = Object.keys(entry)
      .filter((k) => !spec.ownKeys.includes(k) && !spec.specKeys.includes(k))
      .map((k) => ({
        path: join(at, k),
        message: `unknown key: the chart's template does not render it into the ${spec.kind} (it uses ${[...spec.ownKeys, ...spec.specKeys].join(", ")})`,
      }));
    const body = Object.fromEntries(Object.entries(entry).filter(([k]) => spec.specKeys.includes(k)));
    return [
      ...dropped,
      ...validate(body).map((f) => ({ path: join(at, f.path), message: `${spec.kind} spec: ${f.message}` })),
    ];
  });
  return { checked: [`${Object.keys(entries).length} ${spec.kind} against the ${crdLabel} CRD`], findings };
}
