import { ARGOCD_INSTANCE_LABEL, ARGOCD_TRACKING_ANNOTATION } from "../../../components/labels";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IN_CLUSTER } from "../../../components/apps/applications";
import { NAMESPACE_CLASS_LABEL, pluginNamespaces } from "../../../components/plugins";
import { stackInventory } from "../../../cli/audit/command";
import {
  audit,
  compileNamespaceGlob,
  FAILING_VERDICTS,
  globMatches,
  isState,
  scopeCovers,
  scopeProblems,
  STATE_KINDS,
  VERDICTS,
  type AuditInput,
  type LiveApplication,
  type LiveClass,
  type LiveNamespace,
  type LiveObject,
  type LiveSchedule,
  type StackInventory,
  type StateKind,
} from "../../../cli/audit/classify";
import { parseStackConfig } from "../../../stacks/platform/config";
import { CLUSTER_NAMESPACES, type NamespaceClass, type NamespaceEntry } from "../../../stacks/platform/inventory";
import { loadStack } from "../../../cli/stacks/stackFile";
import { ROOT } from "../../helpers";

const ns = (
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): LiveNamespace => ({ name, labels, annotations });
const classed = (name: string, cls: string): LiveNamespace => ns(name, { [NAMESPACE_CLASS_LABEL]: cls });
const app = (name: string, dest: string | undefined, over: Partial<LiveApplication> = {}): LiveApplication => ({
  namespace: "argocd",
  name,
  destinationNamespace: dest,
  destinationServer: IN_CLUSTER,
  ...over,
});
const schedule = (name: string, inc: string[], exc: string[] = [], over: Partial<LiveSchedule> = {}): LiveSchedule => ({
  namespace: "velero",
  name,
  includedNamespaces: inc,
  excludedNamespaces: exc,
  paused: false,
  phase: "Enabled",
  objectFilters: [],
  ...over,
});
const obj = (kind: StateKind, namespace: string, name: string, over: Partial<LiveObject> = {}): LiveObject => ({
  kind,
  namespace,
  name,
  labels: {},
  annotations: {},
  ...over,
});
const installed = <T>(items: T[]): { installed: true; items: T[] } => ({ installed: true, items });

/** A Phoenix cluster as `pulumi up` leaves it: labelled namespaces, the bootstrap Applications, the two schedules. */
function phoenixCluster(): AuditInput {
  const imperative = ["ledger", "models"];
  const others = ["argocd", "catalog", ...CLUSTER_NAMESPACES, "shop", "velero"];
  return {
    namespaces: [
      ...CLUSTER_NAMESPACES.map((n) => ns(n)),
      classed("argocd", "platform"),
      classed("velero", "platform"),
      classed("shop", "gitops"),
      classed("catalog", "gitops"),
      classed("ledger", "imperative"),
      classed("models", "imperative"),
    ],
    applications: installed([app("root", "argocd"), app("shop", "shop"), app("catalog", "catalog")]),
    schedules: installed([schedule("velero-daily", imperative, others), schedule("velero-hourly", imperative, others)]),
    objects: [
      obj("PersistentVolumeClaim", "ledger", "data-db-0"),
      obj("Secret", "ledger", "db-credentials", { type: "Opaque" }),
      obj("Secret", "argocd", "argocd-secret", { type: "Opaque" }),
      obj("ConfigMap", "shop", "kube-root-ca.crt"),
      obj("Deployment", "shop", "shop", {
        annotations: { [ARGOCD_TRACKING_ANNOTATION]: "shop:apps/Deployment:shop/shop" },
      }),
    ],
  };
}

const row = (input: AuditInput, name: string) => {
  const r = audit(input).rows.find((x) => x.name === name);
  assert.ok(r, `no row for ${name}`);
  return r;
};

