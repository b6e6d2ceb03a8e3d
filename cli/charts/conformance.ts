/**
 * Chart conformance: checks the values Phoenix gives each Helm release against the
 * chart version it pins, read from a directory laid out as
 * `DIR/<chart>/<version>/{values.yaml, values.schema.json, crds/}`.
 *
 * Helm never checks that a key exists, so a misspelt key is silently ignored; the API
 * server silently prunes fields a CRD does not name. Both would leave a cluster that
 * differs from the code without any error. `stacks/chartsVerify.ts` is the CLI
 * (`npm run charts:verify`); everything here is a function of the values and the files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import { parseAllDocuments } from "yaml";
import { readYaml as readYamlFile, YamlFileError } from "../shared/yaml";
import { COMPUTED, SECRET } from "../plan/runtime";
import { SECRET_PLACEHOLDER } from "../stacks/stackFile";
import { BOOTSTRAP_FREE_FORM_VALUES, BOOTSTRAP_RENDERED_RESOURCES } from "../../components/apps/applications";
import { charts } from "../../components/catalog";
import { pluginFreeFormValues, plugins } from "../../components/plugins/registry";
import type { RenderedResources } from "../../components/types";

/** A JSON schema node or a parsed YAML map. */
export type Schema = Record<string, unknown>;

/** What a release needs to be checked: its chart pin and values. */
export interface ReleaseValues {
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
  readonly values: unknown;
}

/** Which check found a problem. */
export type Check = "chart" | "values" | "keys" | "schema" | "crd";

/** One thing wrong with a release's values. */
export interface Problem {
  readonly release: string;
  /** `chart@version`. */
  readonly chart: string;
  /** Key path in the values: dotted, `[]` for every item of a list, `[n]` for item n; empty for the whole release. */
  readonly path: string;
  readonly check: Check;
  readonly message: string;
}

/** The result for one release: what was checked, and what is wrong. */
export interface ReleaseReport {
  readonly release: string;
  /** `chart@version`. */
  readonly chart: string;
  readonly checked: readonly string[];
  readonly problems: readonly Problem[];
}

/** A finding before it is tagged with its release. */
interface Finding {
  readonly path: string;
  readonly message: string;
}

/**
 * Key paths whose keys the chart does not enumerate, per chart: below each path any key
 * is accepted by the key-path check (a chart's values.schema.json, where it has one,
 * still applies). Each plugin's registry entry carries its own (`freeFormValues`, with the
 * reason for each path); the apps layer carries the argocd-apps chart's. A misspelling
 * under a listed path is no longer caught: test/cli/charts/command.test.ts checks that
 * every listed path exists in the reference chart's values.yaml or schema.
 */
export const FREE_FORM: Readonly<Record<string, readonly string[]>> = {
  ...pluginFreeFormValues(),
  [charts.argocdApps.chart]: BOOTSTRAP_FREE_FORM_VALUES,
};

/**
 * The custom resources checked against their CRDs: what each plugin entry declares, and
 * the apps layer's bootstrap (components/apps/applications.ts), each with the chart
 * template it follows.
 */
export const RENDERED: readonly RenderedResources[] = [...plugins().flatMap((p) => p.renderedResources ?? []), ...BOOTSTRAP_RENDERED_RESOURCES];

function isMap(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * True for a value only AWS, the cluster or the secrets provider knows (`<computed: ...>`,
 * `[secret]`, an undecrypted `secure:` value), alone or interpolated into a string. Its
 * real value, even its type, is unknown offline: the checks neither pass nor fail it, so
 * a computed id where the schema wants a number is not reported, and nothing is claimed
 * about it either.
 */
export function isPlaceholder(v: unknown): boolean {
  return typeof v === "string" && (v.includes(COMPUTED) || v === SECRET || v.includes(SECRET_PLACEHOLDER));
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? "a list" : isMap(v) ? "a map" : `a ${typeof v}`;
}

/** The directory of one chart version in the cache. */
export function chartDir(chartsDir: string, chart: string, version: string): string {
  return path.join(chartsDir, chart, version);
}

// ---------------------------------------------------------------- schema navigation

function resolveRef(root: Schema, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined; // remote refs: not followed
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter((s) => s !== "")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isMap(node) ? node[key] : undefined;
  }
  return node;
}

