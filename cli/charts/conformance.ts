/**
 * Chart conformance: checks the values Phoenix gives each Helm release against the
 * chart version it pins, read from a directory laid out as
 * `DIR/<chart>/<version>/{values.yaml, values.schema.json, crds/}`.
 *
 * Helm never checks that a key exists, so a misspelt key is silently ignored; the API
 * server silently prunes fields a CRD does not name. Both would leave a cluster that
 * differs from the code without any error. `stacks/chartsVerify.ts` is the CLI
 * (`npm run charts:verify`); everything here is a function of the values and the files.
 *
 * Each check has a module of its own: ./keys.ts (key paths), ./validate.ts
 * (values.schema.json), ./crds.ts (custom resources against their CRDs), over
 * ./schema.ts (JSON-schema navigation) and ./values.ts (what they share). This module
 * runs them for each release and reports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readYaml as readYamlFile, YamlFileError } from "../shared/yaml";
import { BOOTSTRAP_FREE_FORM_VALUES, BOOTSTRAP_RENDERED_RESOURCES } from "../../components/apps/applications";
import { charts } from "../../components/catalog";
import { pluginFreeFormValues, plugins } from "../../components/plugins/registry";
import type { RenderedResources } from "../../components/types";
import { renderedProblems } from "./crds";
import { keyProblems } from "./keys";
import { helmMerge, schemaValidator } from "./validate";
import { isMap, isPlaceholder, placeholderPointers, type Finding, type Schema } from "./values";

export { closedSpecSchema, findCrd } from "./crds";
export { keyProblems, unknownPaths } from "./keys";
export { helmMerge, pointerToPath, schemaValidator } from "./validate";
export { isPlaceholder, type Schema } from "./values";

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
export const RENDERED: readonly RenderedResources[] = [
  ...plugins().flatMap((p) => p.renderedResources ?? []),
  ...BOOTSTRAP_RENDERED_RESOURCES,
];

/** The directory of one chart version in the cache. */
export function chartDir(chartsDir: string, chart: string, version: string): string {
  return path.join(chartsDir, chart, version);
}

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

/** Makes a finding of one check into a problem of the release. */
type ProblemOf = (check: Check) => (f: Finding) => Problem;

/** Why the chart version is not in the cache (no values.yaml), or undefined when it is. */
function missingChart(release: ReleaseValues, chartsDir: string, dir: string): string | undefined {
  if (fs.existsSync(path.join(dir, "values.yaml"))) return undefined;
  const versions = fs.existsSync(path.join(chartsDir, release.chart))
    ? fs.readdirSync(path.join(chartsDir, release.chart)).sort()
    : [];
  const what = fs.existsSync(dir)
    ? `${dir} has no values.yaml`
    : `${dir} is missing (${versions.length > 0 ? `have ${release.chart} ${versions.join(", ")}` : `no version of ${release.chart}`})`;
  return `chart version not in the cache: ${what}; ${fillHint(release, chartsDir, dir)}`;
}

/** The cache's Chart.yaml, where there is one, must name the release's chart and version. */
function chartMetaProblems(release: ReleaseValues, dir: string): Finding[] {
  const chartYaml = path.join(dir, "Chart.yaml");
  if (!fs.existsSync(chartYaml)) return [];
  const meta = readYaml(chartYaml).value;
  const name = isMap(meta) ? meta.name : undefined;
  const version = isMap(meta) ? String(meta.version) : undefined;
  if (name === release.chart && version === release.version) return [];
  return [
    {
      path: "",
      message: `${chartYaml} is ${String(name)} ${String(version)}, not ${release.chart} ${release.version}: the cache holds the wrong chart`,
    },
  ];
}

/** The chart's values.schema.json, where it has one; a file that is not JSON is a finding. */
function readSchema(schemaFile: string): { schema?: Schema; findings: Finding[] } {
  if (!fs.existsSync(schemaFile)) return { findings: [] };
  try {
    const s: unknown = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    return isMap(s) ? { schema: s, findings: [] } : { findings: [] };
  } catch (err) {
    return { findings: [{ path: "", message: `${schemaFile} is not valid JSON: ${(err as Error).message}` }] };
  }
}

/** Checks the merged values against the chart's schema, not reporting twice what `problems` has already. */
function schemaProblems(
  schema: Schema,
  schemaFile: string,
  defaults: unknown,
  release: ReleaseValues,
  problems: readonly Problem[],
  problem: ProblemOf,
): { problems: Problem[]; checked: string[] } {
  try {
    const merged = helmMerge(defaults, release.values);
    const reported = new Set(problems.map((p) => p.path.replace(/\[\d*\]/g, "[]")));
    // An unknown key already reported by the key check is not reported twice.
    const findings = schemaValidator(schema)(merged).filter(
      (f) => !(f.message.startsWith("unknown field") && reported.has(f.path.replace(/\[\d*\]/g, "[]"))),
    );
    return {
      problems: findings.map(problem("schema")),
      checked: [`values.schema.json${JSON.stringify(schema).includes('"format"') ? " (formats not checked)" : ""}`],
    };
  } catch (err) {
    return {
      problems: [problem("schema")({ path: "", message: `${schemaFile} does not compile: ${(err as Error).message}` })],
      checked: [],
    };
  }
}