describe("Velero namespace globs (1.18)", () => {
  it("matches *, ?, [abc] and [a-z] like Velero", () => {
    const cases: [string, string, boolean][] = [
      ["app-*", "app-prod", true],
      ["app-*", "app-", true],
      ["app-*", "xapp-prod", false],
      ["*-prod", "shop-prod", true],
      ["ns?", "ns1", true],
      ["ns?", "ns10", false],
      ["ns[123]", "ns2", true],
      ["ns[123]", "ns4", false],
      ["ns[a-c]", "nsb", true],
      ["ns[a-c]", "nsd", false],
      ["ledger", "ledger", true],
      ["ledger", "ledger-2", false],
      ["a.c*", "abc", false],
    ];
    for (const [p, n, want] of cases) assert.equal(globMatches(p, n), want, `${p} ~ ${n}`);
  });

  it("refuses what Velero's validation refuses, and such a pattern matches nothing", () => {
    for (const p of ["**", "a**", "{a,b}", "a|b", "(a)", "[!a]*", "[]x", "[abc", "a]*", "[z-a]*"]) {
      assert.equal(compileNamespaceGlob(p), undefined, p);
      assert.equal(globMatches(p, "a"), false, p);
    }
  });

  it("an empty includedNamespaces or a lone * means every namespace (Velero docs, 'Resource filtering')", () => {
    for (const inc of [[], ["*"]])
      for (const n of ["kube-system", "shop", "anything"])
        assert.ok(scopeCovers({ includedNamespaces: inc, excludedNamespaces: [] }, n));
  });

  it("excludes win; with a lone * Velero skips glob expansion, so glob excludes match only literally", () => {
    assert.equal(scopeCovers({ includedNamespaces: ["team-*"], excludedNamespaces: ["team-b"] }, "team-b"), false);
    assert.equal(scopeCovers({ includedNamespaces: [], excludedNamespaces: ["kube-*"] }, "kube-system"), false);
    assert.equal(scopeCovers({ includedNamespaces: ["*"], excludedNamespaces: ["kube-*"] }, "kube-system"), true);
    assert.equal(scopeCovers({ includedNamespaces: ["*"], excludedNamespaces: ["kube-system"] }, "kube-system"), false);
  });

  it("reports scopes Velero refuses", () => {
    assert.deepEqual(scopeProblems({ includedNamespaces: ["a"], excludedNamespaces: ["b"] }), []);
    assert.match(scopeProblems({ includedNamespaces: ["*", "a"], excludedNamespaces: [] }).join(), /mixes '\*'/);
    assert.match(
      scopeProblems({ includedNamespaces: [], excludedNamespaces: ["*"] }).join(),
      /excludedNamespaces contains '\*'/,
    );
    assert.match(
      scopeProblems({ includedNamespaces: ["a"], excludedNamespaces: ["a"] }).join(),
      /both included and excluded/,
    );
    assert.match(scopeProblems({ includedNamespaces: ["{a,b}"], excludedNamespaces: [] }).join(), /refuses/);
  });
});

describe("what holds state", () => {
  it("counts volumes always, and hand-made secrets, config maps and workloads unless Argo CD tracks them", () => {
    const tracked = { annotations: { [ARGOCD_TRACKING_ANNOTATION]: "app:/Secret:ns/x" } };
    const cases: [LiveObject, boolean][] = [
      [obj("PersistentVolumeClaim", "n", "data"), true],
      [obj("PersistentVolumeClaim", "n", "data", tracked), true],
      [obj("Secret", "n", "creds", { type: "Opaque" }), true],
      [obj("Secret", "n", "creds", { type: "Opaque", ...tracked }), false],
      [obj("Secret", "n", "creds", { type: "Opaque", labels: { [ARGOCD_INSTANCE_LABEL]: "app" } }), false],
      [obj("Secret", "n", "default-token", { type: "kubernetes.io/service-account-token" }), false],
      [obj("Secret", "n", "sh.helm.release.v1.x.v1", { type: "helm.sh/release.v1" }), false],
      [obj("ConfigMap", "n", "kube-root-ca.crt"), false],
      [obj("ConfigMap", "n", "settings"), true],
      [obj("Deployment", "n", "web"), true],
      [obj("StatefulSet", "n", "db", tracked), false],
      [obj("CronJob", "n", "report"), true],
    ];
    for (const [o, want] of cases)
      assert.equal(isState(o), want, `${o.kind}/${o.name} ${JSON.stringify(o.annotations)}`);
  });
});