/** A schema node with its `$ref` and combinator branches, flattened: every node that constrains this spot. */
function expand(node: unknown, root: Schema, seen: Set<unknown> = new Set()): Schema[] {
  if (!isMap(node) || seen.has(node)) return [];
  seen.add(node);
  const out: Schema[] = [node];
  if (typeof node.$ref === "string") out.push(...expand(resolveRef(root, node.$ref), root, seen));
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const branches = node[k];
    if (Array.isArray(branches)) for (const b of branches) out.push(...expand(b, root, seen));
  }
  for (const k of ["then", "else"]) out.push(...expand(node[k], root, seen));
  return out;
}

/**
 * Schemas for key `key` below `nodes`: named in `properties`, matched by
 * `patternProperties`, or covered by an `additionalProperties` that is itself a
 * non-empty schema (the schema documenting a typed free-form map). A bare
 * `additionalProperties: true` declares nothing: it is only the schema being open.
 */
function propertySchemas(nodes: readonly Schema[], root: Schema, key: string): Schema[] {
  return nodes.flatMap((n) => {
    const found: unknown[] = [];
    if (isMap(n.properties) && Object.hasOwn(n.properties, key)) found.push(n.properties[key]);
    if (isMap(n.patternProperties)) {
      for (const [pattern, s] of Object.entries(n.patternProperties)) {
        try {
          if (new RegExp(pattern, "u").test(key)) found.push(s);
        } catch {
          // A pattern JavaScript cannot compile declares nothing here.
        }
      }
    }
    if (isMap(n.additionalProperties) && Object.keys(n.additionalProperties).length > 0) found.push(n.additionalProperties);
    // `true` is the schema that allows anything: declared, with nothing below it.
    return found.flatMap((s) => expand(s === true ? {} : s, root));
  });
}

function itemSchemas(nodes: readonly Schema[], root: Schema): Schema[] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : isMap(v) ? [v] : []);
  return nodes.flatMap((n) => [...list(n.items), ...list(n.prefixItems)].flatMap((s) => expand(s, root)));
}

function declaresKeys(nodes: readonly Schema[]): boolean {
  return nodes.some((n) => (isMap(n.properties) && Object.keys(n.properties).length > 0) || isMap(n.patternProperties) || (isMap(n.additionalProperties) && Object.keys(n.additionalProperties).length > 0));
}

// ---------------------------------------------------------------- key paths

interface KeyContext {
  readonly freeForm: ReadonlySet<string>;
  readonly root: Schema;
  readonly hasSchema: boolean;
  /** Compare value kinds (map, list, scalar) with the defaults: only for charts without a schema, where it is the only type check. */
  readonly kinds: boolean;
}

