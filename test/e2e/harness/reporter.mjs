// A node:test reporter that writes every test's outcome as one JSON line, for the e2e
// run's report (.e2e/report.json). The spec reporter prints beside it for people.
/**
 * @param {AsyncIterable<{ type: string; data: any }>} source node:test's events
 * @returns {AsyncGenerator<string>} one JSON line per finished test
 */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- plain JavaScript: node:test loads reporters without a TypeScript loader.
export default async function* jsonLines(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { name, nesting, file, details, skip, todo } = event.data;
    const error = details.error
      ? String(details.error.cause?.message ?? details.error.message ?? details.error).slice(0, 4000)
      : undefined;
    const result =
      skip !== undefined || todo !== undefined ? "skipped" : event.type === "test:pass" ? "passed" : "failed";
    yield `${JSON.stringify({ name, nesting, file, result, durationMs: Math.round(details.duration_ms), type: details.type ?? "test", ...(error ? { error } : {}) })}\n`;
  }
}
