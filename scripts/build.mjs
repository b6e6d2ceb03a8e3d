// Bundles the `phoenix` command into one CommonJS file, dist/cli/run.js, so it starts
// without a TypeScript loader. Phoenix's own modules are bundled (a lazily imported one
// still initializes only when a command reaches it); packages stay in node_modules, and
// an ESM-only one (@kubernetes/client-node) keeps its real dynamic import(). esbuild only
// strips types: `npm run typecheck` is what checks them. Run by `npm ci` (prepare).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["cli/run.ts"],
  outfile: "dist/cli/run.js",
  bundle: true,
  packages: "external",
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
