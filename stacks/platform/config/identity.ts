/** `phoenix:identity`: how plugins get AWS credentials. */
import { z } from "zod";
import { strictObject } from "../../config";

export const identitySchema = strictObject({
  mode: z.enum(["podIdentity", "irsa"]).default("podIdentity").meta({
    description:
      "How plugins and the EBS CSI driver get AWS credentials: `podIdentity` (EKS Pod Identity; trust policies name no cluster, so a replica region needs no edits) or `irsa` (the cluster then gets an IAM OIDC provider).",
  }),
}).prefault({});
