/** docs/reference/commands.md is what the command's definitions generate: stale means `npm run docs` was not run. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { commandsMarkdown } from "../../../scripts/docs/commands";
import { ROOT } from "../../helpers";

describe("docs/reference/commands.md", () => {
  it("is exactly what the command's definitions generate (run `npm run docs` after changing a command)", () => {
    const file = fs.readFileSync(path.join(ROOT, "docs", "reference", "commands.md"), "utf8");
    const generated = commandsMarkdown();
    assert.ok(file === generated, "docs/reference/commands.md is stale: run `npm run docs`");
    for (const c of [
      "phoenix drill run",
      "phoenix plan diff",
      "phoenix restore verify",
      "phoenix stack list",
      "phoenix backup check",
      "phoenix version",
    ])
      assert.ok(generated.includes(`## ${c}\n`), c);
    assert.doesNotMatch(generated, /## phoenix verify-restore|## phoenix stacks\n/, "deprecated spellings stay out");
  });
});
