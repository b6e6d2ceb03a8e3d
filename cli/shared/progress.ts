/**
 * Progress for anything that takes more than a few seconds, through listr2: a live task
 * list on a terminal, one line per event elsewhere (CI logs). Always on stderr, so a
 * command's stdout stays its data (`--json`).
 */
import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput } from "listr2";
import type { Io } from "./io";

/** One step shown as a task. `update` replaces its status line (engine events, counts). */
export interface ProgressStep {
  readonly title: string;
  run(update: (status: string) => void): Promise<void>;
}

/** Runs `steps` in order with a progress display; the first failure stops the rest and is rethrown. */
export async function withProgress(steps: readonly ProgressStep[], io: Pick<Io, "progress">): Promise<void> {
  const stream = io.progress ?? process.stderr;
  const processOutput = new ProcessOutput(stream, stream);
  const list = new Listr(
    steps.map((s) => ({
      title: s.title,
      task: async (_ctx: unknown, task: { output: string }) =>
        s.run((status) => {
          task.output = status;
        }),
    })),
    {
      concurrent: false,
      exitOnError: true,
      // Ctrl-C stops the process as usual; listr2 must not swallow the signal.
      registerSignalListeners: false,
      silentRendererCondition: io.progress === undefined,
      fallbackRendererCondition: !stream.isTTY,
      rendererOptions: { logger: new ListrLogger({ processOutput }), collapseSubtasks: false, showErrorMessage: false },
      fallbackRendererOptions: { logger: new ListrLogger({ processOutput }), timer: PRESET_TIMER },
    },
  );
  await list.run();
}
