/**
 * The modeled cost of what a plan declares, from the pinned price table (./prices.ts):
 * per month for a stack that stays (a primary, a pilot-light standby), and per run for
 * a drill. A model, like the timeline: every line names its quantity, unit price, basis
 * and source, and what the plan cannot know (traffic, what the apps expose) is either a
 * declared expectation or said to be left out. docs/operations/cost.md.
 */
import { costOver, HOURS_PER_MONTH, NONE, type Cost, type CostResource, type Expected, type Traffic } from "./core";

export {
  cents,
  costed,
  costOver,
  HOURS_PER_MONTH,
  LOAD_BALANCER_LIFETIME,
  unitPrice,
  usd,
  type Cost,
  type Costed,
  type CostLine,
  type CostResource,
  type Expected,
  type Traffic,
} from "./core";
export { restoreTrafficLines, type RestoreTraffic } from "./restore";
export { actualDrillCost, drillCost } from "./drill";
export {
  standbyMonthlyCost,
  standbyResources,
  type StandbyCosts,
  type StandbyInput,
  type SystemNodes,
} from "./standby";

/** A month (730 h) of a platform stack as planned: serving traffic, or idle (a standby standing by). */
export function monthlyCost(
  plan: { readonly region: string; readonly resources: readonly CostResource[] },
  expected: Expected = NONE,
  traffic: Traffic = "serving",
): Cost {
  const c = costOver(plan.region, plan.resources, HOURS_PER_MONTH, expected, traffic);
  return {
    ...c,
    notes: [
      ...c.notes,
      "not modeled: NAT data processing and transfer out (per GB of traffic), CloudWatch logs, KMS requests, key rotation's extra $1/month per rotation, EBS volumes the apps claim",
    ],
  };
}
