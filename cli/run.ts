/** Process entry of `phoenix` (cli/phoenix.cjs runs its build): run, then exit with the status. */
import { main } from "./main";
import { repositoryRoot } from "./offline/projects";

void main(process.argv.slice(2), { root: () => repositoryRoot(__dirname) }).then((code) => {
  // process.exitCode, not exit(): let pending stdout writes drain.
  process.exitCode = code;
});
