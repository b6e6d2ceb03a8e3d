/** `npm run docs`: writes the generated references under docs/reference/. */
import * as fs from "node:fs";
import * as path from "node:path";
import { commandsMarkdown } from "./commands";

const file = path.join(__dirname, "..", "..", "docs", "reference", "commands.md");
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, commandsMarkdown());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
