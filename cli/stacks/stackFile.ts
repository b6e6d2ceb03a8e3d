/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands their
 * config to a program: flat `namespace:key` -> string, objects as JSON text. Pulumi's
 * mock runtime has no such loading (pulumi/pulumi #4472), so the offline
 * plan does it here. `secure:` values cannot be decrypted without the stack's secrets
 * provider; they become a visible placeholder.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import * as fs from "node:fs";
import * as path from "node:path";
import { isRecord } from "../shared/data";
import { readYaml as readYamlFile, YamlFileError } from "../shared/yaml";
import { OFFLINE_SECRET_PREFIX, stackFileName } from "../../stacks/config";

/** Placeholder for a `secure:` value, which only the stack's secrets provider can decrypt. */
export const SECRET_PLACEHOLDER = `${OFFLINE_SECRET_PREFIX} encrypted in the stack file, not decrypted offline>`;

/** A stack's identity and flat config. */
export interface LoadedStack {
  readonly project: string;
  readonly stack: string;
  /** Path of the stack file. */
  readonly stackFile: string;
  /** Flat config exactly as the Pulumi CLI would pass it to the program. */
  readonly config: Record<string, string>;
  /** Flat keys holding a `secure:` value somewhere inside, as the CLI reports secret keys. */
  readonly secretKeys: string[];
}

/** A project or stack file that cannot be read. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

function readYaml(file: string): unknown {
  try {
    return readYamlFile(file);
  } catch (err) {
    if (err instanceof YamlFileError) throw new StackFileError(`${path.basename(file)}: ${err.message}`);
    throw err;
  }
}

/** Replaces every `{secure: ...}` leaf with the placeholder. */
function unsecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unsecure);
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "secure") return SECRET_PLACEHOLDER;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsecure(v)]));
  }
  return value;
}

/** The stacks that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** A stack file's parsed content (a StackFileError names the file when it cannot be read or parsed). */
export function readStackDocument(file: string): unknown {
  return readYaml(file);
}

/** The name in a project folder's Pulumi.yaml. */
export function projectName(projectDir: string): string {
  const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
  if (!isRecord(project) || typeof project.name !== "string") {
    throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")}: the project file must set \`name\``);
  }
  return project.name;
}

/** Checks a stack name as the Pulumi CLI accepts it. */
export function checkStackName(stack: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new StackFileError(`"${stack}" is not a stack name: use letters, digits, '-', '_' and '.'`);
  }
}

/** Loads a stack's config from the project directory. */
export function loadStack(projectDir: string, stack: string): LoadedStack {
  checkStackName(stack);
  const project = projectName(projectDir);
  const file = path.join(projectDir, stackFileName(stack));
  if (!fs.existsSync(file)) {
    const known = listStacks(projectDir);
    throw new StackFileError(
      `${stackFileName(stack)}: no such stack file in ${projectDir}. Known stacks: ${known.join(", ") || "none"}. ` +
        `A new region is a new stack: \`npx phoenix replicate --from <stack> --region <region> --stack ${stack}\` writes it.`,
    );
  }
  return stackFromDocument(project, stack, file, readYaml(file));
}

/** Top-level keys of a Pulumi stack file (Pulumi's ProjectStack: config, the secrets provider's settings, ESC environments). */
export const STACK_FILE_KEYS: readonly string[] = [
  "config",
  "secretsprovider",
  "encryptedkey",
  "encryptionsalt",
  "environment",
];

