/**
 * Where a storage resource was before the storage project existed: a child of the
 * platform's Velero plugin, moved by `pulumi state move` to the root of the storage stack
 * (docs/operations/destroy-and-recreate.md, "Moving an existing bucket"). The alias to
 * that root-level name lets the storage program adopt it instead of creating another;
 * test/e2e/scenarios/migration.e2e.ts runs the move on the real engine.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LegacyAlias } from "./build";

/** The aliases of each storage resource to its old root-level name `<prefix>-<legacy>`; none without a prefix. */
export function legacyAliases(prefix: string | undefined): LegacyAlias {
  // Read when the resource is made: the root stack resource exists only while the program runs.
  return (legacy) => (prefix ? [{ name: `${prefix}-${legacy}`, parent: pulumi.rootStackResource }] : undefined);
}
