// Bundles the `phoenix` command into one CommonJS file, dist/cli/run.js, so it starts
// without a TypeScript loader. Phoenix's own modules are bundled (a lazily imported one
// still initializes only when a command reaches it); packages stay in node_modules.
// esbuild only strips types: `npm run typecheck` is what checks them. Run by `npm ci`
// (prepare).
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, sep } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const requireFromRoot = createRequire(join(root, "package.json"));

/**
 * A dynamic import() stays an import() in the bundle, and Node's ESM resolver refuses a
 * directory specifier such as "@pulumi/pulumi/automation" (ERR_UNSUPPORTED_DIR_IMPORT:
 * ESM never adds "/index.js"). An ESM-only package (@kubernetes/client-node) needs the
 * real import(), so each dynamically imported package path is rewritten to the file
 * Node's CommonJS resolver finds for it, which ESM then loads as it is.
 */
const fileSpecifiers = {
  name: "dynamic-import-file-specifiers",
  setup(b) {
    b.onResolve({ filter: /^[@a-z]/ }, (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      if (exportsMapOf(args.path)) return { path: args.path, external: true };
      const file = requireFromRoot.resolve(args.path);
      const at = file.lastIndexOf(`node_modules${sep}`);
      return {
        path: file
          .slice(at + "node_modules/".length)
          .split(sep)
          .join("/"),
        external: true,
      };
    });
  },
};

/** Whether a package declares "exports": then Node resolves its subpaths itself. */
function exportsMapOf(specifier) {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  try {
    return JSON.parse(readFileSync(requireFromRoot.resolve(`${name}/package.json`), "utf8")).exports !== undefined;
  } catch {
    // An exports map that hides package.json (ERR_PACKAGE_PATH_NOT_EXPORTED) is an exports map.
    return true;
  }
}

rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["cli/run.ts"],
  outfile: "dist/cli/run.js",
  bundle: true,
  packages: "external",
  plugins: [fileSpecifiers],
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
