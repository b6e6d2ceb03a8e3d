/** `phoenix version` and `phoenix --version`: parse, call ./versions.ts, print. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { EXIT } from "../shared/errors";
import { formatOf, outputOption } from "../shared/grammar";
import { table } from "../shared/table";
import type { Act, Deps } from "../shared/deps";
import { versions, type PackageJson } from "./versions";

/**
 * The command's own package.json: the nearest one above this file, which is
 * cli/version/ in the sources and dist/cli/ in the build, so `--root` never changes it.
 */
export function ownPackageJson(from: string = __dirname): PackageJson {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
    if (path.dirname(dir) === dir) throw new Error(`phoenix: no package.json above ${from}`);
  }
}

/** Registers `phoenix version`, and `--version` on the program. */
export function registerVersion(program: Command, act: Act, deps: Deps): void {
  program.version(
    `phoenix ${ownPackageJson().version}`,
    "-V, --version",
    "print Phoenix's version (`phoenix version` adds every pin)",
  );
  outputOption(
    program
      .command("version")
      .description(
        "Phoenix's version, the Pulumi packages and every version the catalog pins (add-ons, charts, images, CRDs)",
      ),
  )
    .addHelpText("after", ["", "Examples:", "  $ phoenix version", "  $ phoenix version -o json"].join("\n"))
    .action(
      act(async (opts: { output?: string }) => {
        const pins = versions(ownPackageJson());
        const json = formatOf(opts, deps.io, "version") === "json";
        deps.io.out(
          json
            ? JSON.stringify(pins, null, 2) + "\n"
            : table(
                ["KIND", "NAME", "VERSION", "SOURCE"],
                pins.map((p) => [p.kind, p.name, p.version, p.source ?? ""]),
              ).join("\n") + "\n",
        );
        return Promise.resolve(EXIT.ok);
      }),
    );
}
