/** Process entry of `phoenix` (cli/phoenix.cjs runs its build): run, then exit with the status. */
import { main } from "./main";
import { deferPulumiStartup } from "./plan/deferPulumi";
import { repositoryRoot } from "./stacks/projects";

deferPulumiStartup();

// A reader that stops early (`phoenix plan --stack prod | head`) is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

void main(process.argv.slice(2), { root: () => repositoryRoot(__dirname) }).then((code) => {
  // process.exitCode, not exit(): pending stdout writes drain first.
  process.exitCode = code;
});
