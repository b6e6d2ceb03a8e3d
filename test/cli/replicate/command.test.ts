/**
 * `phoenix replicate` end to end against a copy of the repository's stack files: what
 * it writes, what it refuses (exit 2, nothing written), and, with a scripted engine, the
 * engine calls it makes, in order, with which config.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse, parseDocument } from "yaml";
import { Planner } from "../../../cli/plan/planner";
import { phoenix, repositoryCopy, ScriptedEngine } from "../phoenix";

const STORAGE = path.join("stacks", "backup-storage");

function read(root: string, file: string): Record<string, unknown> {
  return (parse(fs.readFileSync(path.join(root, file), "utf8")) as { config: Record<string, unknown> }).config;
}

describe("phoenix replicate --write-only", () => {
  it("writes the region's platform and storage stack files, derived and commented, and they plan", async () => {
    const root = repositoryCopy();
    const r = await phoenix(
      ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--write-only"],
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote stacks\/backup-storage\/Pulumi\.use1\.yaml/);
    assert.match(r.stdout, /restores read-only from phoenix-backup-storage\/prod/);
    const prod = read(root, "Pulumi.prod.yaml");
    const cfg = read(root, "Pulumi.use1.yaml");
    assert.equal(cfg["aws:region"], "us-east-1");
    assert.deepEqual((cfg["phoenix:cluster"] as { name: string }).name, "phoenix-use1");
    // A block of the source's size that overlaps prod's 10.20.0.0/16.
    assert.equal((cfg["phoenix:network"] as { cidr: string }).cidr, "10.0.0.0/16");
    // The backend's own organization, whichever it is (Pulumi Cloud or DIY).
    assert.deepEqual((cfg["phoenix:backups"] as { restoreFrom: unknown }).restoreFrom, {
      stack: "phoenix-backup-storage/prod",
    });
    // Everything not derived is the source's.
    assert.deepEqual(cfg["phoenix:gitops"], prod["phoenix:gitops"]);
    assert.deepEqual(cfg["phoenix:namespaces"], prod["phoenix:namespaces"]);
    assert.deepEqual(cfg["phoenix:plugins"], prod["phoenix:plugins"]);
    // Each derived key says where it came from.
    const text = fs.readFileSync(path.join(root, "Pulumi.use1.yaml"), "utf8");
    for (const line of [
      "aws:region: us-east-1 # derived: --region (prod: eu-west-1)",
      "name: phoenix-use1 # derived:",
      "cidr: 10.0.0.0/16 # derived:",
      "stack: phoenix-backup-storage/prod # derived:",
    ]) {
      assert.ok(text.includes(line), line);
    }
    assert.ok(!text.includes("prod: the primary region"), "the source's own header is not carried over");

    const storage = read(root, path.join(STORAGE, "Pulumi.use1.yaml"));
    assert.equal(storage["aws:region"], "us-east-1");
    assert.deepEqual(
      storage["phoenix-backup-storage:replication"],
      { region: "eu-west-1" },
      "its own DR copy goes to the source's region",
    );

    // The written files plan: the new platform writes to its own storage and reads prod's replica, read-only.
    const planner = new Planner(root);
    const plan = await planner.planPlatform({ stack: "use1" });
    const velero = plan.helmReleases.find((h) => h.chart === "velero");
    const locations = (
      velero?.values as {
        configuration: {
          backupStorageLocation: { name: string; bucket: string; accessMode?: string; config: { region: string } }[];
        };
      }
    ).configuration.backupStorageLocation;
    const own = await planner.planStorage({ stack: "use1" });
    const source = await planner.planStorage({ stack: "prod" });
    assert.deepEqual(
      locations.map((l) => [l.name, l.bucket, l.accessMode ?? "ReadWrite", l.config.region]),
      [
        ["default", own.outputs.bucket, "ReadWrite", "us-east-1"],
        ["restore-source", source.outputs.replicaBucket, "ReadOnly", "eu-central-1"],
      ],
    );
    assert.notEqual(own.outputs.bucket, source.outputs.replicaBucket);
  });

  it("leaves every line it did not derive byte for byte as it was: flow lists, quoting, long strings, comments", async () => {
    const root = repositoryCopy();
    const file = path.join(root, "Pulumi.prod.yaml");
    // A comment above a derived key that names the old value, and a folded string.
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, "utf8")
        .replace(
          "    cidr: 10.20.0.0/16\n",
          "    # 10.20.0.0/16: agreed with the network team\n    cidr: 10.20.0.0/16\n",
        )
        .replace("  phoenix:tags:\n", "  phoenix:tags:\n    note: >-\n      a folded string\n      over two lines\n"),
    );
    assert.equal(
      (await phoenix(["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--write-only"], root))
        .status,
      0,
    );
    const source = fs.readFileSync(file, "utf8").split("\n");
    const derived = fs.readFileSync(path.join(root, "Pulumi.use1.yaml"), "utf8").split("\n");
    const body = derived.filter(
      (l) =>
        !/# derived: /.test(l) &&
        !/^# /.test(l) &&
        l !== "" &&
        !/in the source: rewritten/.test(l) &&
        !/^ {4}(restoreFrom:| {2}stack: )/.test(l) &&
        !/10\.0\.0\.0\/16: agreed/.test(l),
    );
    const missing = body.filter((l) => !source.includes(l));
    assert.deepEqual(missing, [], "every line not derived is the source's, byte for byte");
    assert.ok(derived.includes("          instanceTypes: [m7i.large, m6i.large]"), "a flow list as written");
    assert.ok(
      derived.some((l) => l.includes('command: [/bin/sh, -c, "pg_isready -U postgres && pg_restore --list')),
      "a long quoted string on its one line",
    );
    assert.ok(
      derived.includes("    note: >-") && derived.includes("      over two lines"),
      "a folded string as written",
    );
    const comment = derived.findIndex((l) => l.includes("agreed with the network team"));
    assert.equal(
      derived[comment],
      "    # 10.0.0.0/16: agreed with the network team",
      "a comment naming the old value names the new one",
    );
    assert.match(derived[comment + 1], /10\.20\.0\.0\/16 in the source: rewritten with the value above/);
  });

  it("takes --cidr, and a second replica gets a block the first did not take", async () => {
    const root = repositoryCopy();
    assert.equal(
      (
        await phoenix(
          ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--cidr", "10.40.0.0/16"],
          root,
        )
      ).status,
      0,
    );
    assert.equal((read(root, "Pulumi.use1.yaml")["phoenix:network"] as { cidr: string }).cidr, "10.40.0.0/16");
    assert.equal(
      (await phoenix(["replicate", "--from", "prod", "--region", "ap-southeast-2", "--stack", "apse2"], root)).status,
      0,
    );
    assert.equal((read(root, "Pulumi.apse2.yaml")["phoenix:network"] as { cidr: string }).cidr, "10.0.0.0/16");
    assert.equal(
      (
        await phoenix(
          ["replicate", "--from", "prod", "--region", "ca-central-1", "--stack", "cac1", "-o", "json"],
          root,
        )
      ).status,
      0,
    );
    assert.equal((read(root, "Pulumi.cac1.yaml")["phoenix:network"] as { cidr: string }).cidr, "10.1.0.0/16");
  });

  const refused: { name: string; argv: string[]; message: RegExp }[] = [
    {
      name: "an existing stack name",
      argv: ["--from", "prod", "--region", "us-east-1", "--stack", "prod"],
      message: /Pulumi\.prod\.yaml exists already: choose a new stack name/,
    },
    {
      name: "the source's own region",
      argv: ["--from", "prod", "--region", "eu-west-1", "--stack", "euw1"],
      message: /prod's own region: a replica must live in another region/,
    },
    {
      name: "another partition",
      argv: ["--from", "prod", "--region", "cn-north-1", "--stack", "cn1"],
      message: /partition aws-cn, but prod is in aws: .*choose a region of aws/,
    },
    {
      name: "a region that does not exist",
      argv: ["--from", "prod", "--region", "us-east-9", "--stack", "use9"],
      message: /not a region AWS lists/,
    },
    {
      name: "a --cidr overlapping another stack",
      argv: ["--from", "prod", "--region", "us-east-1", "--stack", "use1", "--cidr", "10.20.128.0/17"],
      message: /overlaps 10\.20\.0\.0\/16 of Pulumi\.prod\.yaml/,
    },
    {
      name: "a malformed --cidr",
      argv: ["--from", "prod", "--region", "us-east-1", "--stack", "use1", "--cidr", "10.20.0.1/16"],
      message: /--cidr 10\.20\.0\.1\/16: must be an IPv4 block/,
    },
    {
      name: "a source that does not exist",
      argv: ["--from", "nope", "--region", "us-east-1", "--stack", "use1"],
      message: /--from nope: no such stack .*Known stacks: prod/,
    },
    {
      name: "two modes",
      argv: ["--from", "prod", "--region", "us-east-1", "--stack", "use1", "--preview", "--yes"],
      message: /at most one of --write-only, --preview and --yes/,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with exit 2, the fix, and nothing written`, async () => {
      const root = repositoryCopy();
      const before = fs.readdirSync(root).concat(fs.readdirSync(path.join(root, STORAGE)));
      const engine = new ScriptedEngine();
      const r = await phoenix(["replicate", ...c.argv], root, engine);
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, c.message);
      assert.deepEqual(fs.readdirSync(root).concat(fs.readdirSync(path.join(root, STORAGE))), before);
      assert.deepEqual(engine.calls, []);
    });
  }

  it("refuses a stack name the storage project already has", async () => {
    const root = repositoryCopy();
    fs.copyFileSync(path.join(root, STORAGE, "Pulumi.prod.yaml"), path.join(root, STORAGE, "Pulumi.use1.yaml"));
    const r = await phoenix(["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1"], root);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /stacks\/backup-storage\/Pulumi\.use1\.yaml exists already/);
    assert.ok(!fs.existsSync(path.join(root, "Pulumi.use1.yaml")));
  });

  it("writes nothing when the derived stack fails the offline plan", async () => {
    const root = repositoryCopy();
    // A source whose Argo CD settings are invalid: the derived file would be too.
    const file = path.join(root, "Pulumi.prod.yaml");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace("clientId: argocd", "clientId: argocd\n        bogus: 1"),
    );
    const r = await phoenix(["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1"], root);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Pulumi\.use1\.yaml: invalid stack configuration[\s\S]*phoenix:plugins\.argocd\.sso\.bogus/);
    assert.ok(!fs.existsSync(path.join(root, "Pulumi.use1.yaml")));
    assert.ok(!fs.existsSync(path.join(root, STORAGE, "Pulumi.use1.yaml")));
  });
});

/** A source stack with a secrets provider and one secret setting, as `pulumi config set --secret --path` leaves it. */
function withSecret(root: string): void {
  const file = path.join(root, "Pulumi.prod.yaml");
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  doc.set("secretsprovider", "awskms://alias/phoenix-secrets?region=eu-west-1");
  doc.set("encryptedkey", "AQICAHg-prod-only-key-material");
  doc.set("encryptionsalt", "v1:prod-only-salt:v1:abc");
  doc.setIn(["config", "phoenix:gitops", "credentials"], {
    type: "https",
    username: "x-access-token",
    token: { secure: "v1:prod-ciphertext" },
  });
  fs.writeFileSync(file, doc.toString());
}

