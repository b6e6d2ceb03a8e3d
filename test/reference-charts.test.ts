/**
 * Checks the values Phoenix writes against the real charts it pins, from
 * ../shared/reference/charts (never copied into this repository). Without that
 * directory (a fresh clone elsewhere) these checks report themselves SKIPPED.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Ajv from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { bootstrapValues } from "../components/apps/applications";
import { charts, type ChartPin } from "../components/catalog";
import { argocdValues } from "../components/plugins/argocd";
import { veleroSchedules, veleroValues } from "../components/plugins/velero";
import { REFERENCE_CHARTS } from "./helpers";

const present = fs.existsSync(REFERENCE_CHARTS);
if (!present) {
  process.stderr.write(`\n!!! SKIPPED: ${REFERENCE_CHARTS} not found: chart reference checks did not run !!!\n\n`);
}
const skip = present ? false : `SKIPPED: ${REFERENCE_CHARTS} not found; chart reference checks did not run`;

function chartDir(pin: ChartPin): string {
  return path.join(REFERENCE_CHARTS, pin.chart, pin.version);
}

/**
 * Key paths a values object sets that the chart's default values.yaml does not have.
 * `freeForm` lists paths the chart documents as free-form maps; arrays are not entered.
 */
function unknownPaths(values: unknown, defaults: unknown, freeForm: readonly string[], prefix = ""): string[] {
  if (typeof values !== "object" || values === null || Array.isArray(values)) return [];
  const d = (typeof defaults === "object" && defaults !== null ? defaults : {}) as Record<string, unknown>;
  return Object.entries(values).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    if (!(k in d)) return [p];
    if (freeForm.includes(p)) return [];
    return unknownPaths(v, d[k], freeForm, p);
  });
}

const sample = {
  scope: { enabled: true, schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s" }], includedNamespaces: ["a"], excludedNamespaces: ["b"] },
};

const cases = [
  { pin: charts.argocd, values: argocdValues({}), freeForm: ["configs.cm"] },
  { pin: charts.velero, values: veleroValues({ fsBackup: true }, { bucket: "b", bucketRegion: "r", backup: sample.scope }), freeForm: ["schedules"] },
  {
    pin: charts.argocdApps,
    values: bootstrapValues({ argocdNamespace: "argocd", root: { repoURL: "https://g", targetRevision: "main", path: "p" }, applications: [], namespaceLabels: {} }),
    freeForm: ["applications"],
  },
];

describe("values against the pinned reference charts", () => {
  for (const c of cases) {
    it(`${c.pin.chart} ${c.pin.version}: the reference chart is that version and knows every key Phoenix sets`, { skip }, () => {
      const chartYaml = parse(fs.readFileSync(path.join(chartDir(c.pin), "Chart.yaml"), "utf8")) as { name: string; version: string };
      assert.equal(chartYaml.name, c.pin.chart);
      assert.equal(chartYaml.version, c.pin.version);
      const defaults = parse(fs.readFileSync(path.join(chartDir(c.pin), "values.yaml"), "utf8")) as unknown;
      assert.deepEqual(unknownPaths(c.values, defaults, c.freeForm), []);
    });
  }

  it("the key check catches a misspelled key", () => {
    assert.deepEqual(unknownPaths({ crds: { instal: true } }, { crds: { install: true } }, []), ["crds.instal"]);
  });
});

type Schema = Record<string, unknown>;

/**
 * The CRD's `spec` schema, closed: the API server silently prunes fields a structural
 * schema does not name, so for Phoenix an unknown field is an error, not a no-op.
 */
function closedSpecSchema(crdFile: string, version: string): Schema {
  const docs = parseAllDocuments(fs.readFileSync(crdFile, "utf8")).map((d) => d.toJS() as Schema);
  const crd = docs.find((d) => d.kind === "CustomResourceDefinition");
  const versions = (crd?.spec as { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] }).versions;
  const schema = versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
  assert.ok(schema, `${crdFile} has no ${version} schema`);
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (typeof node !== "object" || node === null) return node;
    const n: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, close(v)]));
    if (n.properties && n.additionalProperties === undefined && !n["x-kubernetes-preserve-unknown-fields"]) n.additionalProperties = false;
    return n;
  };
  return close((schema.properties as Record<string, Schema>).spec) as Schema;
}

function validator(schema: Schema): (value: unknown) => string[] {
  // strict off: CRD schemas carry x-kubernetes-* keywords and Kubernetes formats.
  const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`));
}

describe("custom resources against the pinned CRDs", () => {
  it("every Velero Schedule Phoenix writes is a valid Schedule spec (template included)", { skip }, () => {
    const check = validator(closedSpecSchema(path.join(chartDir(charts.velero), "crds", "schedules.yaml"), "v1"));
    for (const fs_ of [true, false]) {
      const schedules = veleroSchedules({ ...sample.scope, schedules: [{ name: "h", cron: "0 * * * *", ttl: "72h0m0s" }, ...sample.scope.schedules] }, fs_);
      assert.equal(Object.keys(schedules).length, 2);
      for (const [name, spec] of Object.entries(schedules)) assert.deepEqual(check(spec), [], name);
    }
    assert.notDeepEqual(check({ schedule: "@daily", template: { includedNamespace: ["a"] } }), [], "a misspelled template key is caught");
    assert.notDeepEqual(check({ schedule: "@daily", template: { ttl: 720 } }), [], "a wrong type is caught");
  });

  it("every Application the bootstrap declares is a valid Application spec", { skip }, () => {
    const check = validator(closedSpecSchema(path.join(chartDir(charts.argocd), "crds", "crd-application.yaml"), "v1alpha1"));
    const values = bootstrapValues({
      argocdNamespace: "argocd",
      root: { repoURL: "https://git.example.com/g.git", targetRevision: "main", path: "clusters/r" },
      applications: [{ name: "shop", path: "apps/shop", namespace: "shop" }],
      namespaceLabels: { "phoenix.platform/namespace-class": "gitops" },
    });
    // argocd-apps renders these keys into metadata; every other key becomes the spec.
    const metadataKeys = ["namespace", "additionalLabels", "additionalAnnotations", "finalizers"];
    for (const [name, app] of Object.entries(values.applications as Record<string, Record<string, unknown>>)) {
      const spec = Object.fromEntries(Object.entries(app).filter(([k]) => !metadataKeys.includes(k)));
      assert.deepEqual(check(spec), [], name);
    }
    assert.notDeepEqual(check({ project: "default", destination: { server: "x" }, source: { repoURL: "r", path: "p" }, syncPolicy: { automatic: {} } }), [], "a misspelled key is caught");
  });
});
