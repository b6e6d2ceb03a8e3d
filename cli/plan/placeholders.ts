/** How an offline plan shows what it cannot know: values only the cloud computes, and secrets. */

/** Prefix of every placeholder the offline runtime returns. */
export const COMPUTED = "<computed:";

/** A placeholder for a value only the cloud knows. */
export function computed(what: string): string {
  return `${COMPUTED} ${what}>`;
}

/** Shown for a secret value. */
export const SECRET = "[secret]";