describe("phoenix replicate --preview and --yes (scripted engine)", () => {
  it("--yes: storage first, then the platform, with the source's secrets provider and its secrets re-encrypted, never printed", async () => {
    const root = repositoryCopy();
    withSecret(root);
    const engine = new ScriptedEngine({
      config: { "platform/prod": { "phoenix:gitops.credentials.token": "s3cr3t-t0ken" } },
    });
    const r = await phoenix(
      ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--yes"],
      root,
      engine,
    );
    assert.equal(r.status, 0, r.stderr);
    const provider = "awskms://alias/phoenix-secrets?region=eu-west-1";
    assert.deepEqual(
      engine.calls.map((c) => [c.op, c.stack, c.detail?.secretsProvider ?? c.detail?.key ?? null]),
      [
        ["ensureStack", "storage/use1", provider],
        ["up", "storage/use1", null],
        ["ensureStack", "platform/use1", provider],
        ["getConfig", "platform/prod", "phoenix:gitops.credentials.token"],
        ["setConfig", "platform/use1", "phoenix:gitops.credentials.token"],
        ["up", "platform/use1", null],
      ],
    );
    assert.deepEqual(engine.calls[4].detail, {
      key: "phoenix:gitops.credentials.token",
      path: true,
      secret: true,
      length: "s3cr3t-t0ken".length,
    });
    assert.equal(engine.calls[0].detail?.workDir, path.join(root, STORAGE));
    assert.equal(engine.calls[2].detail?.workDir, root);
    assert.ok(!(r.stdout + r.stderr).includes("s3cr3t-t0ken"), "the secret value is never printed");
    assert.match(r.stdout, /platform: create 3, same 1/);
    // Per-stack key material is never copied; the ciphertext left in the file is marked for re-encryption.
    const text = fs.readFileSync(path.join(root, "Pulumi.use1.yaml"), "utf8");
    assert.ok(
      !text.includes("encryptedkey") && !text.includes("encryptionsalt"),
      "neither the source's key nor its passphrase salt",
    );
    assert.match(text, /secretsprovider: awskms:\/\/alias\/phoenix-secrets/);
    // Once the engine re-encrypted it, the mark that `up` refuses is gone.
    assert.doesNotMatch(text, /not yet re-encrypted/);
    assert.match(
      text,
      /token:\n\s+secure: v1:prod-ciphertext\n(?!\s*\n)/,
      "the value itself is the engine's to rewrite (the scripted one does not); no line is left blank",
    );
  });

  it("--write-only keeps the secrets in the source's encryption; up refuses the file; --resume --yes re-encrypts them and deploys", async () => {
    const root = repositoryCopy();
    withSecret(root);
    const written = await phoenix(
      ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--write-only"],
      root,
    );
    assert.equal(written.status, 0, written.stderr);
    assert.match(written.stdout, /--resume --yes/);
    const up = await phoenix(["up", "--stack", "use1"], root, new ScriptedEngine());
    assert.equal(up.status, 2);
    assert.match(
      up.stderr,
      /holds secrets not yet re-encrypted for this stack: run `phoenix replicate --from <source> --stack use1 --resume --yes`/,
    );
    const engine = new ScriptedEngine({
      config: { "platform/prod": { "phoenix:gitops.credentials.token": "s3cr3t-t0ken" } },
    });
    const resumed = await phoenix(
      ["replicate", "--from", "prod", "--stack", "use1", "--resume", "--yes"],
      root,
      engine,
    );
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(
      engine.calls.map((c) => `${c.op} ${c.stack}`),
      [
        "ensureStack storage/use1",
        "up storage/use1",
        "ensureStack platform/use1",
        "getConfig platform/prod",
        "setConfig platform/use1",
        "up platform/use1",
      ],
    );
    assert.ok(!(resumed.stdout + resumed.stderr).includes("s3cr3t-t0ken"));
    // Re-encrypted: the marks are gone, and `up` takes the file now.
    assert.doesNotMatch(fs.readFileSync(path.join(root, "Pulumi.use1.yaml"), "utf8"), /not yet re-encrypted/);
    assert.equal((await phoenix(["up", "--stack", "use1"], root, new ScriptedEngine())).status, 0);
    const nothing = await phoenix(
      ["replicate", "--from", "prod", "--stack", "euc1", "--resume", "--yes"],
      root,
      new ScriptedEngine(),
    );
    assert.equal(nothing.status, 2);
    assert.match(
      nothing.stderr,
      /--resume: stacks\/backup-storage\/Pulumi\.euc1\.yaml and Pulumi\.euc1\.yaml not found/,
    );
    assert.equal(
      (await phoenix(["replicate", "--from", "prod", "--stack", "use1"], root)).status,
      2,
      "--region is required without --resume",
    );
  });

  it("--preview: previews the storage, and skips the platform's preview until the storage has outputs", async () => {
    const root = repositoryCopy();
    const fresh = new ScriptedEngine();
    const r = await phoenix(
      ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--preview"],
      root,
      fresh,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      fresh.calls.map((c) => `${c.op} ${c.stack}`),
      ["ensureStack storage/use1", "preview storage/use1", "ensureStack platform/use1", "outputs storage/use1"],
    );
    assert.match(r.stdout, /has no outputs yet \(never deployed\).*phoenix up --stack use1/);

    const root2 = repositoryCopy();
    const deployed = new ScriptedEngine({
      outputs: { "storage/use1": { bucket: "b", region: "us-east-1", kmsKeyArn: "k" } },
    });
    assert.equal(
      (
        await phoenix(
          ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--preview"],
          root2,
          deployed,
        )
      ).status,
      0,
    );
    assert.deepEqual(deployed.calls.map((c) => `${c.op} ${c.stack}`).slice(-2), [
      "outputs storage/use1",
      "preview platform/use1",
    ]);
  });

  it("an engine failure exits 1 with the engine's words, stops before the platform, and leaves the checked files", async () => {
    const root = repositoryCopy();
    const engine = new ScriptedEngine({ fail: ["up storage/use1"] });
    const r = await phoenix(
      ["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1", "--yes"],
      root,
      engine,
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /engine operation failed: scripted failure of up storage\/use1/);
    assert.deepEqual(
      engine.calls.map((c) => `${c.op} ${c.stack}`),
      ["ensureStack storage/use1", "up storage/use1"],
    );
    assert.ok(fs.existsSync(path.join(root, "Pulumi.use1.yaml")));
  });
});

