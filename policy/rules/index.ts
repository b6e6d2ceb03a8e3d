/**
 * Phoenix's rules, in the order the pack and the offline plan report them. Each is a
 * plain `@pulumi/policy` policy object: the pack (policy/index.ts) hands them to
 * `PolicyPack`, the offline plan (cli/plan/policy.ts) and the tests call their
 * `validateResource` / `validateStack` directly.
 */
import { backupBucketsHardened } from "./backupBuckets";
import { eksControlPlaneLogs, eksEndpointNotWorldOpen, eksSecretsEncrypted, nodeGroupsHardened } from "./cluster";
import type { PhoenixPolicy } from "./common";
import { iamNoWildcards, podIdentityTrustConditioned } from "./iam";
import { helmReleasesPinned, namespacesPodSecurity, veleroSchedulesImperativeOnly } from "./kubernetes";

export type { PhoenixPolicy } from "./common";

export const PHOENIX_POLICIES: readonly PhoenixPolicy[] = [
  backupBucketsHardened,
  eksSecretsEncrypted,
  eksControlPlaneLogs,
  eksEndpointNotWorldOpen,
  nodeGroupsHardened,
  namespacesPodSecurity,
  veleroSchedulesImperativeOnly,
  helmReleasesPinned,
  iamNoWildcards,
  podIdentityTrustConditioned,
];
