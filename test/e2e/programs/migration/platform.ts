/**
 * The platform as it was before the storage project: its Velero plugin component holds
 * the bucket under a `plugins-velero-*` name. `moved: true` (after `pulumi state move`)
 * declares it no more, as the platform's program does today.
 */
import * as pulumi from "@pulumi/pulumi";
import { BucketRecord } from "./records";

class Plugins extends pulumi.ComponentResource {
  constructor(name: string, moved: boolean) {
    super("phoenix:plugins:Plugins", name, {}, {});
    if (!moved) new BucketRecord("plugins-velero-backups", { bucket: "phoenix-prod-backups" }, { parent: this });
    this.registerOutputs({});
  }
}

new Plugins("plugins", new pulumi.Config().getBoolean("moved") ?? false);
