/**
 * The plan's cost section: what the stack costs per month as planned, and, for a primary
 * with a DR replica, what standing by for it costs in the replica's region under each
 * strategy: a pilot-light standby (control plane, NAT, system nodes, load balancers,
 * keys) beside backup-restore (nothing runs; the replica's storage and one drill a
 * month). From the pinned price table (cli/cost/prices.ts); never fails a plan: a
 * missing price makes the figure `unknown`, with the key to add.
 */
import { costed, monthlyCost, standbyMonthlyCost, type StandbyInput } from "../cost/model";
import type { VolumeBackupMethod } from "../../components/plugins/velero/settings";
import { modelRecovery, recoverySize } from "../recovery/model";
import { standbySystemNodes } from "../stacks/names";
import type { PlanResource } from "./plan";
import type { PlanCost } from "./costView";

/** What the cost section needs of the stack's configuration. */
export interface CostConfig {
  readonly region: string;
  /** The DR replica's region, where a standby or a drill runs; undefined without one. */
  readonly drRegion?: string;
  /** The stack is itself a pilot-light standby (phoenix:standby). */
  readonly standby: boolean;
  readonly argocdHa: boolean;
  readonly applications: number;
  readonly recovery: {
    readonly expectedDataGiB: number;
    readonly expectedItems: number;
    /** Load balancers the apps make, outside the plan; 0 when the stack does not say. */
    readonly expectedLoadBalancers?: number;
  };
  /** How volumes are backed up, which sets how fast the modeled restore is. */
  readonly plugins: { readonly velero: { readonly volumeBackup: VolumeBackupMethod } };
}

/** The cost section of a platform plan. */
export function planCost(resources: readonly PlanResource[], cfg: CostConfig): PlanCost {
  const expected = { loadBalancers: cfg.recovery.expectedLoadBalancers ?? 0 };
  const monthly = costed(() =>
    monthlyCost({ region: cfg.region, resources }, expected, cfg.standby ? "idle" : "serving"),
  );
  if (cfg.standby) return { monthly, standingBy: true };
  if (cfg.drRegion === undefined) return { monthly };
  const size = recoverySize(cfg);
  // The drill deploys this plan in the replica's region: its modeled phases, summed.
  const seconds = modelRecovery(resources, { size, applications: cfg.applications }).phases.reduce(
    (a, p) => a + p.seconds,
    0,
  );
  const input: StandbyInput = {
    resources,
    region: cfg.drRegion,
    systemNodes: standbySystemNodes(cfg.argocdHa),
    dataGiB: size.dataGiB,
    drill: { seconds, items: size.items },
    expected,
  };
  return {
    monthly,
    standby: {
      region: cfg.drRegion,
      systemNodes: input.systemNodes,
      drillSeconds: seconds,
      pilotLight: costed(() => standbyMonthlyCost(input).pilotLight),
      backupRestore: costed(() => standbyMonthlyCost(input).backupRestore),
    },
  };
}
