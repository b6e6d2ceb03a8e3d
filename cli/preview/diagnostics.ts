/** The engine's diagnostics, as a summary line shows them (pure). */
import { stripVTControlCharacters } from "node:util";

/**
 * An error diagnostic in one line. A program that throws is reported by the engine as
 * `error: Running program '<file>' failed with an unhandled exception:` and, on the next
 * line, the exception itself, then its stack, colored (a real v3.248.0 preview:
 * test/fixtures/pulumi/preview-failed-program.json): the header alone says nothing, so a
 * header that ends in a colon is followed by the first line after it.
 */
export function errorText(message: string | undefined): string {
  const lines = stripVTControlCharacters(message ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("at "));
  const [head = "", next] = lines;
  return head.endsWith(":") && next !== undefined ? `${head} ${next}` : head;
}
