/**
 * The storage project after the move: the bucket inside a component of the storage's
 * type, with the aliases Phoenix's BackupStorage gives it (`legacyAliases`, from
 * `phoenix-backup-storage:movedFromPrefix`), protected as every storage resource is.
 */
import * as pulumi from "@pulumi/pulumi";
import { legacyAliases } from "../../../../components/backupStorage/aliases";
import { TYPE_TOKENS } from "../../../../components/typeTokens";
import { BucketRecord } from "./records";

class Storage extends pulumi.ComponentResource {
  constructor(name: string, movedFromPrefix: string | undefined) {
    super(TYPE_TOKENS.backupStorage, name, {}, { protect: true });
    const alias = legacyAliases(movedFromPrefix);
    new BucketRecord(name, { bucket: "phoenix-prod-backups" }, { parent: this, aliases: alias("backups") });
    this.registerOutputs({});
  }
}

new Storage("backups", new pulumi.Config("phoenix-backup-storage").get("movedFromPrefix"));
