/**
 * `npm run docs`: writes the generated references under docs/reference/: the command
 * reference whole, and the key tables of the configuration reference in place (the
 * blocks between its `<!-- generated: ... -->` markers; the prose around them is kept).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { commandsMarkdown } from "./commands";
import { withGeneratedBlocks } from "./configuration";

const reference = path.join(__dirname, "..", "..", "docs", "reference");
fs.mkdirSync(reference, { recursive: true });

const commands = path.join(reference, "commands.md");
fs.writeFileSync(commands, commandsMarkdown());
process.stdout.write(`wrote ${path.relative(process.cwd(), commands)}\n`);

const configuration = path.join(reference, "configuration.md");
fs.writeFileSync(configuration, withGeneratedBlocks(fs.readFileSync(configuration, "utf8")));
process.stdout.write(`wrote the generated blocks of ${path.relative(process.cwd(), configuration)}\n`);
