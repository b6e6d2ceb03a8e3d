/** Plain-text tables for terminal output: columns padded to their widest cell, two spaces apart. */

/** The table's lines (header first), each prefixed with `indent` and without trailing spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], indent = ""): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    (indent + cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ")).trimEnd();
  return [line(header), ...rows.map(line)];
}