describe("live classification", () => {
  it("passes a cluster exactly as Phoenix builds it", () => {
    const result = audit(phoenixCluster());
    assert.deepEqual(result.failures, []);
    assert.equal(result.failed, false);
    assert.deepEqual(
      result.rows.map((r) => `${r.name}:${r.class}:${r.verdict}`),
      [
        "argocd:platform:ok",
        "catalog:gitops:ok",
        "default:platform:ok",
        "kube-node-lease:platform:ok",
        "kube-public:platform:ok",
        "kube-system:platform:ok",
        "ledger:imperative:ok",
        "models:imperative:ok",
        "shop:gitops:ok",
        "velero:platform:ok",
      ],
    );
    assert.deepEqual(row(phoenixCluster(), "ledger").coveredBy, ["velero-daily", "velero-hourly"]);
    assert.deepEqual(row(phoenixCluster(), "ledger").holdsState, {
      PersistentVolumeClaim: ["data-db-0"],
      Secret: ["db-credentials"],
    });
  });

  it("the root app of apps does not make Argo CD's own namespace GitOps", () => {
    const r = row(phoenixCluster(), "argocd");
    assert.equal(r.class, "platform");
    assert.ok(!r.evidence.some((e) => e.class === "gitops"));
  });

  it("an unknown namespace with a volume and no backup would be lost", () => {
    const input = phoenixCluster();
    const result = audit({
      ...input,
      namespaces: [...input.namespaces, ns("scratch")],
      objects: [...input.objects, obj("PersistentVolumeClaim", "scratch", "notebook")],
    });
    assert.equal(result.failed, true);
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0].verdict, "lost");
    assert.match(
      result.failures[0].message,
      /unknown namespace "scratch" holds 1 PersistentVolumeClaim that no backup and no Git repository covers: it would be lost in a disaster/,
    );
    assert.match(result.failures[0].message, /phoenix:namespaces\.imperative/);
  });

  it("an empty unknown namespace is not a loss", () => {
    const input = phoenixCluster();
    const result = audit({
      ...input,
      namespaces: [...input.namespaces, ns("empty")],
      objects: [...input.objects, obj("ConfigMap", "empty", "kube-root-ca.crt")],
    });
    assert.equal(result.failed, false);
    assert.equal(result.rows.find((r) => r.name === "empty")?.class, "unknown");
  });

  it("a schedule that reaches a GitOps namespace fails, and so does one with an empty include list (it takes everything)", () => {
    const input = phoenixCluster();
    const glob = audit({ ...input, schedules: installed([schedule("weekly", ["ledger", "sh*"])]) });
    assert.deepEqual(
      glob.failures.map((f) => `${f.namespace}:${f.verdict}`),
      ["shop:backup-covers-gitops"],
    );
    const everything = audit({ ...input, schedules: installed([schedule("all", [])]) });
    const verdicts = new Map(everything.failures.map((f) => [f.namespace, f.verdict]));
    for (const n of [...CLUSTER_NAMESPACES, "argocd", "velero"])
      assert.equal(verdicts.get(n), "backup-covers-platform", n);
    for (const n of ["shop", "catalog"]) assert.equal(verdicts.get(n), "backup-covers-gitops", n);
    assert.ok(!verdicts.has("ledger"));
  });

  it("a paused schedule protects nothing, but its scope still counts against GitOps namespaces", () => {
    const input = phoenixCluster();
    const result = audit({
      ...input,
      schedules: installed([schedule("daily", ["ledger", "models", "shop"], [], { paused: true })]),
    });
    const byNs = new Map(result.failures.map((f) => [f.namespace, f]));
    assert.equal(byNs.get("ledger")?.verdict, "lost");
    assert.match(byNs.get("ledger")?.message ?? "", /daily \(paused\) would cover it but take no backups/);
    assert.equal(byNs.get("shop")?.verdict, "backup-covers-gitops");
    assert.deepEqual(result.rows.find((r) => r.name === "ledger")?.inactiveCoveredBy, [
      { schedule: "daily", reason: "paused" },
    ]);
    assert.deepEqual(result.rows.find((r) => r.name === "ledger")?.coveredBy, []);
  });

  it("an empty imperative namespace outside every schedule is a warning, not a failure", () => {
    const input = phoenixCluster();
    const withFresh = { ...input, namespaces: [...input.namespaces, classed("fresh", "imperative")] };
    const result = audit(withFresh);
    assert.equal(result.failed, false);
    assert.equal(row(withFresh, "fresh").verdict, "imperative-not-backed-up");
    assert.ok(result.warnings.some((w) => w.includes('"fresh"')));
  });

  it("conflicting evidence is a finding; precedence picks the class shown", () => {
    const input = phoenixCluster();
    // The ledger is imperative by label, and an Application now deploys into it.
    const result = audit({ ...input, applications: installed([app("root", "argocd"), app("ledger-ui", "ledger")]) });
    const r = result.rows.find((x) => x.name === "ledger");
    assert.equal(r?.class, "gitops");
    // Its schedules now reach a GitOps namespace too: the worst verdict is shown, both are reported.
    assert.equal(r?.verdict, "backup-covers-gitops");
    // And the ledger's hand-made Secret is now state in a GitOps namespace that Git does not hold.
    assert.deepEqual(
      r?.findings.map((f) => f.verdict),
      ["backup-covers-gitops", "conflict", "untracked-in-gitops"],
    );
    assert.match(
      result.failures.find((f) => f.verdict === "conflict")?.message ?? "",
      /gitops \(Application argocd\/ledger-ui\) vs imperative \(label phoenix\.platform\/namespace-class=imperative\)/,
    );
  });

  it("fails a GitOps namespace holding state Argo CD does not track, but not what controllers make again", () => {
    const input = phoenixCluster();
    const withObjects = (...objects: LiveObject[]) => audit({ ...input, objects: [...input.objects, ...objects] });
    const handMade = withObjects(obj("Secret", "shop", "api-key", { type: "Opaque" }));
    const shop = handMade.rows.find((x) => x.name === "shop");
    assert.equal(shop?.verdict, "untracked-in-gitops");
    assert.match(
      handMade.failures.find((f) => f.namespace === "shop")?.message ?? "",
      /1 Secret that Argo CD does not track \(api-key\).*would be lost in a disaster/,
    );
    const regenerated = withObjects(
      obj("Secret", "shop", "shop-tls", {
        type: "kubernetes.io/tls",
        annotations: { "cert-manager.io/certificate-name": "shop" },
      }),
      obj("Secret", "shop", "operator-made", { type: "Opaque", owned: true }),
      obj("ConfigMap", "shop", "settings", {
        annotations: { [ARGOCD_TRACKING_ANNOTATION]: "shop:/ConfigMap:shop/settings" },
      }),
    );
    assert.equal(regenerated.rows.find((x) => x.name === "shop")?.verdict, "ok");
    assert.equal(regenerated.failed, false);
  });

  it("ignores Applications that deploy to another cluster", () => {
    const input = phoenixCluster();
    const remote = audit({
      ...input,
      namespaces: [...input.namespaces, ns("edge")],
      applications: installed([
        app("edge", "edge", { destinationServer: "https://edge.example.com" }),
        app("edge2", "edge", { destinationServer: undefined, destinationName: "edge-cluster" }),
      ]),
    });
    assert.equal(remote.rows.find((r) => r.name === "edge")?.class, "unknown");
    const named = audit({
      ...input,
      namespaces: [...input.namespaces, ns("edge")],
      applications: installed([app("edge", "edge", { destinationServer: undefined, destinationName: "in-cluster" })]),
    });
    assert.equal(named.rows.find((r) => r.name === "edge")?.class, "gitops");
  });

  it("Argo tracking metadata on the namespace object makes it GitOps", () => {
    const input = phoenixCluster();
    const tracked = audit({
      ...input,
      namespaces: [
        ...input.namespaces,
        ns("a", {}, { [ARGOCD_TRACKING_ANNOTATION]: "apps:/Namespace:/a" }),
        ns("b", { [ARGOCD_INSTANCE_LABEL]: "apps" }),
      ],
    });
    assert.equal(tracked.rows.find((r) => r.name === "a")?.class, "gitops");
    assert.equal(tracked.rows.find((r) => r.name === "b")?.class, "gitops");
  });

  it("says what it cannot see when Argo CD or Velero is not installed", () => {
    const input = phoenixCluster();
    const result = audit({ ...input, applications: { installed: false }, schedules: { installed: false } });
    assert.ok(result.notes.some((n) => /Argo CD is not installed/.test(n)));
    assert.ok(result.notes.some((n) => /Velero is not installed/.test(n)));
    assert.deepEqual(
      result.failures.map((f) => `${f.namespace}:${f.verdict}`),
      ["ledger:lost"],
    );
    assert.equal(result.rows.find((r) => r.name === "shop")?.class, "gitops", "the label still says gitops");
  });

  it("uses the stack inventory when the labels are missing", () => {
    const inventory: NamespaceEntry[] = [
      { name: "argocd", class: "platform", sources: ["plugin:argocd"] },
      { name: "ledger", class: "imperative", sources: ["inventory"] },
      { name: "gone", class: "imperative", sources: ["inventory"] },
    ];
    const stack: StackInventory = { stackFile: "Pulumi.prod.yaml", inventory: { namespaces: inventory } };
    const result = audit({
      namespaces: [ns("argocd"), ns("ledger")],
      applications: installed([]),
      schedules: installed([]),
      objects: [obj("PersistentVolumeClaim", "ledger", "data")],
      stack,
    });
    assert.deepEqual(
      result.rows.map((r) => `${r.name}:${r.class}`),
      ["argocd:platform", "ledger:imperative"],
    );
    assert.deepEqual(result.rows[0].evidence, [{ class: "platform", source: "Pulumi.prod.yaml plugin:argocd" }]);
    assert.match(result.failures[0].message, /Pulumi\.prod\.yaml lists it/);
    assert.ok(result.notes.some((n) => /declares imperative namespace "gone", which does not exist/.test(n)));
  });
});

