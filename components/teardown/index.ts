/**
 * Teardown: what `pulumi destroy` of a platform stack must release before the VPC can go
 * (./release.ts), its real Kubernetes and AWS adapters (./open.ts), and the marker
 * component whose delete hook runs it (./hook.ts).
 */
export * from "./release";
export { openTeardownAws, openTeardownKube } from "./open";
export { Teardown, TEARDOWN_TYPE, teardownHookCallback, type TeardownArgs, type TeardownHookDeps } from "./hook";
