// Loads the real entries the way `pulumi up` does: Pulumi's nodejs language host
// registers its vendored ts-node with the project's own typescript and tsconfig.json,
// type-checking on, then requires the project's `main`. Here both projects' entries run
// under the offline mock runtime with their prod stack files: the backup storage stack
// (stacks/backup-storage/index.ts) first, then the platform (stacks/platform/index.ts),
// whose StackReference is answered with the storage entry's own exports. Plain CommonJS
// on purpose: tsx must not be the one compiling it. Prints one JSON line for
// test/stacks/platform/index.test.ts.
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..", "..");
process.chdir(root);

// The same lookup Pulumi's run.js uses: the project's typescript and ts-node if
// installed, otherwise Pulumi's vendored ones.
const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: false,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: {},
});

const { loadStack } = require("../../../cli/stacks/stackFile.ts");
const { evaluateOffline, resolve } = require("../../../cli/plan/runtime.ts");

/** A module's exports as plain data (outputs resolved, secrets masked). */
async function exported(mod) {
  return resolve(Object.fromEntries(Object.keys(mod).map((k) => [k, mod[k]])));
}

const names = (resources) => resources.map((r) => `${r.type}::${r.name}`).sort();

async function main() {
  const storageStack = loadStack(path.join(root, "stacks", "backup-storage"), "prod");
  const storage = await evaluateOffline(storageStack, () => require("../../../stacks/backup-storage/index.ts"));
  const storageOutputs = await exported(storage.outputs);
  const platformStack = loadStack(root, "prod");
  const platform = await evaluateOffline(
    { ...platformStack, stackOutputs: { [`organization/${storageStack.project}/prod`]: storageOutputs } },
    () => require("../../../stacks/platform/index.ts"),
  );
  return {
    tsnode: path.basename(tsnodeRequire),
    typescript: require(typescriptRequire).version,
    storage: { project: storageStack.project, outputs: storageOutputs, resources: names(storage.resources) },
    platform: {
      project: platformStack.project,
      outputs: await exported(platform.outputs),
      resources: names(platform.resources),
    },
    // The policy pack's rules, compiled the same way (its entry would start the pack's server).
    policies: require("../../../policy/rules/index.ts").PHOENIX_POLICIES.map((p) => p.name),
  };
}

main().then(
  (result) => process.stdout.write(JSON.stringify(result) + "\n"),
  (err) => {
    process.stderr.write(`entry failed to load: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
