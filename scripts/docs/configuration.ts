/**
 * The key tables of docs/reference/configuration.md, generated from the zod schemas that
 * validate the stack files (stacks/platform/config/, the plugins' settings.ts,
 * stacks/backup-storage/config.ts), so the reference cannot drift from the validation.
 * Each key's meaning is its schema's description (`.meta({ description })`); its default
 * is the schema's own, or `.meta({ default })` (Markdown, shown as is) where the real
 * default is computed at run time or too long to print. `npm run docs` rewrites the
 * generated blocks in place and leaves the prose around them;
 * test/scripts/docs/configuration.test.ts fails when they are stale.
 *
 * The walker reads zod 4's definitions (`schema._zod.def`) and the global registry the
 * metadata lives in. Wrappers are unwrapped, gathering what they say about the key:
 * `optional` (optional), `default` and `prefault` (the default value; a prefault's object
 * also gives its fields' defaults, such as `cluster.compute`'s `mode`), `nonoptional`,
 * `readonly`, `nullable`, and `pipe` (its input side, unless that is a bare `z.custom`
 * gate, when the output side is what the stack file holds). Refinements are checks on a
 * schema, not wrappers, and metadata may sit on any layer: the outermost wins, key by key.
 * Then objects give a row per field (`key.field`), discriminated unions a row for the
 * discriminator and one per variant's field, lists of maps a row for the list and rows
 * for its entries' fields (`key[]`, `key[].field`), maps of maps the same (`key.<name>`);
 * anything else, lists of values and maps of values included, is one row. An object that
 * may be left out and has no default gets a row of its own above its fields'.
 */
import { z } from "zod";
import { storageSchema } from "../../stacks/backup-storage/config";
import { stackSchema } from "../../stacks/platform/config";

type Schema = z.core.$ZodType;

/** The parts of a zod 4 definition the walker reads. */
interface Def {
  readonly type: string;
  readonly innerType?: Schema;
  readonly in?: Schema;
  readonly out?: Schema;
  readonly shape?: Readonly<Record<string, Schema>>;
  readonly element?: Schema;
  readonly options?: readonly Schema[];
  readonly discriminator?: string;
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly values?: readonly unknown[];
  readonly valueType?: Schema;
  readonly defaultValue?: unknown;
}

/** What the docs read from a schema's metadata. */
interface DocMeta {
  readonly description?: string;
  /** Markdown shown as the default, for a default computed at run time or too long to print. */
  readonly default?: string;
}

/** One key of a table. */
export interface ConfigRow {
  /** The stack-file key, such as `phoenix:gitops.applications[].syncPolicy.prune`. */
  readonly key: string;
  /** Markdown: the default as code, **required**, none, or the schema's display string. */
  readonly default: string;
  /** Markdown: the description, with the allowed values when it does not list them. */
  readonly meaning: string;
  /** The schema's own description; undefined when the key has none (the test refuses that). */
  readonly description: string | undefined;
}

/** A schema with its wrappers taken off, and what they said. */
interface Unwrapped {
  readonly core: Schema;
  readonly def: Def;
  readonly meta: DocMeta;
  readonly optional: boolean;
  /** The default value, when a `default` or `prefault` wrapper gives one. */
  readonly value?: { readonly v: unknown };
}

/** A schema's definition, as the walker reads it. */
function defOf(s: Schema): Def {
  return s._zod.def;
}

/** Takes the wrappers off a schema (see the module's comment). */
function unwrap(schema: Schema): Unwrapped {
  let s = schema;
  let meta: DocMeta = {};
  let optional = false;
  let value: { v: unknown } | undefined;
  for (;;) {
    meta = { ...((z.globalRegistry.get(s) ?? {}) as DocMeta), ...meta };
    const def = defOf(s);
    if (def.type === "optional") optional = true;
    else if (def.type === "nonoptional") optional = false;
    else if ((def.type === "default" || def.type === "prefault") && value === undefined)
      value = { v: def.defaultValue };
    else if (def.type === "pipe") {
      s = defOf(def.in as Schema).type === "custom" ? (def.out as Schema) : (def.in as Schema);
      continue;
    } else if (!["default", "prefault", "readonly", "nullable"].includes(def.type))
      return { core: s, def, meta, optional, value };
    s = def.innerType as Schema;
  }
}

/** A value as a stack file would write it (YAML flow style), for the default column. */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(", ")}}`;
  if (v === "") return '""';
  return String(v);
}

/** The allowed values of an enum or literal, if the schema is one. */
function allowedValues(def: Def): readonly unknown[] | undefined {
  if (def.type === "enum") return Object.values(def.entries ?? {});
  if (def.type === "literal") return def.values;
  return undefined;
}

/** "`a`, `b` or `c`". */
function either(values: readonly unknown[]): string {
  const code = values.map((v) => `\`${String(v)}\``);
  return code.length === 1 ? code[0] : `${code.slice(0, -1).join(", ")} or ${code[code.length - 1]}`;
}

/** Where the walk is: the key so far, and what the enclosing objects say. */
interface Place {
  readonly key: string;
  /** The default the enclosing object's own default gives this key (a prefault's field). */
  readonly inherited?: { readonly v: unknown };
  /** Markdown after the description: the union variant the key belongs to. */
  readonly only?: string;
}