describe("stack inventory for --stack", () => {
  it("reads Pulumi.<stack>.yaml and classifies it as the plan does, without the Pulumi program", async () => {
    // The repository's own prod stack, whatever it holds: the assertions follow its config.
    const loaded = loadStack(ROOT, "prod");
    const cfg = parseStackConfig(loaded.config, { project: loaded.project, stack: "prod" });
    const stack = await stackInventory(ROOT, "prod");
    assert.equal(stack.stackFile, "Pulumi.prod.yaml");
    const classes = new Map(stack.inventory.namespaces.map((n) => [n.name, n.class]));
    for (const n of CLUSTER_NAMESPACES) assert.equal(classes.get(n), "platform", n);
    for (const p of pluginNamespaces(cfg.plugins)) assert.equal(classes.get(p.name), "platform", p.name);
    for (const a of cfg.gitops.applications) assert.equal(classes.get(a.namespace), "gitops", a.namespace);
    for (const n of cfg.namespaces.imperative) assert.equal(classes.get(n.name), "imperative", n.name);
    // Live namespaces without any label: the stack alone classifies them.
    const result = audit({
      namespaces: stack.inventory.namespaces.map((n) => ns(n.name)),
      applications: installed([]),
      schedules: installed([]),
      objects: [],
      stack,
    });
    assert.deepEqual(
      result.rows.map((r) => `${r.name}:${r.class}`),
      [...stack.inventory.namespaces].sort((a, b) => a.name.localeCompare(b.name)).map((n) => `${n.name}:${n.class}`),
    );
  });

  it("fails with the loader's message for a stack that does not exist", async () => {
    await assert.rejects(stackInventory(ROOT, "no-such-stack"), /Pulumi\.no-such-stack\.yaml: no such stack file/);
  });
});

