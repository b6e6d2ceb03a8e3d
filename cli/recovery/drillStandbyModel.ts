/**
 * The rehearsal of a drill on a pilot-light standby (`drill run --standby S --rehearse`):
 * the standby planned offline as it stands and as the drill scales it, the difference
 * timed from the plan's dependencies, every other phase modeled as the pilot light's
 * recovery is (./model.ts), and putting it back modeled as the scale-down it is.
 */
import { parse } from "yaml";
import * as fs from "node:fs";
import { Planner } from "../plan/planner";
import { stackFromDocument } from "../stacks/stackFile";
import { UsageError } from "../shared/errors";
import { modelPilotLight, modelRpo, promotionChanges, recoverySize } from "./model";
import { drillId, readSource, storageReplicaRegion, type Source } from "./source";
import { modelDrillCost } from "./drillCost";
import { drillingText, primaryStorage } from "./standby";
import { wouldRestoreOf } from "./drillPreflight";
import { finish } from "./restorePhases";
import type { Phase } from "./phases";
import type { RecoveryReport } from "./report";
import type { DrillRequest, Progress, RecoveryEnv } from "./types";
import * as path from "node:path";

/** Putting the standby back: one `pulumi up` that scales the node groups to zero, after the restored objects go. */
const PUT_BACK_SECONDS = 300;

/**
 * Models a drill on the standby: plans it scaled for the drill, times the scaling, the
 * apps, the restore and putting it back, and its cost (refused above `maxUsd`); answers
 * what it planned.
 */
export async function modelStandbyDrill(
  env: RecoveryEnv,
  source: Source,
  id: string,
  p: Progress,
  maxUsd: number | undefined,
  update: (s: string) => void,
): Promise<string> {
  update("planning the standby as the drill scales it");
  const stack = source.loaded.stack;
  const size = recoverySize(source.cfg);
  const text = drillingText(fs.readFileSync(source.loaded.stackFile, "utf8"), source.cfg.project, id);
  const loaded = stackFromDocument(source.loaded.project, stack, source.loaded.stackFile, parse(text));
  const scaled = await new Planner(env.root).planPlatform({ loaded });
  const pilot = modelPilotLight(source.plan.resources, scaled.resources, {
    size,
    applications: source.cfg.gitops.applications.length,
    change: "the drill's scaling: `pulumi up` of the node groups from zero (DNS and backups stay off)",
  });
  p.modeled = {
    phases: [
      ...pilot.phases,
      {
        name: "teardown",
        seconds: PUT_BACK_SECONDS,
        basis:
          "assumption: the restored objects deleted, then one `pulumi up` scaling the node groups to zero (the node group row of the duration table)",
      },
    ],
    timeline: pilot.promotion,
    restore: pilot.restore,
    rates: pilot.rates,
  };
  p.modeledRpo = modelRpo(
    source.cfg.backups.schedules.map((s) => s.cron),
    new Date(env.now()),
    size,
  );
  p.wouldRestore = wouldRestoreOf(scaled, source.cfg, source.imperative);
  // What the drill adds to what stands by anyway: the scaled node groups, and the restore's traffic.
  p.cost = modelDrillCost(
    {
      resources: promotionChanges(source.plan.resources, scaled.resources),
      traffic: {
        region: source.cfg.region,
        bucketRegion: storageReplicaRegion(env.root, primaryStorage(env.root, source).stack, stack),
        ...size,
        natGateways: source.plan.resources.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").length,
      },
      expected: { loadBalancers: 0 },
    },
    p.modeled.phases.reduce((a, ph) => a + ph.seconds, 0),
    maxUsd,
  );
  return `planned offline: ${source.plan.resources.length} resources standing by, ${pilot.promotion.entries.length} changed by the drill's scaling`;
}

export async function rehearseStandby(
  env: RecoveryEnv,
  req: DrillRequest & { standby: string },
): Promise<RecoveryReport> {
  const startedAt = env.now();
  const id = drillId(startedAt);
  const source = await readSource(env.root, req.standby);
  if (!source.cfg.standby)
    throw new UsageError(`${req.standby} is not a pilot-light standby (no phoenix:standby): rehearse it with --from`);
  const p: Progress = { stackCreated: false };
  const preflight: Phase = {
    name: "preflight",
    title: `Preflight (offline): plan ${req.standby} standing by and scaled for the drill`,
    run: async (update) => modelStandbyDrill(env, source, id, p, req.maxCostUsd, update),
  };
  const base = {
    id,
    source: req.standby,
    stack: req.standby,
    region: source.cfg.region,
    startedAt,
    reportDir: path.resolve(req.reportDir ?? path.join(env.root, ".phoenix", "reports", id)),
    targets: { rtoMinutes: source.cfg.recovery.rtoMinutes, rpoMinutes: source.cfg.recovery.rpoMinutes },
  };
  return finish("rehearsal", env, base, [preflight], p);
}
