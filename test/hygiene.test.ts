/**
 * Rules the guide sets for the code itself: no region, availability zone, account or
 * partition written into the layers or the programs, no version outside the catalog,
 * programs that never reach into the command line tool, comments that cite upstream
 * sources directly, and a stacks/ folder that holds Pulumi programs only. The stack
 * files and the catalog are where such values belong.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as ts from "typescript";
import { parse } from "yaml";
import { ROOT } from "./helpers";

const SOURCE = /\.(ts|cjs|mjs|js)$/;

function sources(dir: string, pattern: RegExp = /\.ts$/): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p, pattern) : pattern.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

const rel = (file: string): string => path.relative(ROOT, file);

const parsed = new Map<string, ts.SourceFile>();
function sourceFile(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) {
    const kind = file.endsWith(".ts") ? ts.ScriptKind.TS : ts.ScriptKind.JS;
    sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, kind);
    parsed.set(file, sf);
  }
  return sf;
}

/** Every comment of a source file (line, block and JSDoc), found by the TypeScript parser: text in strings is never taken for one. */
function commentRanges(file: string): ts.CommentRange[] {
  const sf = sourceFile(file);
  const text = sf.getFullText();
  const found = new Map<number, ts.CommentRange>();
  const add = (ranges: ts.CommentRange[] | undefined): void => ranges?.forEach((r) => found.set(r.pos, r));
  const visit = (node: ts.Node): void => {
    add(ts.getLeadingCommentRanges(text, node.pos));
    add(ts.getTrailingCommentRanges(text, node.end));
    node.getChildren(sf).forEach(visit);
  };
  visit(sf);
  return [...found.values()].sort((a, b) => a.pos - b.pos);
}

/** Each line of each comment, with its line number. */
function commentLines(file: string): { line: number; text: string }[] {
  const sf = sourceFile(file);
  return commentRanges(file).flatMap((r) => {
    const first = sf.getLineAndCharacterOfPosition(r.pos).line;
    return sf.text
      .slice(r.pos, r.end)
      .split("\n")
      .map((text, i) => ({ line: first + i + 1, text }));
  });
}

/** Code lines, with every comment blanked out (trailing comments on a code line included). */
function codeLines(file: string): { line: number; text: string }[] {
  let text = sourceFile(file).text;
  for (const r of commentRanges(file))
    text = text.slice(0, r.pos) + text.slice(r.pos, r.end).replace(/[^\n]/g, " ") + text.slice(r.end);
  return text
    .split("\n")
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => l.text.trim() !== "");
}

/** The modules a source file loads: static and dynamic imports, re-exports, require() and import types. */
function moduleSpecifiers(file: string): { line: number; specifier: string }[] {
  const sf = sourceFile(file);
  const out: { line: number; specifier: string }[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node))
      out.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, specifier: node.text });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    )
      add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const REGION =
  /\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-(north|south|east|west|central|northeast|southeast|northwest|southwest|gov-[a-z]+)-\d[a-z]?\b/;

const layerFiles = [...sources(path.join(ROOT, "components")), ...sources(path.join(ROOT, "stacks"))];

/**
 * Config validation, whose error messages cite example regions on purpose ("such as
 * eu-west-1"): there, and only after "such as", a region may appear.
 */
const isConfigModule = (file: string): boolean =>
  [path.join("stacks", "config.ts"), path.join("stacks", "backup-storage", "config.ts")].includes(rel(file)) ||
  rel(file).startsWith(path.join("stacks", "platform", "config") + path.sep);

function offenders(
  pattern: RegExp,
  files: string[],
  allowed: (file: string, text: string) => boolean = () => false,
): string[] {
  return files.flatMap((f) =>
    codeLines(f)
      .filter((l) => pattern.test(l.text) && !allowed(f, l.text))
      .map((l) => `${rel(f)}:${l.line}: ${l.text.trim()}`),
  );
}

