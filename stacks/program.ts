/**
 * The Pulumi program as a function: read the stack's config from the Pulumi runtime,
 * validate it, declare the platform. `stacks/index.ts` runs it under the real engine;
 * the offline plan and the tests run the very same function under Pulumi's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./config";
import { createPlatform, type PlatformOutputs } from "./platform";

/** Runs the program for the current stack and returns its stack outputs. */
export function program(): PlatformOutputs {
  const config = parseStackConfig(pulumi.runtime.allConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() });
  return createPlatform(config);
}
