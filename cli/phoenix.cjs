#!/usr/bin/env node
// The `phoenix` command (package.json "bin"). It runs the compiled build in dist/, which
// `npm ci` makes through the `prepare` script; plain JavaScript starts faster than tsx.
const path = require("node:path");
const entry = path.join(__dirname, "..", "dist", "cli", "run.js");
try {
  require.resolve(entry);
} catch {
  process.stderr.write(
    `phoenix: ${path.relative(process.cwd(), entry)} is missing: run \`npm ci\` (or \`npm run build\`) in the repository first\n`,
  );
  process.exit(2);
}
require(entry);
