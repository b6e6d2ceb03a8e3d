/** `phoenix:network`: the VPC. */
import { z } from "zod";
import { VPC_PREFIX_RANGE, parseCidr } from "../../../components/cluster/network";
import { strictObject } from "../../config";
import { cidr } from "./common";

export const networkSchema = strictObject({
  /** VPC IPv4 block; distinct per region if regions are ever peered. */
  cidr: cidr.default("10.0.0.0/16").refine(
    (c) => {
      const p = parseCidr(c)?.prefix;
      // A malformed block is already reported by `cidr`; report the size only for valid ones.
      return p === undefined || (p >= VPC_PREFIX_RANGE.min && p <= VPC_PREFIX_RANGE.max);
    },
    { error: `must have a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}` },
  ),
  /** perAz: one NAT gateway per AZ (an AZ outage keeps egress); single: one, cheaper. */
  natGateways: z.enum(["perAz", "single"]).default("perAz"),
}).prefault({});

