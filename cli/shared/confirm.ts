/**
 * Asking a person before something that cannot be undone. Only a terminal can answer:
 * without one (CI, a pipe), the command must have been given `--yes`.
 */
import * as readline from "node:readline";
import type { Io } from "./io";

/** Whether someone at a terminal can answer a question. */
export function canAsk(io: Pick<Io, "input">): boolean {
  return io.input?.isTTY === true;
}

/**
 * Asks (on stderr, so stdout stays data) for `expected` to be typed, and answers whether
 * it was, exactly. End of input counts as no.
 */
export async function confirmByTyping(
  io: Pick<Io, "input" | "err">,
  question: string,
  expected: string,
): Promise<boolean> {
  const input = io.input;
  if (!input) return false;
  const rl = readline.createInterface({ input, terminal: false });
  try {
    io.err(`${question} `);
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(undefined));
    });
    return answer?.trim() === expected;
  } finally {
    rl.close();
  }
}