/** A region cited as an example in a config module's message: every region on the line follows "such as" in the same string. */
function exampleRegion(file: string, text: string): boolean {
  if (!isConfigModule(file)) return false;
  const regions = [...text.matchAll(new RegExp(REGION.source, "g"))].map((m) => m.index);
  const examples = [...text.matchAll(/such as [^"'`]*/g)].map((m) => [m.index, m.index + m[0].length]);
  return regions.every((i) => examples.some(([from, to]) => i >= from && i < to));
}

describe("code hygiene", () => {
  it("hard-codes no region, availability zone, account id or partition in the layers and programs", () => {
    assert.ok(layerFiles.length >= 30, "the scan sees the layer and program sources");
    assert.ok(
      layerFiles.some((f) => rel(f) === path.join("stacks", "backup-storage", "program.ts")) &&
        layerFiles.some((f) => rel(f) === path.join("stacks", "platform", "composition.ts")),
    );
    assert.deepEqual(offenders(REGION, layerFiles, exampleRegion), []);
    assert.deepEqual(offenders(/\b\d{12}\b/, layerFiles), []);
    assert.deepEqual(offenders(/arn:aws[:-]/, layerFiles), []);
  });

  it("scans what it means to: code apart from comments, comments apart from strings, every way of loading a module", () => {
    const scratch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-hygiene-")), "x.ts");
    fs.writeFileSync(
      scratch,
      [
        "// eu-west-1 in a comment, see FIELD-NOTES",
        'const a = "eu-west-1"; // and after code: ../shared/notes',
        "/* us-east-1 */ const b = `//${a} FIELD-NOTES`;",
        'import { c } from "../cli/x";',
        'export { d } from "../cli/y";',
        'type E = typeof import("../cli/z");',
        'const f = require("../cli/w") as E; void import("../cli/v");',
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      offenders(REGION, [scratch]).map((o) => o.split(": ").slice(1).join(": ")),
      ['const a = "eu-west-1";'],
    );
    assert.deepEqual(
      commentLines(scratch)
        .filter((l) => /FIELD-NOTES|\.\.\/shared/.test(l.text))
        .map((l) => l.line),
      [1, 2],
      "the FIELD-NOTES inside a template string is code, not a comment",
    );
    assert.deepEqual(
      moduleSpecifiers(scratch).map((m) => m.specifier),
      ["../cli/x", "../cli/y", "../cli/z", "../cli/w", "../cli/v"],
    );
  });

  it("pins versions only in the catalog", () => {
    const notCatalog = layerFiles.filter((f) => !f.endsWith(path.join("components", "catalog.ts")));
    assert.deepEqual(offenders(/["'`]v?\d+\.\d+(\.\d+)?(-eksbuild\.\d+)?["'`]|:v\d+\.\d+/, notCatalog), []);
  });

  it("programs and components never import the command line tool (cli/)", () => {
    const cli = path.join(ROOT, "cli") + path.sep;
    const found = layerFiles.flatMap((f) =>
      moduleSpecifiers(f)
        .filter(
          (m) => m.specifier.startsWith(".") && (path.resolve(path.dirname(f), m.specifier) + path.sep).startsWith(cli),
        )
        .map((m) => `${rel(f)}:${m.line}: ${m.specifier}`),
    );
    assert.deepEqual(found, []);
    // The scan does see imports: the platform's composition reads the components.
    assert.ok(
      moduleSpecifiers(path.join(ROOT, "stacks", "platform", "composition.ts")).some(
        (m) => m.specifier === "../../components/plugins",
      ),
    );
  });

  it("reaches stacks/ from the command through cli/stacks/ alone, and the policy pack never imports the command", () => {
    const into =
      (dir: string) =>
      (f: string, spec: string): boolean =>
        spec.startsWith(".") &&
        (path.resolve(path.dirname(f), spec) + path.sep).startsWith(path.join(ROOT, dir) + path.sep);
    const cliFiles = sources(path.join(ROOT, "cli"));
    const door = path.join(ROOT, "cli", "stacks") + path.sep;
    const found = cliFiles
      .filter((f) => !f.startsWith(door))
      .flatMap((f) =>
        moduleSpecifiers(f)
          .filter((m) => into("stacks")(f, m.specifier))
          .map((m) => `${rel(f)}:${m.line}: ${m.specifier}`),
      );
    assert.deepEqual(found, [], "import what is needed through cli/stacks/names.ts, config.ts or programs.ts");
    assert.ok(
      sources(door).some((f) => moduleSpecifiers(f).some((m) => into("stacks")(f, m.specifier))),
      "the scan sees the door's own imports",
    );
    const policy = sources(path.join(ROOT, "policy")).flatMap((f) =>
      moduleSpecifiers(f)
        .filter((m) => into("cli")(f, m.specifier))
        .map((m) => `${rel(f)}:${m.line}: ${m.specifier}`),
    );
    assert.deepEqual(policy, [], "the policy pack runs inside Pulumi, beside the programs: it never loads the command");
  });

  it("has no import cycle among its modules, type-only imports included", () => {
    const files = ["components", "stacks", "cli", "policy", "scripts"].flatMap((d) => sources(path.join(ROOT, d)));
    const known = new Set(files);
    const resolve = (from: string, spec: string): string | undefined => {
      const base = path.resolve(path.dirname(from), spec);
      return [`${base}.ts`, path.join(base, "index.ts")].find((f) => known.has(f));
    };
    const edges = new Map(
      files.map((f) => [
        f,
        moduleSpecifiers(f)
          .filter((m) => m.specifier.startsWith("."))
          .flatMap((m) => resolve(f, m.specifier) ?? []),
      ]),
    );
    assert.ok(
      [...edges.values()].some((e) => e.length > 0),
      "the scan sees the imports",
    );
    assert.deepEqual(
      importCycles(edges).map((c) => c.map(rel).join(" -> ")),
      [],
      "move what both sides need into a module of its own",
    );
  });

  it("cites upstream sources directly in comments, never notes kept outside the repository", () => {
    const files = ["components", "stacks", "cli", "policy"].flatMap((d) => sources(path.join(ROOT, d), SOURCE));
    assert.ok(
      files.some((f) => rel(f) === path.join("cli", "phoenix.cjs")),
      "the scan sees every source, JavaScript included",
    );
    const found = files.flatMap((f) =>
      commentLines(f)
        .filter((l) => /FIELD-NOTES|\.\.\/shared/.test(l.text))
        .map((l) => `${rel(f)}:${l.line}: ${l.text.trim()}`),
    );
    assert.deepEqual(found, []);
  });
});

/** A Pulumi.yaml's fields the layout rules read. */
interface PulumiProject {
  readonly name: string;
  readonly runtime: { readonly name: string };
  readonly main: string;
}

const project = (dir: string): PulumiProject =>
  parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as PulumiProject;

/** Asserts that `entry` exports each of `outputs`. */
function exportsAll(entry: string, outputs: readonly string[]): void {
  const text = fs.readFileSync(entry, "utf8");
  for (const output of outputs)
    assert.match(text, new RegExp(`export const ${output} =`), `${rel(entry)} exports ${output}`);
}

describe("project layout", () => {
  it("Pulumi.yaml names a nodejs runtime and the platform entry, which exports the stack outputs", () => {
    const root = project(ROOT);
    assert.equal(root.name, "phoenix");
    assert.equal(root.runtime.name, "nodejs");
    assert.equal(root.main, "stacks/platform/index.ts");
    exportsAll(path.join(ROOT, root.main), [
      "region",
      "clusterName",
      "kubeconfig",
      "backupBucket",
      "backupStorage",
      "restoreModifiers",
      "imperativeNamespaces",
      "namespaces",
    ]);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main: string };
    assert.equal(pkg.main, root.main, "package.json main and Pulumi.yaml main agree");
  });

  it("the backup storage is a Pulumi project of its own, whose entry exports what platform stacks read", () => {
    const dir = path.join(ROOT, "stacks", "backup-storage");
    const storage = project(dir);
    assert.equal(storage.name, "phoenix-backup-storage");
    assert.equal(storage.runtime.name, "nodejs");
    exportsAll(path.join(dir, storage.main), [
      "bucket",
      "region",
      "kmsKeyArn",
      "replicaBucket",
      "replicaRegion",
      "replicaKeyArn",
    ]);
  });

  it("stacks/ holds Pulumi programs only: each folder is a project, or the platform program the root Pulumi.yaml runs", () => {
    const platform = path.dirname(path.join(ROOT, project(ROOT).main));
    // A folder without a single file is no part of the repository (Git cannot hold one): a move's leftover.
    const folders = fs
      .readdirSync(path.join(ROOT, "stacks"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && sources(path.join(ROOT, "stacks", e.name), /./).length > 0);
    assert.ok(folders.length >= 2);
    for (const folder of folders) {
      const dir = path.join(ROOT, "stacks", folder.name);
      if (dir === platform) continue;
      assert.ok(
        fs.existsSync(path.join(dir, "Pulumi.yaml")),
        `stacks/${folder.name} is neither a Pulumi project (no Pulumi.yaml) nor the platform program (${rel(platform)})`,
      );
      const p = project(dir);
      assert.equal(p.runtime.name, "nodejs", `stacks/${folder.name}`);
      assert.ok(fs.existsSync(path.join(dir, p.main)), `stacks/${folder.name}: its main ${p.main} exists`);
    }
    // Nothing in stacks/ is a command: commands live in cli/.
    const commands = sources(path.join(ROOT, "stacks"), SOURCE).flatMap((f) => [
      ...codeLines(f)
        .filter((l) => /\bprocess\.(argv|exit)\b/.test(l.text))
        .map((l) => `${rel(f)}:${l.line}: ${l.text.trim()}`),
      ...moduleSpecifiers(f)
        .filter((m) => m.specifier === "commander")
        .map((m) => `${rel(f)}:${m.line}: imports commander`),
    ]);
    assert.deepEqual(commands, []);
  });
});

/** The import cycles of a module graph: its strongly connected components of more than one module, or a module importing itself (Tarjan). */
function importCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      component.push(w);
    }
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
