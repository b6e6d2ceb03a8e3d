/**
 * `npm run e2e:build`: builds the upstream programs of components/catalog.ts
 * (`upstreamPrograms`) from their Go modules in test/e2e/upstream/<name>/, once, into
 * `$PHOENIX_E2E_CACHE` (default ~/.cache/phoenix-e2e)/<name>-<version>-<digest>/bin, the
 * digest of its go.mod, go.sum and the harness's own Go sources (paths.ts). A folder
 * that is already complete is reused; a build lands under a temporary name first, so an
 * interrupted one is never taken for complete. Without Go it says so loudly and exits 0:
 * the e2e run then skips, as the chart checks do without ../shared.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { upstreamPrograms } from "../../../components/catalog";
import { buildEngineParts, engineVersionFlag } from "./engine";
import { cacheRoot, goAvailable, programDir, SKIPPED, type ProgramName } from "./paths";

/** Linker flags that stamp a program's version where it reports one (`kube-apiserver --version`, `velero version`). */
function ldflags(name: ProgramName, version: string): string {
  const flags = ["-s", "-w"];
  if (name === "kubernetes") {
    // Helm's kubeVersion checks and clients read the server version: unstamped, it is v0.0.0.
    const [major, minor] = version.slice(1).split(".");
    const v = "k8s.io/component-base/version";
    flags.push(
      `-X ${v}.gitVersion=${version}`,
      `-X ${v}.gitMajor=${major}`,
      `-X ${v}.gitMinor=${minor}`,
      `-X ${v}.gitTreeState=clean`,
    );
  }
  if (name === "velero") flags.push(`-X github.com/vmware-tanzu/velero/pkg/buildinfo.Version=${version}`);
  if (name === "snapshotter") flags.push(`-X main.version=${version}`);
  if (name === "helm") flags.push(`-X helm.sh/helm/v3/internal/version.version=${version}`);
  if (name === "pulumi") flags.push(engineVersionFlag(version));
  return flags.join(" ");
}

/**
 * Builds the binaries of one program that its cache folder lacks; returns the seconds
 * spent (0 when all were there). Each lands under a temporary name and is renamed when
 * whole, so an interrupted build is never taken for a finished one.
 */
export function buildProgram(name: ProgramName, log: (line: string) => void = console.log): number {
  const program = upstreamPrograms[name];
  const bin = path.join(programDir(name), "bin");
  const missing = Object.entries(program.binaries).filter(([file]) => !fs.existsSync(path.join(bin, file)));
  if (missing.length === 0) {
    log(`${name} ${program.version}: cached in ${programDir(name)}`);
    return 0;
  }
  const started = Date.now();
  fs.mkdirSync(bin, { recursive: true });
  // What an interrupted build left.
  for (const f of fs.readdirSync(bin).filter((f) => f.includes(".partial-")))
    fs.rmSync(path.join(bin, f), { force: true });
  log(
    `${name} ${program.version}: building ${missing.map(([file]) => file).join(", ")} (first time only; minutes on 2 cores)`,
  );
  for (const [file, pkg] of missing) {
    const partial = path.join(bin, `.${file}.partial-${process.pid}`);
    const args = ["build", "-trimpath", "-ldflags", ldflags(name, program.version), "-o", partial, pkg];
    const run = spawnSync("go", args, {
      cwd: path.join(__dirname, name),
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CGO_ENABLED: "0" },
    });
    if (run.status !== 0)
      throw new Error(`go ${args.join(" ")} failed in test/e2e/upstream/${name} (exit ${run.status})`);
    fs.renameSync(partial, path.join(bin, file));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`${name} ${program.version}: built in ${seconds} s`);
  return seconds;
}

/**
 * kwok's stages (what its fake kubelets do to nodes and pods) ship as YAML in its module,
 * not in the binary: copied from the module cache beside the binary, as they are.
 */
export const KWOK_STAGES = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-complete.yaml",
  "pod/fast/pod-delete.yaml",
];

function copyKwokStages(): void {
  const dest = path.join(programDir("kwok"), "stages");
  if (KWOK_STAGES.every((s) => fs.existsSync(path.join(dest, path.basename(s))))) return;
  const dir = spawnSync("go", ["list", "-m", "-f", "{{.Dir}}", upstreamPrograms.kwok.module], {
    cwd: path.join(__dirname, "kwok"),
    encoding: "utf8",
  });
  if (dir.status !== 0) throw new Error(`go list -m ${upstreamPrograms.kwok.module} failed: ${dir.stderr}`);
  fs.mkdirSync(dest, { recursive: true });
  for (const s of KWOK_STAGES)
    fs.copyFileSync(path.join(dir.stdout.trim(), "kustomize", "stage", s), path.join(dest, path.basename(s)));
}

/**
 * The snapshot.storage.k8s.io CRDs, which the EKS snapshot-controller add-on installs:
 * YAML in the snapshotter's client module (config/crd), copied beside its binary.
 */
export const SNAPSHOT_CRDS = ["volumesnapshotclasses", "volumesnapshotcontents", "volumesnapshots"].map(
  (kind) => `snapshot.storage.k8s.io_${kind}.yaml`,
);

function copySnapshotCrds(): void {
  const dest = path.join(programDir("snapshotter"), "crds");
  if (SNAPSHOT_CRDS.every((f) => fs.existsSync(path.join(dest, f)))) return;
  const client = "github.com/kubernetes-csi/external-snapshotter/client/v8";
  const cwd = path.join(__dirname, "snapshotter");
  spawnSync("go", ["mod", "download", client], { cwd, stdio: "ignore" });
  const dir = spawnSync("go", ["list", "-m", "-f", "{{if .Replace}}{{.Replace.Dir}}{{else}}{{.Dir}}{{end}}", client], {
    cwd,
    encoding: "utf8",
  });
  if (dir.status !== 0 || !dir.stdout.trim()) throw new Error(`go list -m ${client} failed: ${dir.stderr}`);
  fs.mkdirSync(dest, { recursive: true });
  for (const f of SNAPSHOT_CRDS) fs.copyFileSync(path.join(dir.stdout.trim(), "config", "crd", f), path.join(dest, f));
}

/** Builds every program; prints the total. */
export function buildAll(log: (line: string) => void = console.log): boolean {
  if (!goAvailable()) {
    log(SKIPPED("Go is not installed: the upstream programs cannot be built"));
    return false;
  }
  fs.mkdirSync(cacheRoot(), { recursive: true });
  let total = 0;
  for (const name of Object.keys(upstreamPrograms) as ProgramName[]) total += buildProgram(name, log);
  copyKwokStages();
  copySnapshotCrds();
  total += buildEngineParts(log);
  log(`upstream programs ready in ${cacheRoot()} (${total} s of building this run)`);
  return true;
}

if (require.main === module) buildAll();
