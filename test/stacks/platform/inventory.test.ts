import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  backupScope,
  classifyNamespaces,
  CLUSTER_NAMESPACES,
  InventoryError,
  isBackedUp,
  namespacesOf,
  type InventoryInput,
  type NamespaceClaim,
} from "../../../stacks/platform/inventory";

const claim = (name: string, source: string, key?: string): NamespaceClaim => ({ name, source, key });
const base: InventoryInput = {
  platform: [
    ...CLUSTER_NAMESPACES.map((n) => claim(n, "eks")),
    claim("argocd", "plugin:argocd"),
    claim("velero", "plugin:velero"),
  ],
  gitops: [
    claim("shop", "application:shop"),
    claim("shop", "application:shop-config"),
    claim("catalog", "application:catalog"),
  ],
  imperative: [
    claim("ledger", "inventory", "phoenix:namespaces.imperative[0]"),
    claim("models", "inventory", "phoenix:namespaces.imperative[1]"),
  ],
};
const daily = {
  enabled: true,
  schedules: [{ name: "daily", cron: "0 3 * * *", ttl: "720h0m0s", storageLocation: "default" }],
};

function conflicts(input: InventoryInput): string[] {
  try {
    classifyNamespaces(input, "Pulumi.prod.yaml");
  } catch (err) {
    assert.ok(err instanceof InventoryError);
    assert.match(err.message, /^Pulumi\.prod\.yaml: the namespace inventory is inconsistent/);
    return [...err.conflicts];
  }
  assert.fail("inventory was accepted");
}

describe("namespace classification", () => {
  it("classifies every namespace exactly once, sorted, merging same-class claims", () => {
    const inv = classifyNamespaces(base, "Pulumi.prod.yaml");
    assert.deepEqual(
      inv.namespaces.map((n) => `${n.name}:${n.class}`),
      [
        "argocd:platform",
        "catalog:gitops",
        "default:platform",
        "kube-node-lease:platform",
        "kube-public:platform",
        "kube-system:platform",
        "ledger:imperative",
        "models:imperative",
        "shop:gitops",
        "velero:platform",
      ],
    );
    assert.deepEqual(inv.namespaces.find((n) => n.name === "shop")?.sources, [
      "application:shop",
      "application:shop-config",
    ]);
  });

  it("refuses a namespace that is imperative and a GitOps destination, naming both claims and the fix", () => {
    const [c] = conflicts({
      ...base,
      imperative: [...base.imperative, claim("shop", "inventory", "phoenix:namespaces.imperative[2]")],
    });
    assert.match(
      c,
      /namespace "shop" is classified twice \(gitops by application:shop and application:shop-config; imperative by inventory \(phoenix:namespaces\.imperative\[2\]\)\)/,
    );
    assert.match(c, /must never be backed up: remove it from phoenix:namespaces\.imperative/);
  });

  it("refuses an imperative namespace that is a platform namespace", () => {
    for (const ns of ["kube-system", "argocd", "velero"]) {
      const [c] = conflicts({ ...base, imperative: [claim(ns, "inventory")] });
      assert.match(c, new RegExp(`"${ns}" is classified twice`));
      assert.match(c, /Platform namespaces belong to EKS or a plugin/);
    }
  });

  it("refuses an imperative namespace listed twice", () => {
    const [c] = conflicts({
      ...base,
      imperative: [claim("ledger", "inventory", "k[0]"), claim("ledger", "inventory", "k[3]")],
    });
    assert.match(c, /"ledger" is listed 2 times as imperative: inventory \(k\[0\]\), inventory \(k\[3\]\)/);
  });

  it("reports every conflict at once", () => {
    const found = conflicts({ ...base, imperative: [claim("shop", "inventory"), claim("velero", "inventory")] });
    assert.equal(found.length, 2);
  });
});

describe("backup scope", () => {
  it("includes exactly the imperative namespaces and excludes every other known one", () => {
    const inv = classifyNamespaces(base, "Pulumi.prod.yaml");
    const scope = backupScope(inv, daily);
    assert.deepEqual(scope.includedNamespaces, ["ledger", "models"]);
    assert.deepEqual(scope.excludedNamespaces, [
      "argocd",
      "catalog",
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
      "shop",
      "velero",
    ]);
    assert.deepEqual(
      inv.namespaces.filter((n) => isBackedUp(n, scope)).map((n) => n.name),
      ["ledger", "models"],
    );
  });

  it("marks nothing backed up when backups are off", () => {
    const inv = classifyNamespaces(base, "Pulumi.prod.yaml");
    const scope = backupScope(inv, { ...daily, enabled: false });
    assert.equal(inv.namespaces.filter((n) => isBackedUp(n, scope)).length, 0);
  });
});

// Property-style: random inventories (seeded, so failures reproduce) keep the two
// invariants the product rests on.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("classification properties", () => {
  it("on 500 random consistent inventories: disjoint classes, full coverage, backups = imperative only", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const r = rng(seed);
      const pool = Array.from({ length: 12 }, (_, i) => `ns-${i}`);
      const pick = (): string => pool[Math.floor(r() * pool.length)];
      const owner = new Map<string, "platform" | "gitops" | "imperative">();
      const input = {
        platform: [] as NamespaceClaim[],
        gitops: [] as NamespaceClaim[],
        imperative: [] as NamespaceClaim[],
      };
      for (let i = 0; i < 10; i++) {
        const ns = pick();
        const cls = owner.get(ns) ?? (["platform", "gitops", "imperative"] as const)[Math.floor(r() * 3)];
        if (cls === "imperative" && owner.has(ns)) continue; // imperative may be listed only once
        owner.set(ns, cls);
        input[cls].push(claim(ns, `${cls}-${i}`));
      }
      const inv = classifyNamespaces(input, "Pulumi.x.yaml");
      const scope = backupScope(inv, daily);
      const names = inv.namespaces.map((n) => n.name);
      assert.equal(new Set(names).size, names.length, `seed ${seed}: a namespace appears twice`);
      assert.deepEqual([...names].sort(), [...owner.keys()].sort(), `seed ${seed}: coverage`);
      for (const n of inv.namespaces) assert.equal(n.class, owner.get(n.name), `seed ${seed}: ${n.name}`);
      assert.deepEqual(scope.includedNamespaces, namespacesOf(inv, "imperative"));
      assert.ok(
        scope.includedNamespaces.every((n) => !scope.excludedNamespaces.includes(n)),
        `seed ${seed}: include/exclude overlap`,
      );
      assert.equal(scope.includedNamespaces.length + scope.excludedNamespaces.length, names.length);
    }
  });

  it("on 500 random inventories with a cross-class claim: always refused", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const r = rng(seed);
      const ns = `ns-${Math.floor(r() * 5)}`;
      const classes = (["platform", "gitops", "imperative"] as const).filter(() => r() < 0.7);
      if (classes.length < 2) continue;
      const input = {
        platform: [] as NamespaceClaim[],
        gitops: [] as NamespaceClaim[],
        imperative: [] as NamespaceClaim[],
      };
      for (const c of classes) input[c].push(claim(ns, c));
      assert.throws(() => classifyNamespaces(input, "Pulumi.x.yaml"), InventoryError, `seed ${seed}`);
    }
  });
});
