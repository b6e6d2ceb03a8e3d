/**
 * How the offline runtime answers what only AWS knows about the backups' secrets and
 * principals (the deploying role, a secret's value, a generated password, a secret's
 * ARN), and that a whole plan of both prod stacks never shows a secret's value.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Planner } from "../../../cli/plan/planner";
import { projects } from "../../../cli/stacks/projects";
import { COMPUTED, OfflineMocks, SECRET } from "../../../cli/plan/runtime";
import { ROOT } from "../../helpers";

const mocks = new OfflineMocks("eu-west-1");
const call = (token: string, inputs: Record<string, unknown>) => mocks.call({ token, inputs, provider: "" });
const create = (type: string, name: string, inputs: Record<string, unknown>) =>
  mocks.newResource({ type, name, inputs, custom: true });

describe("the offline runtime's answers about secrets and principals", () => {
  it("answers the deploying session's role with a placeholder, never an invented ARN", () => {
    const r = call("aws:iam/getSessionContext:getSessionContext", { arn: `${COMPUTED} caller arn>` });
    assert.equal(r.issuerArn, `${COMPUTED} role of the deploying session>`);
  });

  it("answers a secret's value with a placeholder naming the secret", () => {
    const arn = "arn:aws:secretsmanager:eu-central-1:111122223333:secret:x-AbCdEf";
    const r = call("aws:secretsmanager/getSecretVersion:getSecretVersion", { secretId: arn, region: "eu-central-1" });
    assert.equal(r.secretString, `${COMPUTED} value of secret ${arn}>`);
    assert.equal(r.arn, arn);
  });

  it("gives a secret an ARN with its partition and region spelt out and placeholders for the rest", () => {
    const { state } = create("aws:secretsmanager/secret:Secret", "s", {});
    assert.equal(
      state.arn,
      `arn:aws:secretsmanager:eu-west-1:${COMPUTED} account id>:secret:${COMPUTED} name of secret s>`,
    );
    const elsewhere = create("aws:secretsmanager/secret:Secret", "t", { region: "cn-north-1" }).state;
    assert.match(String(elsewhere.arn), /^arn:aws-cn:secretsmanager:cn-north-1:/);
  });

  it("never invents a generated password", () => {
    assert.equal(
      create("random:index/randomPassword:RandomPassword", "p", { length: 48 }).state.result,
      `${COMPUTED} random:index/randomPassword:RandomPassword p.result>`,
    );
  });

  it("still refuses a data source it was not taught", () => {
    assert.throws(
      () => call("aws:secretsmanager/getRandomPassword:getRandomPassword", {}),
      /no answer for data source aws:secretsmanager\/getRandomPassword/,
    );
  });
});

describe("the prod plans", () => {
  it("show every secret masked: no password, no secret value, in the storage or the platform plan", async () => {
    const planner = new Planner(ROOT);
    const storage = await planner.plan(projects(ROOT).storage, { stack: "prod" });
    const platform = await planner.plan(projects(ROOT).platform, { stack: "prod" });
    for (const doc of [storage, platform]) {
      const text = JSON.stringify(doc);
      assert.ok(!text.includes("value of secret"), `${doc.project}: no secret value`);
      assert.ok(
        !text.includes("randomPassword:RandomPassword backups-repository-password.result"),
        `${doc.project}: no generated password`,
      );
    }
    const version = storage.resources.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion");
    assert.equal(version?.inputs.secretString, SECRET);
    const repo = platform.resources.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && r.name === "plugins-velero-repo-credentials",
    );
    assert.equal(repo?.inputs.stringData, SECRET);
  });
});
