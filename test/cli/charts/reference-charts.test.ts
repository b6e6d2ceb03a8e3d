/**
 * Checks what Phoenix writes against the real charts it pins, from the reference charts
 * beside the repository (REFERENCE_CHARTS in test/helpers.ts; never copied into this
 * repository), with the functions of cli/charts/conformance.ts. The values of every
 * release of every stack are checked end to end by `phoenix charts verify`
 * (test/cli/charts/command.test.ts); here the pure builders are checked directly.
 * Without that directory (a fresh clone elsewhere) these checks report themselves SKIPPED.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { bootstrapValues } from "../../../components/apps/applications";
import { charts, type ChartPin } from "../../../components/catalog";
import { VOLUME_BACKUP_METHODS, veleroSchedules } from "../../../components/plugins/velero";
import {
  closedSpecSchema,
  findCrd,
  schemaValidator,
  unknownPaths,
  verifyReleases,
  type ReleaseValues,
  type Schema,
} from "../../../cli/charts/conformance";
import { REFERENCE_CHARTS } from "../../helpers";

const present = fs.existsSync(REFERENCE_CHARTS);
if (!present) {
  process.stderr.write(`\n!!! SKIPPED: ${REFERENCE_CHARTS} not found: chart reference checks did not run !!!\n\n`);
}
const skip = present ? false : `SKIPPED: ${REFERENCE_CHARTS} not found; chart reference checks did not run`;

function chartDir(pin: ChartPin): string {
  return path.join(REFERENCE_CHARTS, pin.chart, pin.version);
}

const sample = {
  scope: {
    enabled: true,
    schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" }],
    includedNamespaces: ["a"],
    excludedNamespaces: ["b"],
  },
};

describe("the pinned reference charts", () => {
  for (const pin of Object.values(charts)) {
    it(`${pin.chart} ${pin.version}: the reference chart is that version`, { skip }, () => {
      const chartYaml = parse(fs.readFileSync(path.join(chartDir(pin), "Chart.yaml"), "utf8")) as {
        name: string;
        version: string;
      };
      assert.equal(chartYaml.name, pin.chart);
      assert.equal(chartYaml.version, pin.version);
    });
  }

  it("the key check catches a misspelled key", () => {
    assert.deepEqual(unknownPaths({ crds: { instal: true } }, { crds: { install: true } }, []), ["crds.instal"]);
  });
});

/** A validator for the closed `spec` schema of a CRD in a reference chart. */
function crdValidator(pin: ChartPin, kind: string, version: string): (value: unknown) => unknown[] {
  const crd = findCrd(path.join(chartDir(pin), "crds"), kind);
  assert.ok(crd, `${pin.chart} ${pin.version} ships no ${kind} CRD`);
  const schema: Schema | undefined = closedSpecSchema(crd, version);
  assert.ok(schema, `the ${kind} CRD has no ${version} schema`);
  return schemaValidator(schema);
}

describe("custom resources against the pinned CRDs", () => {
  it("every Velero Schedule Phoenix writes is a valid Schedule spec (template included)", { skip }, () => {
    const check = crdValidator(charts.velero, "Schedule", "v1");
    for (const method of VOLUME_BACKUP_METHODS) {
      const schedules = veleroSchedules(
        {
          ...sample.scope,
          schedules: [
            { name: "h", cron: "0 * * * *", ttl: "72h0m0s", storageLocation: "default" },
            ...sample.scope.schedules,
          ],
        },
        method,
      );
      assert.equal(Object.keys(schedules).length, 2);
      for (const [name, spec] of Object.entries(schedules)) assert.deepEqual(check(spec), [], name);
    }
    assert.notDeepEqual(
      check({ schedule: "@daily", template: { includedNamespace: ["a"] } }),
      [],
      "a misspelled template key is caught",
    );
    assert.notDeepEqual(check({ schedule: "@daily", template: { ttl: 720 } }), [], "a wrong type is caught");
  });

  it("every Application and AppProject the bootstrap declares renders and passes the Argo CD CRDs", { skip }, () => {
    const values = bootstrapValues({
      argocdNamespace: "argocd",
      root: { repoURL: "https://git.example.com/g.git", targetRevision: "main", path: "clusters/r" },
      applications: [{ name: "shop", path: "apps/shop", namespace: "shop" }],
      labels: { namespaceClass: "phoenix.platform/namespace-class", owner: "phoenix.platform/owner" },
    });
    const release = (pin: ChartPin, name: string, v: unknown): ReleaseValues => ({
      name,
      chart: pin.chart,
      version: pin.version,
      repository: pin.repository,
      values: v,
    });
    // The Application and AppProject CRDs ship with the argo-cd chart.
    const [, report] = verifyReleases(
      [release(charts.argocd, "argocd", {}), release(charts.argocdApps, "bootstrap", values)],
      REFERENCE_CHARTS,
    );
    assert.deepEqual(report.problems, []);
    assert.ok(
      report.checked.some((c) => /^2 Application against/.test(c)),
      report.checked.join("; "),
    );
    const check = crdValidator(charts.argocd, "Application", "v1alpha1");
    assert.notDeepEqual(
      check({
        project: "default",
        destination: { server: "x" },
        source: { repoURL: "r", path: "p" },
        syncPolicy: { automatic: {} },
      }),
      [],
      "a misspelled key is caught",
    );
  });
});
