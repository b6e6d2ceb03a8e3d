/**
 * The Pulumi program as a function: read the stack's config from the Pulumi runtime,
 * validate it, declare the platform. `stacks/index.ts` runs it under the real engine;
 * the offline plan and the tests run the very same function under Pulumi's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import * as pulumiConfig from "@pulumi/pulumi/runtime/config";
import { parseStackConfig } from "./config";
import { createPlatform, type PlatformOutputs } from "./composition";

/** Runs the program for the current stack and returns its stack outputs. */
export function program(): PlatformOutputs {
  const config = parseStackConfig(pulumi.runtime.allConfig(), {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    isSecret: isConfigSecret(),
  });
  return createPlatform(config);
}

/**
 * Pulumi's own record of which config keys hold secrets: the language host passes it
 * with the config (PULUMI_CONFIG_SECRET_KEYS), and `setAllConfig(config, secretKeys)`
 * sets it under mocks. The function is internal to @pulumi/pulumi (not in its typings),
 * so it is looked up, and the plain-text check is skipped if a release drops it.
 */
function isConfigSecret(): ((key: string) => boolean) | undefined {
  const fn = (pulumiConfig as unknown as { isConfigSecret?: unknown }).isConfigSecret;
  return typeof fn === "function" ? (key: string) => (fn as (k: string) => boolean)(key) : undefined;
}
