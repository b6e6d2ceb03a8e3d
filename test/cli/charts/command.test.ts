/**
 * Chart conformance (`phoenix charts verify`, `npm run charts:verify`): the checks
 * against tiny fixture charts built in a temp directory (so they run in any clone), the
 * command's exit statuses, and, where the reference charts exist beside the repository,
 * every platform stack against the real pinned charts.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { BOOTSTRAP_FREE_FORM_VALUES } from "../../../components/apps/applications";
import { charts } from "../../../components/catalog";
import { PLUGINS } from "../../../components/plugins/registry";
import {
  FREE_FORM,
  helmMerge,
  keyProblems,
  pointerToPath,
  schemaValidator,
  verifyRelease,
  verifyReleases,
  type Problem,
  type ReleaseValues,
  type Schema,
} from "../../../cli/charts/conformance";
import { COMPUTED, SECRET } from "../../../cli/plan/runtime";
import { listStacks } from "../../../cli/stacks/stackFile";
import { REFERENCE_CHARTS, ROOT } from "../../helpers";

// ------------------------------------------------------------------ fixture charts

const FIXTURES = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-charts-"));
after(() => fs.rmSync(FIXTURES, { recursive: true, force: true }));

function writeChart(
  chart: string,
  version: string,
  files: { values: unknown; schema?: Schema; crds?: Record<string, unknown> },
): void {
  const dir = path.join(FIXTURES, chart, version);
  fs.mkdirSync(path.join(dir, "crds"), { recursive: true });
  fs.writeFileSync(path.join(dir, "Chart.yaml"), stringify({ apiVersion: "v2", name: chart, version }));
  fs.writeFileSync(path.join(dir, "values.yaml"), stringify(files.values));
  if (files.schema) fs.writeFileSync(path.join(dir, "values.schema.json"), JSON.stringify(files.schema, null, 2));
  for (const [name, doc] of Object.entries(files.crds ?? {}))
    fs.writeFileSync(path.join(dir, "crds", name), stringify(doc));
}

/** A CRD with one version whose `spec` has the given schema. */
function crd(kind: string, version: string, spec: Schema): Schema {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.toLowerCase()}s.example.io` },
    spec: {
      group: "example.io",
      names: { kind, plural: `${kind.toLowerCase()}s` },
      scope: "Namespaced",
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec } } },
        },
      ],
    },
  };
}

const FIXTURE_VERSION = "0.0.1-fixture";

// A Velero-like chart with a draft-07 schema and a Schedule CRD.
writeChart("velero", FIXTURE_VERSION, {
  values: {
    image: { repository: "velero/velero", tag: "main" },
    deployNodeAgent: false,
    configuration: {
      backupStorageLocation: [{ name: null, provider: "", bucket: "", config: {} }],
      uploaderType: null,
    },
    initContainers: null,
    schedules: {},
  },
  schema: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["image"],
    properties: {
      image: {
        type: "object",
        properties: { repository: { type: "string" }, tag: { type: "string" } },
        required: ["repository"],
      },
      deployNodeAgent: { type: "boolean" },
      // Declared by the schema only (values.yaml has no `metrics`), as cert-manager does.
      metrics: { type: "object", properties: { enabled: { type: "boolean" } } },
      configuration: {
        type: "object",
        properties: {
          backupStorageLocation: {
            type: "array",
            items: {
              type: "object",
              properties: {
                name: { type: ["string", "null"] },
                provider: { type: "string" },
                bucket: { type: "string" },
                config: { type: "object" },
              },
              required: ["provider", "bucket"],
            },
          },
          uploaderType: { type: ["string", "null"] },
        },
      },
      initContainers: { type: ["array", "null"] },
      schedules: { type: "object" },
    },
  },
  crds: {
    "schedules.yaml": crd("Schedule", "v1", {
      type: "object",
      required: ["schedule", "template"],
      properties: {
        schedule: { type: "string" },
        useOwnerReferencesInBackup: { type: "boolean" },
        paused: { type: "boolean" },
        template: {
          type: "object",
          properties: {
            includedNamespaces: { type: "array", items: { type: "string" }, nullable: true },
            storageLocation: { type: "string" },
            ttl: { type: "string" },
            metadata: {
              type: "object",
              properties: { labels: { type: "object", additionalProperties: { type: "string" } } },
            },
          },
        },
      },
    }),
  },
});

// An Argo CD-like chart without a schema, shipping the Application CRD.
writeChart("argo-cd", FIXTURE_VERSION, {
  values: {
    crds: { install: true, keep: false },
    configs: { cm: { create: true } },
    server: { replicas: 1, extraArgs: [] },
  },
  crds: {
    "crd-application.yaml": crd("Application", "v1alpha1", {
      type: "object",
      required: ["destination", "project"],
      properties: {
        project: { type: "string" },
        destination: { type: "object", properties: { server: { type: "string" }, namespace: { type: "string" } } },
        source: { type: "object", properties: { repoURL: { type: "string" }, path: { type: "string" } } },
        syncPolicy: {
          type: "object",
          properties: { automated: { type: "object", properties: { prune: { type: "boolean" } } } },
        },
      },
    }),
    "crd-appproject.yaml": crd("AppProject", "v1alpha1", {
      type: "object",
      properties: { sourceRepos: { type: "array", items: { type: "string" } }, description: { type: "string" } },
    }),
  },
});

writeChart("argocd-apps", FIXTURE_VERSION, { values: { applications: {}, projects: {} } });

function release(chart: string, values: unknown, version = FIXTURE_VERSION): ReleaseValues {
  return { name: chart, chart, version, repository: "https://charts.example.com", values };
}

const goodSchedule = {
  schedule: "0 3 * * *",
  useOwnerReferencesInBackup: false,
  template: { includedNamespaces: ["ledger"], storageLocation: "default", ttl: "720h0m0s" },
};
const goodVelero = {
  deployNodeAgent: true,
  configuration: {
    backupStorageLocation: [{ name: "default", provider: "aws", bucket: "b", config: { region: "r" } }],
    uploaderType: "kopia",
  },
  initContainers: [{ name: "velero-plugin-for-aws", image: "velero/velero-plugin-for-aws:main" }],
  schedules: { daily: goodSchedule },
};

function problems(r: ReleaseValues, plan: readonly ReleaseValues[] = []): string[] {
  return verifyRelease(r, FIXTURES, plan).problems.map((p: Problem) => `${p.check} ${p.path}: ${p.message}`);
}

/** The one problem at `at`, or a failure listing all of them. */
function at(list: readonly string[], check: string, keyPath: string): string {
  const found = list.filter((p) => p.startsWith(`${check} ${keyPath}: `));
  assert.equal(found.length, 1, `one ${check} problem at ${keyPath}; got:\n${list.join("\n")}`);
  return found[0];
}

describe("chart conformance against fixture charts", () => {
  it("passes values that conform, and says what it checked", () => {
    const report = verifyRelease(release("velero", goodVelero), FIXTURES);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.checked, [
      "key paths against values.yaml and the schema",
      "values.schema.json",
      "1 Schedule against the velero@0.0.1-fixture CRD",
    ]);
  });

  it("catches a misspelled key (key path), even where the chart's schema leaves objects open", () => {
    const list = problems(
      release("velero", { ...goodVelero, configuration: { ...goodVelero.configuration, uploaderTyp: "kopia" } }),
    );
    assert.match(
      at(list, "keys", "configuration.uploaderTyp"),
      /unknown key: not in the chart's values\.yaml nor in its values\.schema\.json/,
    );
    assert.equal(list.length, 1, list.join("\n"));
    // In a chart without a schema too.
    assert.match(at(problems(release("argo-cd", { crds: { instal: true } })), "keys", "crds.instal"), /unknown key/);
  });

  it("checks list items against the chart's example item", () => {
    const list = problems(
      release("velero", {
        ...goodVelero,
        configuration: { backupStorageLocation: [{ name: "default", provider: "aws", bukcet: "b" }] },
      }),
    );
    at(list, "keys", "configuration.backupStorageLocation[].bukcet");
    // The list replaces the default one as a whole, so the schema misses the bucket too.
    assert.match(at(list, "schema", "configuration.backupStorageLocation[0].bucket"), /required/);
  });

  it("accepts keys the schema declares though values.yaml lacks them, and catches misspellings below them", () => {
    assert.deepEqual(problems(release("velero", { ...goodVelero, metrics: { enabled: true } })), []);
    at(problems(release("velero", { ...goodVelero, metrics: { enabeld: true } })), "keys", "metrics.enabeld");
  });

  it("accepts any key below a FREE_FORM path, and only there", () => {
    assert.ok(FREE_FORM["argo-cd"].includes("configs.cm"));
    assert.deepEqual(
      problems(release("argo-cd", { configs: { cm: { "application.resourceTrackingMethod": "annotation" } } })),
      [],
    );
    at(problems(release("argo-cd", { configs: { cmm: {} } })), "keys", "configs.cmm");
  });

  it("catches a wrong type (schema), validated on the values merged over the defaults as Helm does", () => {
    assert.match(
      at(problems(release("velero", { ...goodVelero, deployNodeAgent: "yes" })), "schema", "deployNodeAgent"),
      /must be boolean/,
    );
    // `image` is required: the defaults satisfy it, unless Phoenix deletes it with null.
    assert.match(
      at(problems(release("velero", { ...goodVelero, image: null })), "schema", "image"),
      /required, but not set/,
    );
  });

  it("catches a map where a chart without a schema has a list (kinds against the defaults)", () => {
    assert.match(
      at(problems(release("argo-cd", { server: { extraArgs: "--insecure" } })), "keys", "server.extraArgs"),
      /is a string, but the chart's default here is a list/,
    );
  });

  it("treats computed and secret placeholders as unknown, not as type errors", () => {
    const values = { ...goodVelero, deployNodeAgent: `${COMPUTED} something>`, image: { repository: SECRET } };
    const report = verifyRelease(release("velero", values), FIXTURES);
    assert.deepEqual(report.problems, []);
    assert.ok(report.checked.includes("2 computed or secret values left unchecked"), report.checked.join("; "));
    // Values that are a placeholder as a whole cannot be checked at all: that fails.
    assert.match(at(problems(release("argo-cd", SECRET)), "values", ""), /none of them can be checked offline/);
  });

  it("checks every Velero schedule against the Schedule CRD: misspelled, wrong-typed and dropped keys", () => {
    const bad = { ...goodSchedule, template: { includedNamespace: ["ledger"], ttl: 720 } };
    const list = problems(
      release("velero", {
        ...goodVelero,
        schedules: { daily: goodSchedule, weekly: bad, hourly: { scheduel: "0 * * * *", template: {} } },
      }),
    );
    assert.match(at(list, "crd", "schedules.weekly.template.includedNamespace"), /Schedule spec: unknown field/);
    assert.match(at(list, "crd", "schedules.weekly.template.ttl"), /Schedule spec: must be string/);
    assert.match(
      at(list, "crd", "schedules.hourly.scheduel"),
      /the chart's template does not render it into the Schedule/,
    );
    assert.match(at(list, "crd", "schedules.hourly.schedule"), /required/);
    assert.equal(list.length, 4, list.join("\n"));
  });

  it("checks argocd-apps Applications and AppProjects against the CRDs of the plan's argo-cd release", () => {
    const app = {
      namespace: "argocd",
      project: "default",
      destination: { server: "https://kubernetes.default.svc", namespace: "shop" },
      source: { repoURL: "r", path: "p" },
    };
    const apps = release("argocd-apps", {
      applications: { shop: app, typo: { ...app, syncPolicy: { automatd: {} } } },
      projects: { ok: { namespace: "argocd", sourceRepos: ["r"] }, typo: { sourceRepo: ["r"], description: 5 } },
    });
    const argocd = release("argo-cd", {});
    const report = verifyReleases([argocd, apps], FIXTURES)[1];
    assert.deepEqual(
      report.problems.map((p) => p.path),
      ["applications.typo.syncPolicy.automatd", "projects.typo.sourceRepo", "projects.typo.description"],
    );
    assert.ok(report.checked.includes("2 Application against the argo-cd@0.0.1-fixture CRD"));
    assert.ok(report.checked.includes("2 AppProject against the argo-cd@0.0.1-fixture CRD"));
    assert.match(problems(apps).join("\n"), /crd applications: cannot check: the plan has no argo-cd release/);
  });

  it("fails on a chart version missing from the directory, naming it and how to fill the cache", () => {
    const list = problems(release("velero", goodVelero, "9.9.9"));
    const p = at(list, "chart", "");
    assert.ok(p.includes(path.join(FIXTURES, "velero", "9.9.9")), p);
    assert.match(p, /have velero 0\.0\.1-fixture/);
    assert.match(p, /helm pull velero --repo https:\/\/charts\.example\.com --version 9\.9\.9 --untar/);
    assert.match(at(problems(release("metrics-server", {})), "chart", ""), /no version of metrics-server/);
  });
});

describe("conformance helpers", () => {
  it("merges values over defaults as Helm does: maps merge, lists replace, null deletes", () => {
    assert.deepEqual(helmMerge({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { c: 3 }, l: [9], d: null }), {
      a: { b: 1, c: 3 },
      l: [9],
    });
  });

  it("names schema errors by key path, list indexes included", () => {
    assert.equal(pointerToPath({ a: [{ "b/c": 1 }] }, "/a/0/b~1c"), "a[0].b/c");
  });

  it("validates draft 2020-12 schemas and older drafts", () => {
    const schema = (draft: string): Schema => ({
      $schema: draft,
      type: "object",
      properties: { a: { type: "integer" } },
    });
    for (const draft of ["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-04/schema#"]) {
      assert.deepEqual(schemaValidator(schema(draft))({ a: "x" }), [{ path: "a", message: "must be integer" }], draft);
    }
  });

  it("reports an array of maps the chart gives no example for, unless FREE_FORM lists it", () => {
    assert.deepEqual(
      keyProblems({ extra: [{ name: "x" }] }, { extra: [] }, []).map((f) => f.path),
      ["extra[]"],
    );
    assert.deepEqual(keyProblems({ extra: [{ name: "x" }] }, { extra: [] }, ["extra"]), []);
  });
});

// ------------------------------------------------------------------ the CLI

const run = promisify(execFile);

/** Runs `phoenix charts verify` as a process, from its sources, as `npm run charts:verify` does from the build. */
async function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await run(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "cli", "run.ts"), "charts", "verify", ...args],
      { cwd: ROOT, encoding: "utf8" },
    );
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const present = fs.existsSync(REFERENCE_CHARTS);
if (!present) {
  process.stderr.write(
    `\n!!! SKIPPED: ${REFERENCE_CHARTS} not found: charts verify against the reference charts did not run !!!\n\n`,
  );
}
const skip = present
  ? false
  : `SKIPPED: ${REFERENCE_CHARTS} not found; charts verify against the reference charts did not run`;

// The CLI runs are independent processes: run them side by side.
describe("phoenix charts verify, the command", { concurrency: true }, () => {
  it("exits 1 when a pinned chart version is missing from the directory, naming it", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-charts-empty-"));
    try {
      const json = path.join(empty, "report", "charts.json");
      const r = await cli("--stack", "prod", "--charts", empty, "--out", json);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^FAIL\s+velero\s+velero@/m);
      assert.ok(
        r.stdout.includes(`${path.join(empty, charts.velero.chart, charts.velero.version)} is missing`),
        r.stdout,
      );
      assert.match(r.stdout, /helm pull velero --repo /);
      // The JSON report holds the same verdicts: every release, each with its missing chart.
      const report = JSON.parse(fs.readFileSync(json, "utf8")) as {
        stack: string;
        charts: string;
        releases: { release: string; problems: Problem[] }[];
      };
      assert.deepEqual([report.stack, report.charts], ["prod", empty]);
      assert.ok(report.releases.length > 0);
      // The old --json FILE still writes it, for one release, and says what replaces it.
      const old = await cli("--stack", "prod", "--charts", empty, "--json", path.join(empty, "old.json"));
      assert.ok(fs.existsSync(path.join(empty, "old.json")));
      assert.match(old.stderr, /"charts verify --json FILE" is deprecated .* use "phoenix charts verify --out FILE"/);
      for (const rel of report.releases)
        assert.deepEqual(
          rel.problems.map((p) => p.check),
          ["chart"],
          rel.release,
        );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("exits 2 on a usage error, an unknown stack or a --charts that is not a directory, checking nothing", async () => {
    const [usage, unknown, notDir] = await Promise.all([
      cli("--stack", "prod"),
      cli("--stack", "nowhere", "--charts", FIXTURES),
      cli("--stack", "prod", "--charts", path.join(ROOT, "package.json")),
    ]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /required option '--charts <dir>' not specified/);
    assert.equal(unknown.status, 2);
    assert.match(
      unknown.stderr,
      new RegExp(`Pulumi\\.nowhere\\.yaml: no such stack file.*Known stacks: ${listStacks(ROOT).join(", ")}`),
    );
    assert.equal(notDir.status, 2);
    assert.match(notDir.stderr, /--charts .*package\.json: not a directory/);
    for (const r of [usage, unknown, notDir])
      assert.doesNotMatch(r.stdout, /Chart conformance|checked/, "nothing was checked");
  });

  it("exits 2 on a bad stack file of --project, naming the file and the key, checking nothing", async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-charts-project-"));
    try {
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
      const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, unknown>;
      };
      doc.config["phoenix:plugins"] = {
        ...(doc.config["phoenix:plugins"] as object),
        velero: { replication: { region: "eu-central-1" } },
      };
      fs.writeFileSync(path.join(project, "Pulumi.old.yaml"), stringify(doc));
      const r = await cli("--stack", "old", "--charts", FIXTURES, "--project", project);
      assert.equal(r.status, 2, r.stdout);
      assert.match(
        r.stderr,
        /Pulumi\.old\.yaml: invalid stack configuration \(1 problem\):\n {2}- phoenix:plugins\.velero\.replication: moved out of the platform stack/,
      );
      assert.equal(r.stdout, "");
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  for (const stack of listStacks(ROOT)) {
    it(`passes for stack ${stack} against the reference charts`, { skip }, async () => {
      const r = await cli("--stack", stack, "--charts", REFERENCE_CHARTS);
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /releases checked, all conform/);
    });
  }
});

describe("FREE_FORM", () => {
  it("holds each plugin's own free-form paths, from its registry entry, and the bootstrap chart's", () => {
    const registered = Object.values(PLUGINS).map((p) => p.chart.chart);
    assert.deepEqual(
      Object.keys(FREE_FORM).sort(),
      [...registered, charts.argocdApps.chart].sort(),
      "one entry per chart Phoenix installs",
    );
    for (const p of Object.values(PLUGINS)) assert.deepEqual(FREE_FORM[p.chart.chart], p.freeFormValues, p.id);
    assert.deepEqual(FREE_FORM[charts.argocdApps.chart], BOOTSTRAP_FREE_FORM_VALUES);
  });

  // A listed path the chart does not have is a typo in the allow-list itself.
  for (const [chart, paths] of Object.entries(FREE_FORM)) {
    it(`every ${chart} path exists in the reference chart`, { skip }, () => {
      const dirs = fs.existsSync(path.join(REFERENCE_CHARTS, chart))
        ? fs.readdirSync(path.join(REFERENCE_CHARTS, chart))
        : [];
      assert.ok(dirs.length > 0, `${chart} is not in ${REFERENCE_CHARTS}`);
      for (const version of dirs) {
        const dir = path.join(REFERENCE_CHARTS, chart, version);
        const defaults = parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")) as unknown;
        const schemaFile = path.join(dir, "values.schema.json");
        const schema = fs.existsSync(schemaFile)
          ? (JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Schema)
          : undefined;
        for (const p of paths) {
          // The path as values, ending in null (Helm's "delete": no kind to compare).
          const value = p
            .split(".")
            .reverse()
            .reduce<unknown>(
              (inner, seg) => (seg.endsWith("[]") ? { [seg.slice(0, -2)]: [inner] } : { [seg]: inner }),
              null,
            );
          assert.deepEqual(keyProblems(value, defaults, [], schema), [], `${chart} ${version}: ${p}`);
        }
      }
    });
  }
});
