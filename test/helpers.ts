/** Shared test helpers: build flat stack config and run the program offline. */
import * as path from "node:path";
import { evaluateOffline, type OfflineResult, type RecordedResource } from "../stacks/offline/runtime";
import type { PlatformOutputs } from "../stacks/platform";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..");

/** The reference charts beside the repository, when present. */
export const REFERENCE_CHARTS = path.resolve(ROOT, "..", "shared", "reference", "charts");

/** A minimal valid stack config, as the Pulumi CLI passes it, with sections replaced by `sections`. */
export function flatConfig(sections: Record<string, unknown> = {}, region = "eu-west-1"): Record<string, string> {
  const all: Record<string, unknown> = { gitops: { repoURL: "https://git.example.com/org/gitops.git" }, ...sections };
  const flat: Record<string, string> = { "aws:region": region };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) flat[`phoenix:${k}`] = JSON.stringify(v);
  return flat;
}

/** Runs the real program (stacks/program.ts) under the offline mock runtime. */
export async function runProgram(
  config: Record<string, string>,
  opts: { stack?: string; preview?: boolean } = {},
): Promise<OfflineResult<PlatformOutputs>> {
  const { program } = await import("../stacks/program");
  return evaluateOffline({ project: "phoenix", stack: opts.stack ?? "test", config, preview: opts.preview }, program);
}

/** Resources of one type. */
export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource of a type and name; throws when absent so a test fails loudly. */
export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
  const r = resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} named ${name}; have: ${ofType(resources, type).map((x) => x.name).join(", ")}`);
  return r;
}

/** Reads a nested property of recorded inputs. */
export function at(value: unknown, ...keys: (string | number)[]): unknown {
  let v: unknown = value;
  for (const k of keys) v = typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}
