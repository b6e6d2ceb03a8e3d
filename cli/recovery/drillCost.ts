/**
 * What a drill costs: modeled before it starts, from the plan it will deploy and the
 * modeled phases (cli/cost/model.ts, the pinned price table), and refused above
 * `--max-cost`; after a real drill, the same resources for the time they really lived
 * (measured from the start of the cluster phase to the end of teardown: the engine's
 * per-resource times are not recorded, so every resource counts for that whole span).
 */
import { costed, drillCost, type CostResource, type Costed, type Expected, type RestoreTraffic } from "../cost/model";
import { UsageError } from "../shared/errors";
import type { PhaseResult } from "./phases";

/** What a drill's cost is computed from. */
export interface DrillCostInput {
  readonly resources: readonly CostResource[];
  readonly traffic: RestoreTraffic;
  readonly expected: Expected;
}

/** The modeled cost, and what the measured one is computed from. */
export interface DrillCosts {
  readonly modeled: Costed;
  readonly input: DrillCostInput;
}

/** Models the cost of a drill of `seconds`; refuses one above `maxUsd` (or one whose cost is unknown). */
export function modelDrillCost(input: DrillCostInput, seconds: number, maxUsd: number | undefined): DrillCosts {
  const modeled = costed(() => drillCost(input.resources, seconds, input.traffic, input.expected));
  if (maxUsd !== undefined) {
    if (!("cost" in modeled))
      throw new UsageError(`--max-cost ${maxUsd}: the drill's cost cannot be modeled (${modeled.unknown})`);
    if (modeled.cost.usd > maxUsd)
      throw new UsageError(
        `--max-cost ${maxUsd}: the drill's modeled cost is $${modeled.cost.usd.toFixed(2)} (${modeled.cost.lines.length} lines, \`--rehearse\` shows them): raise --max-cost, or make the drill cheaper`,
      );
  }
  return { modeled, input };
}

/** A real drill's cost: the same resources for the measured span from the cluster phase to the end of teardown. */
export function measuredDrillCost(costs: DrillCosts, phases: readonly PhaseResult[]): Costed | undefined {
  const cluster = phases.find((p) => p.name === "cluster" && p.status !== "modeled");
  if (!cluster) return undefined;
  const end = Math.max(...phases.filter((p) => p.status !== "modeled").map((p) => p.start + p.seconds));
  return costed(() => drillCost(costs.input.resources, end - cluster.start, costs.input.traffic, costs.input.expected));
}
