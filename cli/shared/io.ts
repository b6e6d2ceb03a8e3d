/**
 * Where a command writes: its data and report (`out`), its problems (`err`), and live
 * progress (`progress`, a terminal stream, or none). The process's own streams in real
 * use; strings in tests, which run the command in-process beside the test runner's output.
 */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Stream for listr2's progress display; none means silent. */
  readonly progress?: NodeJS.WriteStream;
  /** Where answers to a question come from (a confirmation); none, or not a terminal, means nobody can answer. */
  readonly input?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

/** The process's streams: progress goes to stderr, so stdout stays data. */
export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  progress: process.stderr,
  input: process.stdin,
};
