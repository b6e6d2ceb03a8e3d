/** What both projects' Pulumi entry points share: a bad stack file reported as its message alone. */
import * as pulumi from "@pulumi/pulumi";

/**
 * Runs a program; an input error (a bad stack file or inventory, which names the file,
 * the key and the fix) becomes a `RunError`, which Pulumi prints without a stack trace:
 * the message is the report.
 */
export function runReportingInputErrors<T>(
  program: () => T,
  inputErrors: readonly (abstract new (...args: never[]) => Error)[],
): T {
  try {
    return program();
  } catch (err) {
    if (inputErrors.some((cls) => err instanceof cls)) throw new pulumi.RunError((err as Error).message);
    throw err;
  }
}
