/**
 * The type tokens of Phoenix's components, in one place: the components register under
 * them, and the plan, the preview summary and the policy pack find the layers by them.
 * A token is part of every child's URN: changing one replaces the whole subtree unless
 * the component gets an alias for the old token (Pulumi docs, "Resource aliases"). No
 * imports, so the policy pack can read it without loading component code.
 */
export const TYPE_TOKENS = {
  cluster: "phoenix:cluster:Cluster",
  plugins: "phoenix:plugins:Plugins",
  apps: "phoenix:apps:Apps",
  backupStorage: "phoenix:backupStorage:BackupStorage",
  teardown: "phoenix:teardown:Teardown",
} as const;