// ---------------------------------------------------------------------------
// Property-style: seeded random clusters, so a failure names a seed that reproduces it.
// ---------------------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An independent glob matcher (backtracking), to check the compiled one against. */
function refMatch(p: string, s: string): boolean {
  if (p === "") return s === "";
  if (p[0] === "*") return refMatch(p.slice(1), s) || (s !== "" && refMatch(p, s.slice(1)));
  if (s === "") return false;
  if (p[0] === "?") return refMatch(p.slice(1), s.slice(1));
  if (p[0] === "[") {
    const end = p.indexOf("]");
    const body = p.slice(1, end);
    const set = new Set<string>();
    for (let i = 0; i < body.length; i++) {
      if (body[i + 1] === "-" && i + 2 < body.length) {
        for (let c = body.charCodeAt(i); c <= body.charCodeAt(i + 2); c++) set.add(String.fromCharCode(c));
        i += 2;
      } else set.add(body[i]);
    }
    return set.has(s[0]) && refMatch(p.slice(end + 1), s.slice(1));
  }
  return p[0] === s[0] && refMatch(p.slice(1), s.slice(1));
}

const POOL = [
  ...CLUSTER_NAMESPACES,
  "argocd",
  "velero",
  "shop",
  "catalog",
  "ledger",
  "models",
  "scratch",
  "team-a",
  "team-b",
  "tmp1",
];
const PATTERNS = ["team-*", "t??1", "[ls]*", "kube-*", "*s", "shop", "ledger", "scratch", "*"];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}
function some<T>(r: () => number, xs: readonly T[], p: number): T[] {
  return xs.filter(() => r() < p);
}

