/**
 * Defers what @pulumi/pulumi loads at start for features the offline plan never uses:
 * `runtime/index.js` requires the closure serializer (which loads `typescript`) and the
 * code-path computer (which loads `@npmcli/arborist` and `pacote`) only to re-export two
 * of their functions. Until one of those functions is called, a stand-in module answers
 * with wrappers that load the real one on first use. Measured here: about a third of the
 * command's start-up. Call before the first import of @pulumi/pulumi. With another
 * @pulumi/pulumi layout (the files or names gone), it does nothing.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

/** The deferred modules of @pulumi/pulumi 3.x (runtime/closure/) and the functions runtime/index.js re-exports from them. */
const DEFERRED: Readonly<Record<string, readonly string[]>> = {
  "serializeClosure.js": ["serializeFunctionAsync", "serializeFunction"],
  "codePaths.js": ["computeCodePaths"],
};

/** Installs the stand-ins; returns the files deferred (none when @pulumi/pulumi is already loaded or laid out otherwise). */
export function deferPulumiStartup(): string[] {
  let runtimeDir: string;
  try {
    runtimeDir = path.dirname(require.resolve("@pulumi/pulumi/runtime/index.js"));
  } catch {
    return [];
  }
  if (require.cache[path.join(runtimeDir, "index.js")]) return [];
  const deferred: string[] = [];
  for (const [file, names] of Object.entries(DEFERRED)) {
    const filename = path.join(runtimeDir, "closure", file);
    if (!fs.existsSync(filename) || require.cache[filename]) continue;
    let real: Record<string, (...args: unknown[]) => unknown> | undefined;
    const load = (): Record<string, (...args: unknown[]) => unknown> => {
      if (!real) {
        delete require.cache[filename];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deferred module, loaded on first use by path.
        real = require(filename) as Record<string, (...args: unknown[]) => unknown>;
      }
      return real;
    };
    const stand = new Module(filename);
    stand.filename = filename;
    stand.loaded = true;
    stand.exports = Object.fromEntries(names.map((n) => [n, (...args: unknown[]) => load()[n](...args)]));
    require.cache[filename] = stand;
    deferred.push(filename);
  }
  return deferred;
}
