/**
 * The Pulumi engine's parts beside its CLI, into the CLI's cache folder: the Node.js
 * language host and the dynamic provider's launcher, at the CLI's own version.
 *
 * The language host is a Go module of its own
 * (`github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3`) that the Go module
 * proxy here does not serve at any version, so it is built from the pinned tag's source in
 * a clone of pulumi/pulumi: `$PHOENIX_PULUMI_SOURCE` (a git directory), by default this
 * workplace's mirror. Its go.mod points at the repository's own pkg and sdk folders; here
 * they are the same version's modules from the proxy. Without the source it says so
 * loudly and the engine scenarios skip.
 *
 * The kubernetes provider (`engineProviders.kubernetes`, not at @pulumi/kubernetes's own
 * version: the catalog says why) is built from its module and installed with `pulumi
 * plugin install --file` into the engine's own home, so the programs that name its
 * release get it and nothing on PATH stands in for it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { engineProviders, upstreamPrograms } from "../../../components/catalog";
import { binary, programDir, SKIPPED } from "./paths";

/** The language host's binary, and the launcher the engine runs for a `pulumi.dynamic` provider. */
export const NODEJS_HOST = "pulumi-language-nodejs";
export const DYNAMIC_PROVIDER = "pulumi-resource-pulumi-nodejs";

/** Where pulumi/pulumi's git history is. */
export function engineSource(): string {
  return process.env.PHOENIX_PULUMI_SOURCE ?? "/work/.mirror/pulumi+pulumi/repo";
}