/** Checks the custom resources the chart renders from values (RENDERED) against their CRDs. */
function crdProblems(
  release: ReleaseValues,
  chartsDir: string,
  plan: readonly ReleaseValues[],
  problem: ProblemOf,
): { problems: Problem[]; checked: string[] } {
  const problems: Problem[] = [];
  const checked: string[] = [];
  for (const spec of RENDERED.filter((r) => r.chart === release.chart)) {
    const owner = spec.crdChart === release.chart ? release : plan.find((r) => r.chart === spec.crdChart);
    if (!owner) {
      problems.push(
        problem("crd")({
          path: spec.at,
          message: `cannot check: the plan has no ${spec.crdChart} release, whose crds/ hold the ${spec.kind} CRD`,
        }),
      );
      continue;
    }
    const crdLabel = `${owner.chart}@${owner.version}`;
    const r = renderedProblems(
      spec,
      release.values,
      path.join(chartDir(chartsDir, owner.chart, owner.version), "crds"),
      crdLabel,
    );
    checked.push(...r.checked);
    problems.push(...r.findings.map(problem("crd")));
  }
  return { problems, checked };
}

/**
 * Checks one release against its chart version in `chartsDir`: the chart version must be
 * there; every key path Phoenix sets must exist (values.yaml or schema, see FREE_FORM);
 * the merged values must pass values.schema.json where the chart has one; custom
 * resources the chart renders from values (RENDERED) must pass their CRD. `plan` is the
 * stack's other releases, for CRDs that ship with another chart.
 */
export function verifyRelease(
  release: ReleaseValues,
  chartsDir: string,
  plan: readonly ReleaseValues[] = [],
): ReleaseReport {
  const label = `${release.chart}@${release.version}`;
  const problem: ProblemOf = (check) => (f) => ({
    release: release.name,
    chart: label,
    path: f.path,
    check,
    message: f.message,
  });
  const dir = chartDir(chartsDir, release.chart, release.version);
  const report = (checked: string[], problems: Problem[]): ReleaseReport => ({
    release: release.name,
    chart: label,
    checked,
    problems,
  });

  const missing = missingChart(release, chartsDir, dir);
  if (missing !== undefined) return report([], [problem("chart")({ path: "", message: missing })]);
  const problems: Problem[] = [];
  const checked: string[] = [];
  if (isPlaceholder(release.values)) {
    // Nothing below can be checked, and "OK" would claim it was.
    const message = `the plan holds these values only as ${JSON.stringify(release.values)}: Pulumi marked the whole values input secret (typically because a value inside it is one), so none of them can be checked offline`;
    return report(checked, [problem("values")({ path: "", message })]);
  }
  const unknowns = placeholderPointers(release.values).length;

  problems.push(...chartMetaProblems(release, dir).map(problem("chart")));

  const defaultsRead = readYaml(path.join(dir, "values.yaml"));
  if (defaultsRead.error !== undefined) {
    return report(checked, [
      ...problems,
      problem("chart")({
        path: "",
        message: `${path.join(dir, "values.yaml")} is not valid YAML: ${defaultsRead.error}`,
      }),
    ]);
  }
  const defaults = defaultsRead.value ?? {};

  const schemaFile = path.join(dir, "values.schema.json");
  const { schema, findings: schemaFindings } = readSchema(schemaFile);
  problems.push(...schemaFindings.map(problem("chart")));

  // Key paths run even where the chart has a schema: chart schemas mostly leave
  // objects open (no additionalProperties: false), so a misspelt key would pass them.
  // A key the schema declares counts as known even if values.yaml only has it in a
  // comment (cert-manager documents most keys that way).
  problems.push(...keyProblems(release.values, defaults, FREE_FORM[release.chart] ?? [], schema).map(problem("keys")));
  checked.push(
    schema
      ? "key paths against values.yaml and the schema"
      : "key paths and kinds against values.yaml (the chart has no values.schema.json)",
  );

  if (schema) {
    const s = schemaProblems(schema, schemaFile, defaults, release, problems, problem);
    problems.push(...s.problems);
    checked.push(...s.checked);
  }

  const crds = crdProblems(release, chartsDir, plan, problem);
  checked.push(...crds.checked);
  problems.push(...crds.problems);
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
    return [
      `${head}${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}`,
      ...r.problems.map((p) => `      [${p.check}] ${p.path || "(release)"}: ${p.message}`),
    ];
  });
}
