/**
 * The engine scenario's program: what it reads of the config (a map key set leaf by leaf
 * with `--path`, a secret among them), two records the engine keeps, one protected, and
 * outputs, one secret. `fail: true` makes the program throw, for the engine's own message;
 * `scratchName` and `dropExtra` make a preview replace one record and delete another.
 */
import * as pulumi from "@pulumi/pulumi";

/** A record held in the engine's state only: its provider runs inside the language host. */
const records: pulumi.dynamic.ResourceProvider = {
  create: (inputs: Record<string, unknown>) => Promise.resolve({ id: `record-${String(inputs.name)}`, outs: inputs }),
  diff: (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) =>
    Promise.resolve({
      changes: JSON.stringify(olds) !== JSON.stringify(news),
      replaces: olds.name !== news.name ? ["name"] : [],
    }),
};

class EngineRecord extends pulumi.dynamic.Resource {
  constructor(name: string, args: { name: string; note: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(records, name, args, opts);
  }
}

const config = new pulumi.Config();
if (config.getBoolean("fail")) throw new Error("e2e program: asked to fail by its config");
const database = config.requireObject<{ host: string }>("database");
const password = config.requireSecretObject<{ password: string }>("database").apply((d) => d.password);

// A changed name replaces the record (its provider's diff says so); `dropExtra` deletes one.
new EngineRecord("scratch", { name: config.get("scratchName") ?? "scratch", note: database.host });
if (!config.getBoolean("dropExtra")) new EngineRecord("extra", { name: "extra", note: "deleted when dropped" });
const kept = new EngineRecord(
  "kept",
  { name: "kept", note: "keep me" },
  { protect: config.getBoolean("protect") ?? true },
);

export const host = database.host;
export const keptId = kept.id;
export const secretPassword = pulumi.secret(password);