function randomInput(seed: number): AuditInput {
  const r = rng(seed);
  const names = some(r, POOL, 0.7);
  const namespaces = names.map((name) => {
    const labels: Record<string, string> = {};
    const annotations: Record<string, string> = {};
    const label = pick(r, [undefined, undefined, "platform", "gitops", "imperative", "bogus"]);
    if (label) labels[NAMESPACE_CLASS_LABEL] = label;
    if (r() < 0.1) labels[ARGOCD_INSTANCE_LABEL] = "apps";
    if (r() < 0.1) annotations[ARGOCD_TRACKING_ANNOTATION] = `apps:/Namespace:/${name}`;
    return ns(name, labels, annotations);
  });
  const apps = Array.from({ length: Math.floor(r() * 5) }, (_, i) =>
    app(`app-${i}`, pick(r, [...POOL, "ghost", undefined]), {
      namespace: pick(r, ["argocd", "argocd", "team-a"]),
      destinationServer: pick(r, [IN_CLUSTER, IN_CLUSTER, "https://remote.example.com", undefined]),
      destinationName: pick(r, [undefined, "in-cluster", "remote"]),
    }),
  );
  const scope = (): string[] => (r() < 0.2 ? [] : some(r, PATTERNS, 0.25));
  const schedules = Array.from({ length: Math.floor(r() * 4) }, (_, i) =>
    schedule(`s${i}`, scope(), some(r, PATTERNS.slice(0, -1), 0.15), {
      paused: r() < 0.2,
      phase: pick(r, ["Enabled", "Enabled", "FailedValidation", undefined]),
    }),
  );
  const objects = POOL.flatMap((n) =>
    Array.from({ length: Math.floor(r() * 3) }, (_, i) =>
      obj(pick(r, STATE_KINDS), n, `o${i}`, {
        type: pick(r, ["Opaque", "kubernetes.io/service-account-token", "helm.sh/release.v1"]),
        annotations: r() < 0.3 ? { [ARGOCD_TRACKING_ANNOTATION]: "x" } : {},
      }),
    ).map((o) => (o.kind === "ConfigMap" && r() < 0.5 ? { ...o, name: "kube-root-ca.crt" } : o)),
  );
  const stack: StackInventory | undefined =
    r() < 0.5
      ? {
          stackFile: "Pulumi.x.yaml",
          inventory: {
            namespaces: some(r, POOL, 0.3).map((name) => ({
              name,
              class: pick(r, ["platform", "gitops", "imperative"] as const),
              sources: ["random"],
            })),
          },
        }
      : undefined;
  return {
    namespaces,
    applications: r() < 0.85 ? installed(apps) : { installed: false },
    schedules: r() < 0.85 ? installed(schedules) : { installed: false },
    objects,
    stack,
  };
}

