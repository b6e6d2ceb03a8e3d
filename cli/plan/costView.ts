/**
 * The plan's cost section as the plan document holds it and a terminal shows it; built
 * by ./cost.ts. Apart from it, so that the plan document does not import the models it
 * is built from (cli/recovery/model.ts imports the plan).
 */
import { usd, type Costed, type SystemNodes } from "../cost/model";
import { READ_ON } from "../cost/prices";
import { table } from "../shared/table";

/** The cost section of a plan: figures unrounded, shown to the cent. */
export interface PlanCost {
  /** This stack as planned, per month. */
  readonly monthly: Costed;
  /** The stack is a pilot-light standby: priced as it stands by (no traffic). */
  readonly standingBy?: true;
  /** For a primary with a DR replica: standing by for it there, per month, under each strategy. */
  readonly standby?: {
    readonly region: string;
    readonly systemNodes: SystemNodes;
    /** The modeled drill backup-restore runs once a month. */
    readonly drillSeconds: number;
    readonly pilotLight: Costed;
    readonly backupRestore: Costed;
  };
}

const money = (c: Costed): string => ("cost" in c ? usd(c.cost.usd) : "unknown");

/** A quantity as a line shows it: whole when it is, else to two decimals. */
const amount = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** The section for a terminal. */
export function renderCost(cost: PlanCost, stack: string, region: string): string[] {
  const lines = [
    "",
    `Cost (modeled, USD per month; prices pinned in cli/cost/prices.ts, read ${READ_ON}; docs/operations/cost.md)`,
    `  ${stack} in ${region}${cost.standingBy ? ", a pilot-light standby standing by" : ""}: ${money(cost.monthly)}`,
  ];
  if (!("cost" in cost.monthly)) lines.push(`    unknown: ${cost.monthly.unknown}`);
  else {
    const c = cost.monthly.cost;
    lines.push(
      ...table(
        ["ITEM", "QUANTITY", "UNIT USD", "USD", "BASIS"],
        c.lines.map((l) => [l.what, `${amount(l.quantity)} ${l.unit}`, String(l.unitUsd), usd(l.usd), l.basis]),
        "    ",
      ),
      ...c.notes.map((n) => `    ${n}`),
    );
  }
  const s = cost.standby;
  if (s) {
    const why = (c: Costed): string => ("unknown" in c ? `: ${c.unknown}` : "");
    lines.push(
      `  Standing by for ${stack} in ${s.region} (its DR replica's region), per month:`,
      ...table(
        ["STRATEGY", "USD", "WHAT RUNS"],
        [
          [
            "pilot light",
            money(s.pilotLight),
            `control plane, NAT, ${s.systemNodes.count} x ${s.systemNodes.instanceType} system nodes, keys; node groups at zero${why(s.pilotLight)}`,
          ],
          [
            "backup-restore",
            money(s.backupRestore),
            `nothing; one ${Math.round(s.drillSeconds / 60)}-min drill a month${why(s.backupRestore)}`,
          ],
        ],
        "    ",
      ),
      "    both pay the DR replica's storage; `phoenix replicate --strategy pilot-light` makes the standby",
    );
  }
  return lines;
}