describe("phoenix preview|up --stack", () => {
  it("brings up the region's storage, then its platform; another region's storage it restores from is never touched", async () => {
    const root = repositoryCopy();
    assert.equal(
      (await phoenix(["replicate", "--from", "prod", "--region", "us-east-1", "--stack", "use1"], root)).status,
      0,
    );
    for (const [stack, storage] of [
      ["prod", "storage/prod"],
      ["use1", "storage/use1"],
    ]) {
      const engine = new ScriptedEngine();
      const r = await phoenix(["up", "--stack", stack], root, engine);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(
        engine.calls.map((c) => `${c.op} ${c.stack}`),
        [
          `resourceUrns platform/${stack}`,
          `ensureStack ${storage}`,
          `up ${storage}`,
          `ensureStack platform/${stack}`,
          `up platform/${stack}`,
        ],
      );
      assert.ok(
        engine.calls.filter((c) => c.op === "ensureStack").every((c) => c.detail?.create === true),
        "up creates missing stacks",
      );
    }
  });

  it("a plain preview creates no stack", async () => {
    const engine = new ScriptedEngine({ outputs: { "storage/prod": { bucket: "b" } } });
    const r = await phoenix(["preview", "--stack", "prod"], repositoryCopy(), engine);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(engine.calls.filter((c) => c.op === "ensureStack").every((c) => c.detail?.create === false));
    assert.deepEqual(
      engine.calls.filter((c) => c.op === "preview").map((c) => c.stack),
      ["storage/prod", "platform/prod"],
    );
  });

  it("refuses a platform stack that still holds its backup bucket, before anything runs (exit 2)", async () => {
    const engine = new ScriptedEngine({
      urns: {
        "platform/prod": [
          "urn:pulumi:prod::phoenix::phoenix:plugins:Plugins$aws:s3/bucket:Bucket::plugins-velero-backups",
        ],
      },
    });
    const r = await phoenix(["up", "--stack", "prod"], repositoryCopy(), engine);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /still holds its backup bucket[\s\S]*Moving an existing bucket/);
    assert.deepEqual(
      engine.calls.map((c) => c.op),
      ["resourceUrns"],
    );
  });

  it("a bad stack file stops before the engine, exit 2", async () => {
    const root = repositoryCopy();
    fs.writeFileSync(
      path.join(root, "Pulumi.bad.yaml"),
      "config:\n  aws:region: eu-west-1\n  phoenix:gitops:\n    repoURL: nope\n",
    );
    const engine = new ScriptedEngine();
    const r = await phoenix(["preview", "--stack", "bad"], root, engine);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Pulumi\.bad\.yaml: invalid stack configuration[\s\S]*phoenix:gitops\.repoURL/);
    assert.deepEqual(engine.calls, []);
  });
});
