/** `phoenix:identity`: how plugins get AWS credentials. */
import { z } from "zod";
import { strictObject } from "../../config";

export const identitySchema = strictObject({
  /**
   * How plugins and the EBS CSI driver get AWS credentials: EKS Pod Identity (default;
   * trust policies name no cluster, so a replica region needs no edits) or IRSA
   * (the cluster then gets an IAM OIDC provider).
   */
  mode: z.enum(["podIdentity", "irsa"]).default("podIdentity"),
}).prefault({});