function walkKeys(value: unknown, defaults: unknown, schemas: readonly Schema[], at: string, ctx: KeyContext): Finding[] {
  if (isPlaceholder(value) || ctx.freeForm.has(at)) return [];
  const hasDefault = defaults !== undefined && defaults !== null;
  if (isMap(value)) {
    if (ctx.kinds && hasDefault && !isMap(defaults)) return [{ path: at, message: `is a map, but the chart's default here is ${kindOf(defaults)}` }];
    return Object.entries(value).flatMap(([k, v]) => {
      const p = join(at, k);
      const inDefaults = isMap(defaults) && Object.hasOwn(defaults, k);
      const declared = propertySchemas(schemas, ctx.root, k);
      if (!inDefaults && declared.length === 0) {
        return [{ path: p, message: `unknown key: not in the chart's values.yaml${ctx.hasSchema ? " nor in its values.schema.json" : ""}, so the chart ignores it (misspelt, or not in this chart version?)` }];
      }
      return walkKeys(v, inDefaults ? defaults[k] : undefined, declared, p, ctx);
    });
  }
  if (Array.isArray(value)) {
    if (ctx.kinds && hasDefault && !Array.isArray(defaults)) return [{ path: at, message: `is a list, but the chart's default here is ${kindOf(defaults)}` }];
    const p = `${at}[]`;
    if (ctx.freeForm.has(p)) return [];
    // A list replaces the default list as a whole; its items are compared with the
    // chart's first example item, when the default has one.
    const example = Array.isArray(defaults) && isMap(defaults[0]) ? defaults[0] : undefined;
    const items = itemSchemas(schemas, ctx.root);
    const maps = value.filter(isMap);
    if (maps.length === 0) return [];
    if (example === undefined && !declaresKeys(items)) {
      return [{ path: p, message: "items are maps, but the chart has no example item (or item schema) to check their keys against: if the list is free-form, add it to FREE_FORM with the reason" }];
    }
    const seen = new Set<string>();
    return maps
      .flatMap((item) => walkKeys(item, example, items, p, ctx))
      .filter((f) => {
        const key = `${f.path}\n${f.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }
  // Helm reads null as "delete this key from the defaults": always allowed.
  if (ctx.kinds && value !== null && (isMap(defaults) || Array.isArray(defaults))) return [{ path: at, message: `is ${kindOf(value)}, but the chart's default here is ${kindOf(defaults)}` }];
  return [];
}

/**
 * Key-path problems of `values` against a chart's defaults (and its schema, when given):
 * every key Phoenix sets must be in values.yaml or declared by the schema, except below
 * the `freeForm` paths. Without a schema, value kinds (map, list, scalar) are compared
 * with the defaults too. Computed placeholders are not checked.
 */
export function keyProblems(values: unknown, defaults: unknown, freeForm: readonly string[], schema?: Schema): { path: string; message: string }[] {
  const root = schema ?? {};
  return walkKeys(values, defaults, schema ? expand(schema, root) : [], "", { freeForm: new Set(freeForm), root, hasSchema: schema !== undefined, kinds: schema === undefined });
}

/** The key paths `values` sets that the chart's defaults do not have (no schema, no kind comparison). */
export function unknownPaths(values: unknown, defaults: unknown, freeForm: readonly string[]): string[] {
  return walkKeys(values, defaults, [], "", { freeForm: new Set(freeForm), root: {}, hasSchema: false, kinds: false }).map((f) => f.path);
}

// ---------------------------------------------------------------- schema validation

/**
 * Helm's coalescing of user values over chart defaults: maps merge key by key, lists and
 * scalars replace, and `null` deletes the key. Helm validates values.schema.json against
 * this merged document, not against the user's values alone (so a schema's `required`
 * keys are satisfied by the defaults).
 */
export function helmMerge(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
  const out: Schema = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = helmMerge(defaults[k], v);
  }
  return out;
}

/** JSON pointers of every placeholder value in a document. */
function placeholderPointers(value: unknown, pointer = ""): string[] {
  if (isPlaceholder(value)) return [pointer];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : isMap(value) ? Object.entries(value) : [];
  return entries.flatMap(([k, v]) => placeholderPointers(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
}

/** A JSON pointer as a key path (`a.b[0].c`), reading the document to tell list indexes from keys. */
export function pointerToPath(doc: unknown, pointer: string): string {
  let node = doc;
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      out += `[${key}]`;
      node = node[Number(key)];
    } else {
      out = join(out, key);
      node = isMap(node) ? node[key] : undefined;
    }
  }
  return out;
}

// Errors of these keywords sit on a parent, though a placeholder below may be the cause.
const COMPOSITE = new Set(["anyOf", "oneOf", "not", "if", "contains"]);

function describeError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return "unknown field: the schema does not allow it";
    case "required":
      return "required, but not set";
    case "enum":
      return `must be one of ${JSON.stringify(p.allowedValues)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * A validator for a schema: returns one finding per error, placed at the key path it
 * concerns. Errors about a placeholder value (or composites with one below them) are
 * dropped: the real value is unknown offline (see `isPlaceholder`).
 */
export function schemaValidator(schema: Schema): (value: unknown) => Finding[] {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  // Helm accepts any draft; pick ajv's matching dialect. strict off: CRD schemas carry
  // x-kubernetes-* keywords and chart schemas often carry unknown ones. Formats are not
  // checked (that needs ajv-formats, which is not a dependency); `checks()` says so when
  // a schema uses `format`.
  const options = { strict: false, allErrors: true, validateFormats: false } as const;
  const ajv = /2020-12/.test(declared) ? new Ajv2020(options) : /2019-09/.test(declared) ? new Ajv2019(options) : new Ajv(options);
  // Draft-04/06 meta-schemas are not bundled with ajv: validate those as draft-07.
  const known = declared === "" || /draft-07|2019-09|2020-12/.test(declared);
  const validate = ajv.compile(known ? schema : Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")));
  return (value) => {
    if (validate(value)) return [];
    const placeholders = placeholderPointers(value);
    return (validate.errors ?? [])
      .filter((e) => !placeholders.some((p) => p === e.instancePath || (COMPOSITE.has(e.keyword) && p.startsWith(`${e.instancePath}/`))))
      .map((e) => {
        const p = e.params as Record<string, unknown>;
        const sub = e.keyword === "additionalProperties" ? p.additionalProperty : e.keyword === "required" ? p.missingProperty : undefined;
        const at = pointerToPath(value, e.instancePath);
        return { path: typeof sub === "string" ? join(at, sub) : at, message: describeError(e) };
      });
  };
}

// ---------------------------------------------------------------- CRDs

/** The CustomResourceDefinition of `kind` among the YAML files in `crdsDir`, if any. */
export function findCrd(crdsDir: string, kind: string): Schema | undefined {
  if (!fs.existsSync(crdsDir)) return undefined;
  for (const f of fs.readdirSync(crdsDir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdsDir, f), "utf8"))) {
      const d: unknown = doc.toJS();
      if (isMap(d) && d.kind === "CustomResourceDefinition" && isMap(d.spec) && isMap(d.spec.names) && d.spec.names.kind === kind) return d;
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
    if (n.properties && n.additionalProperties === undefined && !n["x-kubernetes-preserve-unknown-fields"]) n.additionalProperties = false;
    return n;
  };
  return close(spec) as Schema;
}

// ---------------------------------------------------------------- one release

function readYaml(file: string): { value?: unknown; error?: string } {
  try {
    return { value: readYamlFile(file) };
  } catch (err) {
    if (err instanceof YamlFileError) return { error: err.message.split("\n")[0] };
    throw err;
  }
}

/** How to fill the cache for one chart version (docs/reference/versions.md, "Chart conformance"). */
function fillHint(r: ReleaseValues, chartsDir: string, dir: string): string {
  return `fill it with \`scripts/fill-chart-cache.sh ${chartsDir}\`, or by hand: \`helm pull ${r.chart} --repo ${r.repository} --version ${r.version} --untar\`, then copy its values.yaml, values.schema.json (if any) and crds/ to ${dir} (docs/reference/versions.md, "Chart conformance")`;
}

/** Checks each entry of a values map the chart renders as custom resources against their CRD. */
function renderedProblems(spec: RenderedResources, values: unknown, crdsDir: string, crdLabel: string): { checked: string[]; findings: Finding[] } {
  let entries: unknown = values;
  for (const k of spec.at.split(".")) entries = isMap(entries) ? entries[k] : undefined;
  if (!isMap(entries) || Object.keys(entries).length === 0) return { checked: [], findings: [] };
  const crd = findCrd(crdsDir, spec.kind);
  if (!crd) return { checked: [], findings: [{ path: spec.at, message: `cannot check: no CustomResourceDefinition of kind ${spec.kind} in ${crdsDir}` }] };
  const schema = closedSpecSchema(crd, spec.version);
  if (!schema) return { checked: [], findings: [{ path: spec.at, message: `cannot check: the ${spec.kind} CRD in ${crdsDir} has no ${spec.version} schema` }] };
  const validate = schemaValidator(schema);
  const findings = Object.entries(entries).flatMap(([name, entry]) => {
    if (!isMap(entry)) return entry === null || isPlaceholder(entry) ? [] : [{ path: join(spec.at, name), message: `is ${kindOf(entry)}, but the chart renders a ${spec.kind} from a map` }];
    const at = join(spec.at, name);
    const dropped = Object.keys(entry)
      .filter((k) => !spec.ownKeys.includes(k) && !spec.specKeys.includes(k))
      .map((k) => ({ path: join(at, k), message: `unknown key: the chart's template does not render it into the ${spec.kind} (it uses ${[...spec.ownKeys, ...spec.specKeys].join(", ")})` }));
    const body = Object.fromEntries(Object.entries(entry).filter(([k]) => spec.specKeys.includes(k)));
    return [...dropped, ...validate(body).map((f) => ({ path: join(at, f.path), message: `${spec.kind} spec: ${f.message}` }))];
  });
  return { checked: [`${Object.keys(entries).length} ${spec.kind} against the ${crdLabel} CRD`], findings };
}

/**
 * Checks one release against its chart version in `chartsDir`: the chart version must be
 * there; every key path Phoenix sets must exist (values.yaml or schema, see FREE_FORM);
 * the merged values must pass values.schema.json where the chart has one; custom
 * resources the chart renders from values (RENDERED) must pass their CRD. `plan` is the
 * stack's other releases, for CRDs that ship with another chart.
 */
export function verifyRelease(release: ReleaseValues, chartsDir: string, plan: readonly ReleaseValues[] = []): ReleaseReport {
  const label = `${release.chart}@${release.version}`;
  const problem = (check: Check) => (f: Finding): Problem => ({ release: release.name, chart: label, path: f.path, check, message: f.message });
  const dir = chartDir(chartsDir, release.chart, release.version);
  const report = (checked: string[], problems: Problem[]): ReleaseReport => ({ release: release.name, chart: label, checked, problems });

  if (!fs.existsSync(path.join(dir, "values.yaml"))) {
    const versions = fs.existsSync(path.join(chartsDir, release.chart)) ? fs.readdirSync(path.join(chartsDir, release.chart)).sort() : [];
    const what = fs.existsSync(dir) ? `${dir} has no values.yaml` : `${dir} is missing (${versions.length > 0 ? `have ${release.chart} ${versions.join(", ")}` : `no version of ${release.chart}`})`;
    return report([], [problem("chart")({ path: "", message: `chart version not in the cache: ${what}; ${fillHint(release, chartsDir, dir)}` })]);
  }
  const problems: Problem[] = [];
  const checked: string[] = [];
  if (isPlaceholder(release.values)) {
    // Nothing below can be checked, and "OK" would claim it was.
    const message = `the plan holds these values only as ${JSON.stringify(release.values)}: Pulumi marked the whole values input secret (typically because a value inside it is one), so none of them can be checked offline`;
    return report(checked, [problem("values")({ path: "", message })]);
  }
  const unknowns = placeholderPointers(release.values).length;

  const chartYaml = path.join(dir, "Chart.yaml");
  if (fs.existsSync(chartYaml)) {
    const meta = readYaml(chartYaml).value;
    const name = isMap(meta) ? meta.name : undefined;
    const version = isMap(meta) ? String(meta.version) : undefined;
    if (name !== release.chart || version !== release.version) {
      problems.push(problem("chart")({ path: "", message: `${chartYaml} is ${String(name)} ${String(version)}, not ${release.chart} ${release.version}: the cache holds the wrong chart` }));
    }
  }

  const defaultsRead = readYaml(path.join(dir, "values.yaml"));
  if (defaultsRead.error !== undefined) {
    return report(checked, [...problems, problem("chart")({ path: "", message: `${path.join(dir, "values.yaml")} is not valid YAML: ${defaultsRead.error}` })]);
  }
  const defaults = defaultsRead.value ?? {};

  let schema: Schema | undefined;
  const schemaFile = path.join(dir, "values.schema.json");
  if (fs.existsSync(schemaFile)) {
    try {
      const s: unknown = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
      if (isMap(s)) schema = s;
    } catch (err) {
      problems.push(problem("chart")({ path: "", message: `${schemaFile} is not valid JSON: ${(err as Error).message}` }));
    }
  }

  // Key paths run even where the chart has a schema: chart schemas mostly leave
  // objects open (no additionalProperties: false), so a misspelt key would pass them.
  // A key the schema declares counts as known even if values.yaml only has it in a
  // comment (cert-manager documents most keys that way).
  problems.push(...keyProblems(release.values, defaults, FREE_FORM[release.chart] ?? [], schema).map(problem("keys")));
  checked.push(schema ? "key paths against values.yaml and the schema" : "key paths and kinds against values.yaml (the chart has no values.schema.json)");

  if (schema) {
    try {
      const merged = helmMerge(defaults, release.values);
      const reported = new Set(problems.map((p) => p.path.replace(/\[\d*\]/g, "[]")));
      // An unknown key already reported by the key check is not reported twice.
      const findings = schemaValidator(schema)(merged).filter((f) => !(f.message.startsWith("unknown field") && reported.has(f.path.replace(/\[\d*\]/g, "[]"))));
      problems.push(...findings.map(problem("schema")));
      checked.push(`values.schema.json${JSON.stringify(schema).includes('"format"') ? " (formats not checked)" : ""}`);
    } catch (err) {
      problems.push(problem("schema")({ path: "", message: `${schemaFile} does not compile: ${(err as Error).message}` }));
    }
  }

  for (const spec of RENDERED.filter((r) => r.chart === release.chart)) {
    const owner = spec.crdChart === release.chart ? release : plan.find((r) => r.chart === spec.crdChart);
    if (!owner) {
      problems.push(problem("crd")({ path: spec.at, message: `cannot check: the plan has no ${spec.crdChart} release, whose crds/ hold the ${spec.kind} CRD` }));
      continue;
    }
    const crdLabel = `${owner.chart}@${owner.version}`;
    const r = renderedProblems(spec, release.values, path.join(chartDir(chartsDir, owner.chart, owner.version), "crds"), crdLabel);
    checked.push(...r.checked);
    problems.push(...r.findings.map(problem("crd")));
  }
  if (unknowns > 0) checked.push(`${unknowns} computed or secret value${unknowns === 1 ? "" : "s"} left unchecked`);
  return report(checked, problems);
}

/** Checks every release of a plan. */
export function verifyReleases(releases: readonly ReleaseValues[], chartsDir: string): ReleaseReport[] {
  return releases.map((r) => verifyRelease(r, chartsDir, releases));
}

/** A report as terminal lines: one per release, then one per problem. */
export function renderReport(reports: readonly ReleaseReport[]): string[] {
  const w1 = Math.max(0, ...reports.map((r) => r.release.length));
  const w2 = Math.max(0, ...reports.map((r) => r.chart.length));
  return reports.flatMap((r) => {
    const head = `${r.problems.length === 0 ? "OK  " : "FAIL"}  ${r.release.padEnd(w1)}  ${r.chart.padEnd(w2)}  `;
    if (r.problems.length === 0) return [`${head}${r.checked.join("; ")}`];
    return [`${head}${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}`, ...r.problems.map((p) => `      [${p.check}] ${p.path || "(release)"}: ${p.message}`)];
  });
}
