/**
 * What every command file receives from the program (cli/main.ts): the action wrapper
 * and the dependencies. Here rather than in main.ts, so command files do not import the
 * module that imports them.
 */
import type { EngineAdapter } from "../engine/adapter";
import type { RecoveryAdapters } from "../recovery/env";
import type { Io } from "./io";

/** Wraps an action: its result is the exit status; bad input prints its report and exits 2. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commander passes each action its own option shape.
export type Act = <A extends any[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

/** What the commands run against; tests replace the engine with a scripted one. */
export interface Deps {
  /** The repository root. */
  readonly root: () => string;
  /** The engine adapter, made only when a command talks to the engine. */
  readonly engine: () => EngineAdapter;
  /** Where output goes. */
  readonly io: Io;
  /** Recovery's bucket, cluster and AWS adapters; tests script them, the real ones otherwise. */
  readonly recovery?: RecoveryAdapters;
}