/** A stack's config from its parsed stack file (a file on disk, or one `phoenix replicate` is about to write). */
export function stackFromDocument(project: string, stack: string, file: string, doc: unknown): LoadedStack {
  const name = path.basename(file);
  if (!isRecord(doc) || !("config" in doc)) {
    throw new StackFileError(
      `${name}: has no \`config:\` map: a stack file holds its settings under config:, as Pulumi writes them`,
    );
  }
  // Besides config:, a stack file holds only the secrets provider's settings and
  // environments. Anything else is a setting at the wrong level: Pulumi ignores it.
  const misplaced = Object.keys(doc).filter((k) => !STACK_FILE_KEYS.includes(k));
  if (misplaced.length > 0) {
    throw new StackFileError(
      `${name}: ${misplaced.map((k) => `\`${k}\``).join(", ")} at the top level, where Pulumi ignores ${misplaced.length === 1 ? "it" : "them"}: settings belong under \`config:\` (indent ${misplaced.length === 1 ? "it" : "them"} below config:); the top level holds only ${STACK_FILE_KEYS.join(", ")}`,
    );
  }
  const raw = doc.config ?? {};
  if (!isRecord(raw)) {
    throw new StackFileError(`${name}: \`config\` must be a map of keys to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    // A key without a namespace belongs to the project, as the Pulumi CLI reads it.
    const full = key.includes(":") ? key : `${project}:${key}`;
    const v = unsecure(value);
    config[full] = typeof v === "string" ? v : JSON.stringify(v);
    if (JSON.stringify(v).includes(SECRET_PLACEHOLDER)) secretKeys.push(full);
  }
  return { project, stack, stackFile: file, config, secretKeys };
}

/**
 * A stack file's text after edits, laid out as its author wrote it. yaml's defaults pad
 * flow collections and fold at 80 columns, which rewrote lines nobody changed; with those
 * off, and every value the edits left alone put back as it was written in `source` (a
 * folded string, a multi-line flow list, a number's spelling), only the edited lines
 * differ.
 */
export function stackFileText(doc: Document, source?: string): string {
  const text = doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
  if (source === undefined) return text;
  // Restored text must read back as the very document: yaml may re-indent a block (a
  // compact sequence), and a multi-line span pasted at another column would not parse, or
  // parse to something else. Then the plain rendering is written instead.
  const restored = restoreUnchanged(source, text);
  const same = (() => {
    try {
      return JSON.stringify(parseDocument(restored).toJS()) === JSON.stringify(doc.toJS());
    } catch {
      return false;
    }
  })();
  return same && parseDocument(restored).errors.length === 0 ? restored : text;
}

/** A value's path and the source range of its text. */
interface Located {
  readonly path: string;
  readonly json: string;
  readonly range: readonly [number, number];
}

/** Every scalar and flow collection of a document, outermost first, with its path and value. */
function locate(text: string): Located[] {
  const out: Located[] = [];
  const walk = (node: unknown, path: string, inFlow: boolean): void => {
    const flow = (isMap(node) || isSeq(node)) && node.flow === true;
    if ((isScalar(node) || flow) && !inFlow && node.range)
      out.push({ path, json: JSON.stringify(node.toJSON()), range: [node.range[0], node.range[1]] });
    if (isMap(node))
      for (const item of node.items)
        walk(item.value, `${path}.${isScalar(item.key) ? String(item.key.value) : "?"}`, inFlow || flow);
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, `${path}[${i}]`, inFlow || flow));
  };
  walk(parseDocument(text).contents, "", false);
  return out;
}

/** `out` with each value that `source` holds unchanged at the same path spelled as `source` spells it. */
function restoreUnchanged(source: string, out: string): string {
  const before = new Map(locate(source).map((l) => [l.path, l]));
  let result = out;
  for (const l of locate(out).sort((a, b) => b.range[0] - a.range[0])) {
    const src = before.get(l.path);
    if (!src || src.json !== l.json) continue;
    // A span over several lines is pasted only where it starts at the same column.
    const column = (text: string, at: number): number => at - (text.lastIndexOf("\n", at - 1) + 1);
    if (
      source.slice(src.range[0], src.range[1]).includes("\n") &&
      column(source, src.range[0]) !== column(result, l.range[0])
    )
      continue;
    result = result.slice(0, l.range[0]) + source.slice(src.range[0], src.range[1]) + result.slice(l.range[1]);
  }
  return result;
}
