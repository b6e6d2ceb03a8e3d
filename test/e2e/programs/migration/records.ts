/**
 * The record both migration programs declare: one provider object, so the resource the
 * old platform made and the one the storage adopts carry the same serialized provider.
 */
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  create: (inputs: Record<string, unknown>) => Promise.resolve({ id: String(inputs.bucket), outs: inputs }),
};

/** A bucket-like record the engine keeps: no provider plugin, no AWS. */
export class BucketRecord extends pulumi.dynamic.Resource {
  constructor(name: string, args: { bucket: string }, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, args, opts);
  }
}
