/** Reading YAML files, with the two ways it fails told apart for the caller's message. */
import * as fs from "node:fs";
import { parse } from "yaml";

/** A YAML file that cannot be read (`read`) or parsed (`parse`). */
export class YamlFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: "read" | "parse",
    detail: string,
  ) {
    super(reason === "read" ? `cannot read ${file}` : `not valid YAML: ${detail}`);
    this.name = "YamlFileError";
  }
}

/** The parsed content of one YAML document. */
export function readYaml(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new YamlFileError(file, "read", (err as Error).message);
  }
  try {
    return parse(text) as unknown;
  } catch (err) {
    throw new YamlFileError(file, "parse", (err as Error).message);
  }
}
