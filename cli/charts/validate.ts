/** The schema check: Helm's merge of values over defaults, and a validator that places each error at its key path. */
import Ajv, { type ErrorObject } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import { isMap, join, placeholderPointers, type Finding, type Schema } from "./values";

/**
 * Helm's coalescing of user values over chart defaults: maps merge key by key, lists and
 * scalars replace, and `null` deletes the key. Helm validates values.schema.json against
 * this merged document, not against the user's values alone (so a schema's `required`
 * keys are satisfied by the defaults).
 */
export function helmMerge(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
  const out: Schema = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = helmMerge(defaults[k], v);
  }
  return out;
}

/** A JSON pointer as a key path (`a.b[0].c`), reading the document to tell list indexes from keys. */
export function pointerToPath(doc: unknown, pointer: string): string {
  let node = doc;
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      out += `[${key}]`;
      node = node[Number(key)];
    } else {
      out = join(out, key);
      node = isMap(node) ? node[key] : undefined;
    }
  }
  return out;
}

// Errors of these keywords sit on a parent, though a placeholder below may be the cause.
const COMPOSITE = new Set(["anyOf", "oneOf", "not", "if", "contains"]);

function describeError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return "unknown field: the schema does not allow it";
    case "required":
      return "required, but not set";
    case "enum":
      return `must be one of ${JSON.stringify(p.allowedValues)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * A validator for a schema: returns one finding per error, placed at the key path it
 * concerns. Errors about a placeholder value (or composites with one below them) are
 * dropped: the real value is unknown offline (see `isPlaceholder`).
 */
export function schemaValidator(schema: Schema): (value: unknown) => Finding[] {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  // Helm accepts any draft; pick ajv's matching dialect. strict off: CRD schemas carry
  // x-kubernetes-* keywords and chart schemas often carry unknown ones. Formats are not
  // checked (that needs ajv-formats, which is not a dependency); `checks()` says so when
  // a schema uses `format`.
  const options = { strict: false, allErrors: true, validateFormats: false } as const;
  const ajv = /2020-12/.test(declared)
    ? new Ajv2020(options)
    : /2019-09/.test(declared)
      ? new Ajv2019(options)
      : new Ajv(options);
  // Draft-04/06 meta-schemas are not bundled with ajv: validate those as draft-07.
  const known = declared === "" || /draft-07|2019-09|2020-12/.test(declared);
  const validate = ajv.compile(
    known ? schema : Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  );
  return (value) => {
    if (validate(value)) return [];
    const placeholders = placeholderPointers(value);
    return (validate.errors ?? [])
      .filter(
        (e) =>
          !placeholders.some(
            (p) => p === e.instancePath || (COMPOSITE.has(e.keyword) && p.startsWith(`${e.instancePath}/`)),
          ),
      )
      .map((e) => {
        const p = e.params as Record<string, unknown>;
        const sub =
          e.keyword === "additionalProperties"
            ? p.additionalProperty
            : e.keyword === "required"
              ? p.missingProperty
              : undefined;
        const at = pointerToPath(value, e.instancePath);
        return { path: typeof sub === "string" ? join(at, sub) : at, message: describeError(e) };
      });
  };
}
