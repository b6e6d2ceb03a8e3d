/**
 * `phoenix drill run|list|cleanup`, `phoenix recover` and `phoenix restore verify`: parse,
 * call cli/recovery, print. Ctrl-C or SIGTERM stops the running phase and tears down; a
 * second one leaves what is left for `phoenix drill cleanup ID`. The old spellings
 * (`drill --from`, `drill --list`, `drill --cleanup`, `verify-restore`) work for one
 * release, with a line on stderr.
 */
import type { Command } from "commander";
import type { Act, Deps } from "../shared/deps";
import { registerDrill } from "./commandDrill";
import { registerRecover } from "./commandRecover";
import { registerRestore } from "./commandRestore";

/** Registers the recovery commands. */
export function registerRecovery(program: Command, act: Act, deps: Deps): void {
  registerDrill(program, act, deps);
  registerRecover(program, act, deps);
  registerRestore(program, act, deps);
}
