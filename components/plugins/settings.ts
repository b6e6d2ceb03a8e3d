/** Shared shape of every plugin's settings schema. */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";

/**
 * The allowed word a misspelling most likely meant: the closest by edit distance, when
 * it is close enough to be a typo (at most a third of the word, and at most 3 edits).
 */
export function didYouMean(word: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const best = closest(word, [...allowed]);
  const d = distance(word, best);
  return d > 0 && d <= Math.min(3, Math.max(1, Math.floor(word.length / 3))) ? best : undefined;
}

/** `word (did you mean x?)`, or the word alone. */
export function withSuggestion(word: string, allowed: readonly string[]): string {
  const guess = didYouMean(word, allowed);
  return guess ? `${word} (did you mean ${guess}?)` : word;
}

/**
 * A strict settings object: an unknown key is an error that lists the keys allowed
 * there, and the one it most likely meant, so a misspelt setting never silently falls
 * back to its default.
 */
export function strictSettings<T extends z.ZodRawShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key(s) ${issue.keys.map((k) => withSuggestion(k, keys)).join(", ")}; allowed here: ${keys.join(", ") || "none"}`
        : undefined,
  });
}

/** The shape of an AWS region code (area-direction-number), as `aws:region` takes it. */
export const REGION_CODE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
