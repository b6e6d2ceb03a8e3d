/**
 * The access matrix of prod, judged by an independent IAM evaluator
 * (@cloud-copilot/iam-simulate) against the policies of the offline plans: every row as
 * expected.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { judge, principals, type Principal } from "../../../cli/access/matrix";
import { ROWS } from "../../../cli/access/rows";
import { worldOf, type World } from "../../../cli/access/world";
import { accessPlans } from "../../../cli/access/plans";
import { ROOT } from "../../helpers";

const DEPLOYER = "arn:aws:iam::111122223333:role/platform-deploy";

describe("the access matrix of prod", () => {
  let world: World;
  let who: Principal[];
  before(async () => {
    const plans = await accessPlans(ROOT, "prod");
    const ex = { account: "111122223333", deployer: DEPLOYER };
    world = worldOf(plans.storage, [plans.platform], ex);
    assert.deepEqual(
      plans.restoreReaders,
      ["arn:aws:iam::111122223333:role/phoenix-drill"],
      "prod's storage names the drill's role",
    );
    assert.equal(plans.admins[0], DEPLOYER, "the admin judged is one prod's storage names");
    const breakGlass = plans.admins.find((a) => a !== DEPLOYER && !a.endsWith(":root"));
    assert.ok(breakGlass, "prod's storage names a second admin");
    who = principals(
      world,
      DEPLOYER,
      plans.restoring ? worldOf(plans.storage, [plans.restoring], ex) : undefined,
      plans.restoreReaders[0],
      breakGlass,
    );
  });

  it("turns every placeholder of the plans into an example value", () => {
    assert.match(world.buckets.primary.name, /^example-backups$/);
    assert.match(world.buckets.replica?.keyArn ?? "", /^arn:aws:kms:eu-central-1:111122223333:key\//);
    assert.equal(
      world.roles.get("plugins-velero")?.arn,
      "arn:aws:iam::111122223333:role/phoenix/velero/plugins-velero-prod",
    );
    assert.deepEqual(
      who.map((p) => p.id),
      [
        "pod-identity",
        "velero",
        "node-agent",
        "velero-restoring",
        "replication",
        "restore-reader",
        "preview",
        "deploy",
        "admin",
        "account-admin",
      ],
    );
    assert.equal(
      world.veleroServiceAccount,
      "velero-server",
      "the node agent's service account, from the planned Velero values",
    );
  });

  for (const row of ROWS) {
    it(
      `${row.who}: ${row.action} on the ${row.on} is ${row.expect === "Allow" ? "allowed" : "denied"} (${row.why})`,
      { ...(row.todo ? { todo: row.todo } : {}) },
      async () => {
        const judged = await judge(world, who, row);
        assert.equal(judged.decision, row.expect, `${judged.detail} for ${judged.resource}`);
      },
    );
  }
});
