/** Shared test helpers: build flat stack config and run the program offline. */
import * as path from "node:path";
import type { PolicyDocument } from "../components/identity";
import { partitionOf } from "../components/regions";
import { evaluateOffline, type OfflineResult, type RecordedResource, type StackOutputs } from "../cli/plan/runtime";
import type { PlatformOutputs } from "../stacks/platform/composition";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..");

/** The reference charts beside the repository, when present. */
export const REFERENCE_CHARTS = path.resolve(ROOT, "..", "shared", "reference", "charts");

/** A well-formed bcrypt hash (of "test"), for the Argo CD admin password setting. */
export const TEST_BCRYPT = "$2a$10$" + "abcdefghijklmnopqrstuv".padEnd(53, "0");

/** A runner that reaches the default (private-only) endpoint: self-hosted, routed to the VPC. */
export const TEST_RUNNER = { kind: "self-hosted", labels: ["self-hosted", "phoenix"], cidrs: ["10.255.0.0/24"] };

/**
 * A minimal valid stack config, as the Pulumi CLI passes it, with sections replaced by
 * `sections`. Argo CD's admin hash is always present (Phoenix refuses an admin without
 * one) unless the test sets `plugins.argocd` itself; runProgram treats `phoenix:plugins`
 * as a secret key, as `pulumi config set --secret --path` would.
 */
export function flatConfig(sections: Record<string, unknown> = {}, region = "eu-west-1"): Record<string, string> {
  const plugins = (sections.plugins ?? {}) as Record<string, unknown>;
  const all: Record<string, unknown> = {
    gitops: { repoURL: "https://git.example.com/org/gitops.git" },
    runner: TEST_RUNNER,
    ...sections,
    plugins: { argocd: { admin: { passwordBcrypt: TEST_BCRYPT } }, ...plugins },
  };
  const flat: Record<string, string> = { "aws:region": region };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) flat[`phoenix:${k}`] = JSON.stringify(v);
  return flat;
}

/**
 * The fully qualified name of a backup storage stack as a platform stack reads it on a
 * DIY backend (the default of phoenix:backups.storage.stack), written out here rather
 * than derived, so a change of the naming contract fails the tests.
 */
export function storageStack(stack: string): string {
  return `organization/phoenix-backup-storage/${stack}`;
}

/** Every output a replicating, locked backup storage stack exports (prod's), sorted: the contract, written out. */
export const REPLICATED_STORAGE_OUTPUTS = [
  "bucket",
  "kmsKeyArn",
  "objectLockDays",
  "objectLockMode",
  "region",
  "replicaBucket",
  "replicaKeyArn",
  "replicaRegion",
  "replicaRepositoryPasswordSecretArn",
  "repositoryPasswordSecretArn",
] as const;

/** An AWS account id from AWS's documentation, for fake ARNs. */
export const TEST_ACCOUNT = "111122223333";

/**
 * Concrete outputs of a deployed backup storage stack (the contract of
 * stacks/backup-storage/outputs.ts), with its DR replica in `replicaRegion`. Each value
 * is distinct, so a test can tell which one ended up where.
 */
export function storageOutputs(
  stack: string,
  region: string,
  replicaRegion = region === "us-west-2" ? "us-east-1" : "us-west-2",
): Record<string, string | number> {
  const key = (r: string, id: string): string =>
    `arn:${partitionOf(r)?.partition ?? "aws"}:kms:${r}:${TEST_ACCOUNT}:key/${id}`;
  const secret = (r: string): string =>
    `arn:${partitionOf(r)?.partition ?? "aws"}:secretsmanager:${r}:${TEST_ACCOUNT}:secret:${stack}-repository-password-AbCdEf`;
  return {
    bucket: `phoenix-backups-${stack}`,
    region,
    kmsKeyArn: key(region, `${stack}-primary-key`),
    repositoryPasswordSecretArn: secret(region),
    objectLockMode: "GOVERNANCE",
    objectLockDays: 30,
    replicaBucket: `phoenix-backups-${stack}-replica`,
    replicaRegion,
    replicaKeyArn: key(replicaRegion, `${stack}-replica-key`),
    replicaRepositoryPasswordSecretArn: secret(replicaRegion),
  };
}

/**
 * Runs the real program (stacks/platform/program.ts) under the offline mock runtime. Its
 * own backup storage stack (organization/phoenix-backup-storage/<stack>) answers with
 * `storageOutputs` for the stack's region; `stackOutputs` adds or replaces stacks.
 */
export async function runProgram(
  config: Record<string, string>,
  opts: { stack?: string; preview?: boolean; stackOutputs?: StackOutputs } = {},
): Promise<OfflineResult<PlatformOutputs>> {
  const { program } = await import("../stacks/platform/program");
  const stack = opts.stack ?? "test";
  const stackOutputs = {
    [storageStack(stack)]: storageOutputs(stack, config["aws:region"] ?? "eu-west-1"),
    ...opts.stackOutputs,
  };
  return evaluateOffline(
    { project: "phoenix", stack, config, preview: opts.preview, secretKeys: ["phoenix:plugins"], stackOutputs },
    program,
  );
}

/** Resources of one type. */
export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource of a type and name; throws when absent so a test fails loudly. */
export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
  const r = resources.find((x) => x.type === type && x.name === name);
  if (!r)
    throw new Error(
      `no ${type} named ${name}; have: ${ofType(resources, type)
        .map((x) => x.name)
        .join(", ")}`,
    );
  return r;
}

/** Reads a nested property of recorded inputs. */
export function at(value: unknown, ...keys: (string | number)[]): unknown {
  let v: unknown = value;
  for (const k of keys)
    v = typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/**
 * A policy as action -> sorted resources over its statements of one effect (Allow by
 * default), so a test states exactly what a role may (or may never) do to what.
 */
export function grants(doc: PolicyDocument, effect: "Allow" | "Deny" = "Allow"): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const st of doc.Statement.filter((s) => s.Effect === effect)) {
    for (const a of [st.Action].flat()) out[a] = [...(out[a] ?? []), ...[st.Resource ?? []].flat()].sort();
  }
  return out;
}