/** The class rules restated plainly, as the oracle. */
function expectedClass(input: AuditInput, n: LiveNamespace): LiveClass {
  const label = n.labels[NAMESPACE_CLASS_LABEL];
  const stackClass = input.stack?.inventory.namespaces.find((e) => e.name === n.name)?.class;
  const has = (c: NamespaceClass): boolean => label === c || stackClass === c;
  if (CLUSTER_NAMESPACES.includes(n.name) || has("platform")) return "platform";
  const apps = input.applications.installed ? input.applications.items : [];
  const appTargets = apps.some(
    (a) =>
      a.destinationNamespace === n.name &&
      a.namespace !== n.name &&
      (a.destinationServer
        ? a.destinationServer === IN_CLUSTER
        : !a.destinationName || a.destinationName === "in-cluster"),
  );
  if (
    has("gitops") ||
    appTargets ||
    n.labels[ARGOCD_INSTANCE_LABEL] !== undefined ||
    n.annotations[ARGOCD_TRACKING_ANNOTATION] !== undefined
  )
    return "gitops";
  if (has("imperative")) return "imperative";
  return "unknown";
}

function activeCover(input: AuditInput, name: string): boolean {
  const schedules = input.schedules.installed ? input.schedules.items : [];
  return schedules.some(
    (s) => !s.paused && s.phase !== "FailedValidation" && scopeProblems(s).length === 0 && scopeCovers(s, name),
  );
}

