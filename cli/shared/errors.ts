/**
 * How commands fail, and the exit status each way gets: 0 ok; 1 a check failed (or the
 * operation it ran failed); 2 a usage or input error (bad flags, a bad stack file, a
 * cluster that cannot be read), which never writes a plan or touches the cloud.
 */

/** Exit statuses. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage or input error: its message names what was wrong and the fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The report of bad input (a stack file, inventory or usage error: the errors that name
 * the file, the key and the fix), or undefined for any other error. The error classes
 * are recognised by name: importing them would load the config schema, and through it
 * the Pulumi SDK, before a usage error could answer.
 */
export function inputProblem(err: unknown): string | undefined {
  const inputErrors = ["StackFileError", "ConfigError", "InventoryError", "UsageError"];
  return err instanceof Error && inputErrors.includes(err.name) ? err.message : undefined;
}
