/**
 * The policy pack Pulumi loads (`pulumi preview --policy-pack policy`). Constructing a
 * `PolicyPack` starts its gRPC server, so this file only wires: the rules live in plain
 * modules (./rules) that tests and the offline plan call directly.
 */
import { PolicyPack } from "@pulumi/policy";
import { PHOENIX_POLICIES } from "./rules";

new PolicyPack("phoenix", { policies: [...PHOENIX_POLICIES] });
