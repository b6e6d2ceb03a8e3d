/**
 * The real engine adapter's own logic: which engine events become progress lines, and
 * that a failed `pulumi config set --secret` never carries the secret in its message.
 * Driving a real `pulumi` CLI is what only a real run proves (docs/reference/limits.md).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describeEvent, redact } from "../../../cli/engine/automation";

const event = (e: Partial<EngineEvent>): EngineEvent => ({ sequence: 1, timestamp: 0, ...e });

describe("automation adapter", () => {
  it("reports steps that change something and warnings or errors, nothing else", () => {
    const step = (op: string) =>
      event({
        resourcePreEvent: {
          metadata: {
            op,
            urn: "urn:pulumi:prod::phoenix::aws:s3/bucket:Bucket::backups",
            type: "aws:s3/bucket:Bucket",
            provider: "",
          },
        },
      } as Partial<EngineEvent>);
    assert.equal(describeEvent(step("create")), "create aws:s3/bucket:Bucket backups");
    assert.equal(describeEvent(step("same")), undefined);
    assert.equal(
      describeEvent(event({ diagnosticEvent: { message: "boom\nmore", color: "never", severity: "error" } })),
      "error: boom",
    );
    assert.equal(
      describeEvent(event({ diagnosticEvent: { message: "fyi", color: "never", severity: "info" } })),
      undefined,
    );
    // The teardown hook's progress during a destroy, which waits on it for minutes.
    assert.equal(
      describeEvent(
        event({
          diagnosticEvent: {
            message: "teardown: waiting for 1: classic load balancer a1\n",
            color: "never",
            severity: "info",
          },
        }),
      ),
      "teardown: waiting for 1: classic load balancer a1",
    );
  });

  it("redacts a secret wherever a failed call quotes it", () => {
    const message =
      "Command failed with exit code 255: pulumi config set --secret --path phoenix:gitops.credentials.token --stack use1 -- s3cr3t\nstderr: error: s3cr3t rejected";
    const out = redact(message, "s3cr3t");
    assert.doesNotMatch(out, /s3cr3t/);
    assert.match(out, /-- \[secret\]/);
    assert.equal(redact("nothing", ""), "nothing");
  });
});
