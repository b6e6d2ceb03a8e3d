/**
 * kubectl, built from the pinned Kubernetes module, for what the harness applies and
 * reads: server-side apply of manifests (CRDs, rendered charts, the plan's objects) and
 * JSON reads. kubectl is the client every operator uses, so what it sends is what a
 * real apply sends.
 */
import { execFile, spawnSync } from "node:child_process";
import { binary } from "../upstream/paths";

/** The result of one kubectl call. */
export interface KubectlRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl against a kubeconfig; `input` goes to stdin. */
export function kubectl(kubeconfig: string, args: readonly string[], input?: string): KubectlRun {
  const run = spawnSync(binary("kubernetes", "kubectl"), [`--kubeconfig=${kubeconfig}`, ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
}

/** Runs kubectl and fails with its stderr when it fails. */
export function kubectlOk(kubeconfig: string, args: readonly string[], input?: string): string {
  const run = kubectl(kubeconfig, args, input);
  if (run.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${run.status}): ${run.stderr.trim()}`);
  return run.stdout;
}

/** Server-side applies objects (a List), as the field manager `phoenix-e2e`. */
export function applyObjects(kubeconfig: string, objects: readonly unknown[]): void {
  kubectlOk(
    kubeconfig,
    ["apply", "--server-side", "--force-conflicts", "--field-manager=phoenix-e2e", "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  );
}

/** Reads one object or list as JSON. */
export function getJson<T = Record<string, unknown>>(kubeconfig: string, args: readonly string[]): T {
  return JSON.parse(kubectlOk(kubeconfig, ["get", ...args, "-o", "json"])) as T;
}

/** kubectl without blocking the event loop (for loops that run beside the code under test). */
export function kubectlAsync(kubeconfig: string, args: readonly string[], input?: string): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const child = execFile(
      binary("kubernetes", "kubectl"),
      [`--kubeconfig=${kubeconfig}`, ...args],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve({ status: err ? (typeof code === "number" ? code : 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