/** The linker flag that stamps the engine's version (`pulumi version`). */
export function engineVersionFlag(version: string): string {
  return `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The language host's go.mod, its repository-relative replaces turned into the pinned modules. */
export function pinnedHostGoMod(text: string, version: string): string {
  return text
    .replace(/(github\.com\/pulumi\/pulumi\/pkg\/v3 => )\S+/, `$1github.com/pulumi/pulumi/pkg/v3 ${version}`)
    .replace(/(github\.com\/pulumi\/pulumi\/sdk\/v3 => )\S+/, `$1github.com/pulumi/pulumi/sdk/v3 ${version}`);
}

function buildHost(version: string, log: (line: string) => void): void {
  const src = engineSource();
  const tag = spawnSync("git", ["--git-dir", src, "rev-parse", "--verify", `${version}^{commit}`], {
    encoding: "utf8",
  });
  if (tag.status !== 0) {
    const why = fs.existsSync(src) ? `no tag ${version} in ${src}` : `no pulumi/pulumi git history at ${src}`;
    log(
      SKIPPED(
        `the Node.js language host cannot be built: ${why} (set PHOENIX_PULUMI_SOURCE to a clone of pulumi/pulumi)`,
        "the scenarios on the real Pulumi engine will say SKIPPED; the rest of the e2e run goes on",
      ),
    );
    return;
  }
  const work = fs.mkdtempSync(path.join(programDir("pulumi"), ".nodejs-src-"));
  try {
    const tar = spawnSync(
      "bash",
      ["-c", 'git --git-dir "$SRC" archive "$TAG" sdk/nodejs/cmd/pulumi-language-nodejs | tar -x --strip-components=4'],
      { cwd: work, env: { ...process.env, SRC: src, TAG: version }, encoding: "utf8" },
    );
    if (tar.status !== 0) throw new Error(`git archive ${version} failed: ${tar.stderr}`);
    const mod = path.join(work, "go.mod");
    fs.writeFileSync(mod, pinnedHostGoMod(fs.readFileSync(mod, "utf8"), version));
    run("go", ["mod", "tidy"], work, { GOFLAGS: "-mod=mod" });
    const partial = path.join(path.dirname(binary("pulumi", NODEJS_HOST)), `.${NODEJS_HOST}.partial-${process.pid}`);
    run("go", ["build", "-trimpath", "-ldflags", `-s -w ${engineVersionFlag(version)}`, "-o", partial, "."], work, {
      CGO_ENABLED: "0",
    });
    fs.renameSync(partial, binary("pulumi", NODEJS_HOST));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The dynamic provider's launcher, from the sdk module at the engine's version (`nodejs/dist/`). */
function installDynamicProvider(): void {
  const sdk = run(
    "go",
    ["list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi/sdk/v3"],
    path.join(__dirname, "pulumi"),
  );
  const dest = binary("pulumi", DYNAMIC_PROVIDER);
  fs.copyFileSync(path.join(sdk.trim(), "nodejs", "dist", DYNAMIC_PROVIDER), dest);
  fs.chmodSync(dest, 0o755);
}

/** The folder the engine keeps its plugins in (`PULUMI_HOME`), beside the CLI's build. */
export function engineHome(): string {
  return path.join(programDir("pulumi"), "home");
}

/** Where the kubernetes provider's binary is kept once built: not on PATH, so the engine takes the installed plugin. */
export function kubernetesProviderBinary(): string {
  return path.join(
    programDir("pulumi"),
    "providers",
    `kubernetes-${engineProviders.kubernetes.release}`,
    "pulumi-resource-kubernetes",
  );
}

/** Whether the engine has the kubernetes provider installed at the release the programs ask for. */
export function kubernetesProviderInstalled(): boolean {
  const dir = path.join(engineHome(), "plugins", `resource-kubernetes-v${engineProviders.kubernetes.release}`);
  return fs.existsSync(path.join(dir, "pulumi-resource-kubernetes"));
}

/**
 * The kubernetes provider from its module (`engineProviders.kubernetes`), as its Makefile
 * builds it: its go.mod's SDK replace (`../sdk`, a folder outside the module) pointed at
 * the same tag's SDK module, its `go generate` step (generate.go writes the versioned
 * schema-embed.json and terraform-mapping-embed.json that main.go embeds), then the
 * binary stamped with its release (pkg/version). About 10 minutes cold.
 */
function buildKubernetesProvider(): void {
  const { module, version, release, sdk } = engineProviders.kubernetes;
  const work = fs.mkdtempSync(path.join(programDir("pulumi"), ".kubernetes-src-"));
  try {
    const info = JSON.parse(run("go", ["mod", "download", "-json", `${module}@${version}`], work)) as { Dir?: string };
    if (!info.Dir) throw new Error(`go mod download ${module}@${version} gave no folder`);
    const src = path.join(work, "provider");
    fs.cpSync(info.Dir, src, { recursive: true });
    run("chmod", ["-R", "u+w", src], work);
    run("go", ["mod", "edit", `-replace=${sdk.module}=${sdk.module}@${sdk.version}`], src);
    const env = { GOFLAGS: "-mod=mod", CGO_ENABLED: "0" };
    run("go", ["run", "./generate.go"], path.join(src, "cmd", "pulumi-resource-kubernetes"), {
      ...env,
      VERSION: release,
    });
    const dest = kubernetesProviderBinary();
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const partial = `${dest}.partial-${process.pid}`;
    const stamp = `-X ${module}/pkg/version.Version=${release}`;
    run(
      "go",
      ["build", "-trimpath", "-ldflags", `-s -w ${stamp}`, "-o", partial, "./cmd/pulumi-resource-kubernetes"],
      src,
      env,
    );
    fs.renameSync(partial, dest);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** `pulumi plugin install resource kubernetes v<release> --file`, into the engine's own home. */
function installKubernetesProvider(): void {
  run(
    binary("pulumi", "pulumi"),
    [
      "plugin",
      "install",
      "resource",
      "kubernetes",
      `v${engineProviders.kubernetes.release}`,
      "--file",
      kubernetesProviderBinary(),
    ],
    programDir("pulumi"),
    { PULUMI_HOME: engineHome(), PULUMI_SKIP_UPDATE_CHECK: "true" },
  );
}

/** Builds what the CLI's folder lacks of the engine; returns the seconds spent. */
export function buildEngineParts(log: (line: string) => void = console.log): number {
  const { version } = upstreamPrograms.pulumi;
  const started = Date.now();
  if (!fs.existsSync(binary("pulumi", NODEJS_HOST))) {
    log(`pulumi ${version}: building ${NODEJS_HOST} from ${engineSource()}`);
    buildHost(version, log);
  }
  if (!fs.existsSync(binary("pulumi", DYNAMIC_PROVIDER))) installDynamicProvider();
  if (!fs.existsSync(kubernetesProviderBinary())) {
    log(`pulumi ${version}: building the kubernetes provider ${engineProviders.kubernetes.release} from its module`);
    buildKubernetesProvider();
  }
  if (!kubernetesProviderInstalled()) installKubernetesProvider();
  return Math.round((Date.now() - started) / 1000);
}