describe("classification properties", () => {
  it("on 1000 random clusters: one class per live namespace (disjoint, full coverage), by the documented precedence", () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const input = randomInput(seed);
      const result = audit(input);
      const live = input.namespaces.map((n) => n.name).sort();
      assert.deepEqual(
        result.rows.map((r) => r.name),
        live,
        `seed ${seed}: coverage`,
      );
      const byClass = new Map<LiveClass, string[]>();
      for (const r of result.rows) byClass.set(r.class, [...(byClass.get(r.class) ?? []), r.name]);
      const union = [...byClass.values()].flat().sort();
      assert.deepEqual(union, live, `seed ${seed}: the classes partition the namespaces`);
      assert.ok(
        [...byClass.keys()].every((c) => ["platform", "gitops", "imperative", "unknown"].includes(c)),
        `seed ${seed}`,
      );
      for (const n of input.namespaces) {
        assert.equal(
          result.rows.find((r) => r.name === n.name)?.class,
          expectedClass(input, n),
          `seed ${seed}: ${n.name}`,
        );
      }
    }
  });

  it("on 1000 random clusters: state outside every active backup in an imperative or unknown namespace is always a loss, and only then", () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const input = randomInput(seed);
      const result = audit(input);
      for (const r of result.rows) {
        const holds = input.objects.some((o) => o.namespace === r.name && isState(o));
        const shouldBeLost =
          (r.class === "imperative" || r.class === "unknown") && holds && !activeCover(input, r.name);
        const lost = result.failures.find((f) => f.namespace === r.name && f.verdict === "lost");
        assert.equal(lost !== undefined, shouldBeLost, `seed ${seed}: ${r.name} (${r.class}, state ${holds})`);
        if (lost) assert.match(lost.message, /would be lost in a disaster/);
      }
    }
  });

  it("on 1000 random clusters: any schedule scope over a platform or GitOps namespace fails; the verdicts are consistent", () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const input = randomInput(seed);
      const result = audit(input);
      const schedules = input.schedules.installed ? input.schedules.items : [];
      for (const r of result.rows) {
        const reached = schedules.some((s) => scopeCovers(s, r.name));
        const verdicts = r.findings.map((f) => f.verdict);
        assert.equal(
          verdicts.includes("backup-covers-platform"),
          r.class === "platform" && reached,
          `seed ${seed}: ${r.name}`,
        );
        assert.equal(
          verdicts.includes("backup-covers-gitops"),
          r.class === "gitops" && reached,
          `seed ${seed}: ${r.name}`,
        );
        assert.equal(
          verdicts.includes("conflict"),
          new Set(r.evidence.map((e) => e.class)).size > 1,
          `seed ${seed}: ${r.name}`,
        );
        assert.equal(r.verdict, VERDICTS.find((v) => verdicts.includes(v)) ?? "ok", `seed ${seed}: worst verdict`);
        assert.ok(
          r.coveredBy.every((c) => !r.inactiveCoveredBy.some((i) => i.schedule === c)),
          `seed ${seed}: active and inactive overlap`,
        );
      }
      assert.ok(result.failures.every((f) => FAILING_VERDICTS.includes(f.verdict)));
      assert.equal(result.failed, result.failures.length > 0);
    }
  });

  it("on 500 random clusters: adding an imperative namespace with a volume and removing the schedules is always a finding", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const input = randomInput(seed);
      const name = `imp-${seed}`;
      const result = audit({
        ...input,
        namespaces: [...input.namespaces, classed(name, "imperative")],
        schedules: pick(rng(seed), [installed([]), { installed: false } as const]),
        objects: [...input.objects, obj("PersistentVolumeClaim", name, "data")],
      });
      const f = result.failures.find((x) => x.namespace === name);
      assert.equal(f?.verdict, "lost", `seed ${seed}`);
      assert.equal(result.failed, true);
    }
  });

  it("the generator reaches every class and every verdict (so the properties above are not vacuous)", () => {
    const classes = new Set<string>();
    const verdicts = new Set<string>();
    for (let seed = 1; seed <= 1000; seed++) {
      for (const r of audit(randomInput(seed)).rows) {
        classes.add(r.class);
        for (const f of r.findings) verdicts.add(f.verdict);
      }
    }
    assert.deepEqual([...classes].sort(), ["gitops", "imperative", "platform", "unknown"]);
    assert.deepEqual([...verdicts].sort(), VERDICTS.filter((v) => v !== "ok").sort());
  });

  it("on 2000 random patterns: the compiled glob agrees with a backtracking matcher", () => {
    const atoms = ["a", "b", "-", "*", "?", "[ab]", "[a-c]", "[-b]"];
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const pattern = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, atoms)).join("");
      const name = Array.from({ length: Math.floor(r() * 5) }, () => pick(r, ["a", "b", "c", "-"])).join("");
      const valid = compileNamespaceGlob(pattern) !== undefined;
      assert.equal(valid, !pattern.includes("**"), pattern);
      assert.equal(globMatches(pattern, name), valid && refMatch(pattern, name), `${pattern} ~ "${name}"`);
    }
  });
});
