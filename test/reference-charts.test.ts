/**
 * Checks the values Phoenix writes against the real charts it pins, from
 * ../shared/reference/charts (never copied into this repository). Without that
 * directory (a fresh clone elsewhere) these checks report themselves SKIPPED.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { bootstrapValues } from "../components/apps/applications";
import { charts, type ChartPin } from "../components/catalog";
import { argocdValues } from "../components/plugins/argocd";
import { veleroValues } from "../components/plugins/velero";
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
