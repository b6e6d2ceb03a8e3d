/** `phoenix:network`: the VPC. */
import { z } from "zod";
import { VPC_PREFIX_RANGE, parseCidr } from "../../../components/cluster/network";
import { strictObject } from "../../config";
import { cidr } from "./common";

export const networkSchema = strictObject({
  cidr: cidr
    .default("10.0.0.0/16")
    .refine(
      (c) => {
        const p = parseCidr(c)?.prefix;
        // A malformed block is already reported by `cidr`; report the size only for valid ones.
        return p === undefined || (p >= VPC_PREFIX_RANGE.min && p <= VPC_PREFIX_RANGE.max);
      },
      { error: `must have a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}` },
    )
    .meta({
      description: `VPC IPv4 block, /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}. Give each region its own block if regions might ever be peered.`,
    }),
  natGateways: z.enum(["perAz", "single"]).default("perAz").meta({
    description:
      "`perAz`: one NAT gateway per availability zone, so an AZ outage keeps egress; `single`: one, cheaper.",
  }),
}).prefault({});
