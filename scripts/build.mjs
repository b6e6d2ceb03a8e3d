// Compiles the programs and the `phoenix` command to plain CommonJS in dist/ (same tree
// as the sources), so `phoenix` starts without a TypeScript loader. esbuild only strips
// types: `npm run typecheck` is what checks them. Run by `npm ci` (the prepare script).
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const sources = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );

rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["components", "stacks", "cli"].flatMap(sources),
  outdir: "dist",
  outbase: ".",
  format: "cjs",
  platform: "node",
  target: "node20",
  // import() of a sibling .ts path has no extension: lower it to require(), which resolves it.
  supported: { "dynamic-import": false },
  logLevel: "warning",
});
