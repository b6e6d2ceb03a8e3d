/**
 * The key-path check: every key Phoenix sets must be in the chart's values.yaml or
 * declared by its values.schema.json. Helm never checks that a key exists, so a misspelt
 * key would be silently ignored.
 */
import { declaresKeys, expand, itemSchemas, propertySchemas } from "./schema";
import { isMap, isPlaceholder, join, kindOf, type Finding, type Schema } from "./values";

interface KeyContext {
  readonly freeForm: ReadonlySet<string>;
  readonly root: Schema;
  readonly hasSchema: boolean;
  /** Compare value kinds (map, list, scalar) with the defaults: only for charts without a schema, where it is the only type check. */
  readonly kinds: boolean;
}

function walkKeys(
  value: unknown,
  defaults: unknown,
  schemas: readonly Schema[],
  at: string,
  ctx: KeyContext,
): Finding[] {
  if (isPlaceholder(value) || ctx.freeForm.has(at)) return [];
  const hasDefault = defaults !== undefined && defaults !== null;
  if (isMap(value)) {
    if (ctx.kinds && hasDefault && !isMap(defaults))
      return [{ path: at, message: `is a map, but the chart's default here is ${kindOf(defaults)}` }];
    return Object.entries(value).flatMap(([k, v]) => {
      const p = join(at, k);
      const inDefaults = isMap(defaults) && Object.hasOwn(defaults, k);
      const declared = propertySchemas(schemas, ctx.root, k);
      if (!inDefaults && declared.length === 0) {
        return [
          {
            path: p,
            message: `unknown key: not in the chart's values.yaml${ctx.hasSchema ? " nor in its values.schema.json" : ""}, so the chart ignores it (misspelt, or not in this chart version?)`,
          },
        ];
      }
      return walkKeys(v, inDefaults ? defaults[k] : undefined, declared, p, ctx);
    });
  }
  if (Array.isArray(value)) {
    if (ctx.kinds && hasDefault && !Array.isArray(defaults))
      return [{ path: at, message: `is a list, but the chart's default here is ${kindOf(defaults)}` }];
    const p = `${at}[]`;
    if (ctx.freeForm.has(p)) return [];
    // A list replaces the default list as a whole; its items are compared with the
    // chart's first example item, when the default has one.
    const example = Array.isArray(defaults) && isMap(defaults[0]) ? defaults[0] : undefined;
    const items = itemSchemas(schemas, ctx.root);
    const maps = value.filter(isMap);
    if (maps.length === 0) return [];
    if (example === undefined && !declaresKeys(items)) {
      return [
        {
          path: p,
          message:
            "items are maps, but the chart has no example item (or item schema) to check their keys against: if the list is free-form, add it to FREE_FORM with the reason",
        },
      ];
    }
    const seen = new Set<string>();
    return maps
      .flatMap((item) => walkKeys(item, example, items, p, ctx))
      .filter((f) => {
        const key = `${f.path}\n${f.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }
  // Helm reads null as "delete this key from the defaults": always allowed.
  if (ctx.kinds && value !== null && (isMap(defaults) || Array.isArray(defaults)))
    return [{ path: at, message: `is ${kindOf(value)}, but the chart's default here is ${kindOf(defaults)}` }];
  return [];
}

/**
 * Key-path problems of `values` against a chart's defaults (and its schema, when given):
 * every key Phoenix sets must be in values.yaml or declared by the schema, except below
 * the `freeForm` paths. Without a schema, value kinds (map, list, scalar) are compared
 * with the defaults too. Computed placeholders are not checked.
 */
export function keyProblems(
  values: unknown,
  defaults: unknown,
  freeForm: readonly string[],
  schema?: Schema,
): { path: string; message: string }[] {
  const root = schema ?? {};
  return walkKeys(values, defaults, schema ? expand(schema, root) : [], "", {
    freeForm: new Set(freeForm),
    root,
    hasSchema: schema !== undefined,
    kinds: schema === undefined,
  });
}

/** The key paths `values` sets that the chart's defaults do not have (no schema, no kind comparison). */
export function unknownPaths(values: unknown, defaults: unknown, freeForm: readonly string[]): string[] {
  return walkKeys(values, defaults, [], "", {
    freeForm: new Set(freeForm),
    root: {},
    hasSchema: false,
    kinds: false,
  }).map((f) => f.path);
}