function row(place: Place, u: Unwrapped, extra = ""): ConfigRow {
  const value = u.value ?? place.inherited;
  const dflt = u.meta.default ?? (value !== undefined ? `\`${flow(value.v)}\`` : u.optional ? "none" : "**required**");
  const description = u.meta.description?.trim() || undefined;
  const meaning = [description, place.only, extra].filter((p) => p).join(" ");
  return { key: place.key, default: dflt, meaning, description };
}

/**
 * The sentence naming the allowed values of an enum (or a list of one), unless the
 * description already names each as code. `values` for a union's discriminator.
 */
function valuesNote(
  u: Unwrapped,
  values = allowedValues(u.def.type === "array" ? unwrap(u.def.element as Schema).def : u.def),
): string {
  if (!values || values.every((v) => u.meta.description?.includes(`\`${String(v)}\``))) return "";
  return u.def.type === "array" ? `Any of ${either(values)}.` : `One of ${either(values)}.`;
}

/** Whether a schema documents as a group of keys (an object, or a union of objects) rather than one value. */
function isGroup(def: Def): boolean {
  return def.type === "object" || (def.type === "union" && def.discriminator !== undefined);
}

/** The rows of one key and everything below it. */
function walk(schema: Schema, place: Place): ConfigRow[] {
  const u = unwrap(schema);
  if (u.def.type === "array" && isGroup(unwrap(u.def.element as Schema).def)) {
    return [row({ ...place, key: `${place.key}[]` }, u), ...walk(u.def.element as Schema, { key: `${place.key}[]` })];
  }
  if (u.def.type === "record" && isGroup(unwrap(u.def.valueType as Schema).def)) {
    return [row(place, u), ...walk(u.def.valueType as Schema, { key: `${place.key}.<name>` })];
  }
  if (!isGroup(u.def)) return [row(place, u, valuesNote(u))];
  // An object that may be left out and has no default is a setting of its own.
  const own = u.optional && u.value === undefined && place.inherited === undefined ? [row(place, u)] : [];
  const value = u.value ?? place.inherited;
  return [...own, ...fields(u.def, place, value?.v)];
}

/** The rows of an object's fields, or of a discriminated union's discriminator and each variant's fields. */
function fields(def: Def, place: Place, dflt: unknown): ConfigRow[] {
  const at = (name: string): Place => ({
    key: `${place.key}.${name}`,
    inherited:
      typeof dflt === "object" && dflt !== null && name in dflt
        ? { v: (dflt as Record<string, unknown>)[name] }
        : undefined,
  });
  if (def.type === "object") return Object.entries(def.shape ?? {}).flatMap(([name, s]) => walk(s, at(name)));
  const disc = def.discriminator as string;
  const variants = (def.options ?? []).map((o) => ({
    shape: defOf(o).shape ?? {},
    values: allowedValues(unwrap((defOf(o).shape ?? {})[disc]).def) ?? [],
  }));
  const discriminator = unwrap(
    variants.map((v) => v.shape[disc]).find((s) => unwrap(s).meta.description) ?? variants[0].shape[disc],
  );
  const values = variants.flatMap((v) => v.values);
  return [
    row(at(disc), discriminator, valuesNote(discriminator, values)),
    ...variants.flatMap((v) =>
      Object.entries(v.shape)
        .filter(([name]) => name !== disc)
        .flatMap(([name, s]) =>
          walk(s, { ...at(name), only: `Only with \`${disc}: ${v.values.map(String).join(" | ")}\`.` }),
        ),
    ),
  ];
}

/** The rows of a project's stack-file keys: `region` is `aws:region`, every other key `<project>:<key>`. */
export function configRows(schema: Schema, project: string): ConfigRow[] {
  const def = unwrap(schema).def;
  return Object.entries(def.shape ?? {}).flatMap(([name, s]) =>
    walk(s, { key: name === "region" ? "aws:region" : `${project}:${name}` }),
  );
}

/** A Markdown table cell: one line, its pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

/** The Markdown table of some rows, in the doc's style. */
export function configTable(rows: readonly ConfigRow[]): string {
  return [
    "| key | default | meaning |",
    "|---|---|---|",
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.default)} | ${cell(r.meaning)} |`),
  ].join("\n");
}

/** The generated blocks of docs/reference/configuration.md, by name, with the rows each holds. */
export function configurationBlocks(): { readonly name: string; readonly rows: readonly ConfigRow[] }[] {
  return [
    { name: "platform keys", rows: configRows(stackSchema, "phoenix") },
    { name: "backup storage keys", rows: configRows(storageSchema, "phoenix-backup-storage") },
  ];
}

const BEGIN = (name: string): string => `<!-- generated: ${name} (npm run docs; scripts/docs/configuration.ts) -->`;
const END = "<!-- end generated -->";

/**
 * The document with each generated block rewritten from the schemas, the prose around
 * them untouched. Throws when a block's markers are missing.
 */
export function withGeneratedBlocks(doc: string): string {
  return configurationBlocks().reduce((text, { name, rows }) => {
    const start = text.indexOf(BEGIN(name));
    const end = start < 0 ? -1 : text.indexOf(END, start);
    if (end < 0)
      throw new Error(
        `docs/reference/configuration.md: no block "${BEGIN(name)}" ... "${END}" to write the ${name} into`,
      );
    // Blank lines around the table, so no Markdown renderer takes a marker for a row.
    return `${text.slice(0, start)}${BEGIN(name)}\n\n${configTable(rows)}\n\n${text.slice(end)}`;
  }, doc);
}
