// Loads the real entry (stacks/index.ts) the way `pulumi up` does: Pulumi's nodejs
// language host registers its vendored ts-node with the project's own typescript and
// tsconfig.json, type-checking on, then requires the entry. Here the entry runs under
// the offline mock runtime with the prod stack file. Plain CommonJS on purpose: tsx
// must not be the one compiling it. Prints one JSON line for test/entry.test.ts.
const path = require("node:path");
const root = path.resolve(__dirname, "..");
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

const { loadStack } = require("../../../cli/offline/stackFile.ts");
const { evaluateOffline } = require("../../../cli/offline/runtime.ts");

evaluateOffline(loadStack(root, "prod"), () => require("../../../stacks/platform/index.ts")).then(
  ({ resources, outputs }) => {
    process.stdout.write(
      JSON.stringify({
        tsnode: path.basename(tsnodeRequire),
        typescript: require(typescriptRequire).version,
        exports: Object.keys(outputs).sort(),
        resources: resources.length,
      }) + "\n",
    );
  },
  (err) => {
    process.stderr.write(`entry failed to load: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
