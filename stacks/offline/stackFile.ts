/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands their
 * config to a program: flat `namespace:key` -> string, objects as JSON text. Pulumi's
 * mock runtime has no such loading (FIELD-NOTES, pulumi/pulumi#4472), so the offline
 * plan does it here. `secure:` values cannot be decrypted without the stack's secrets
 * provider; they become a visible placeholder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { OFFLINE_SECRET_PREFIX, stackFileName } from "../config";

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
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new StackFileError(`${path.basename(file)}: cannot read ${file}`);
  }
  try {
    return parse(text) as unknown;
  } catch (err) {
    throw new StackFileError(`${path.basename(file)}: not valid YAML: ${(err as Error).message}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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

/** Loads a stack's config from the project directory. */
export function loadStack(projectDir: string, stack: string): LoadedStack {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new StackFileError(`"${stack}" is not a stack name: use letters, digits, '-', '_' and '.'`);
  }
  const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
  if (!isRecord(project) || typeof project.name !== "string") {
    throw new StackFileError("Pulumi.yaml: the project file must set `name`");
  }
  const file = path.join(projectDir, stackFileName(stack));
  if (!fs.existsSync(file)) {
    const known = listStacks(projectDir);
    throw new StackFileError(
      `${stackFileName(stack)}: no such stack file in ${projectDir}. Known stacks: ${known.join(", ") || "none"}. ` +
        `A new region is a new stack: copy Pulumi.prod.yaml to ${stackFileName(stack)} and set aws:region.`,
    );
  }
  const doc = readYaml(file);
  const raw = isRecord(doc) ? doc.config ?? {} : doc;
  if (!isRecord(raw)) {
    throw new StackFileError(`${stackFileName(stack)}: \`config\` must be a map of keys to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    // A key without a namespace belongs to the project, as the Pulumi CLI reads it.
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    const v = unsecure(value);
    config[full] = typeof v === "string" ? v : JSON.stringify(v);
    if (JSON.stringify(v).includes(SECRET_PLACEHOLDER)) secretKeys.push(full);
  }
  return { project: project.name, stack, stackFile: file, config, secretKeys };
}
