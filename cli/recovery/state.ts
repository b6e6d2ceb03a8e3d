/**
 * Drill records: written before a drill creates anything, updated at every phase, so a
 * drill that was killed (a lost runner, a second Ctrl-C) can be found with
 * `phoenix drill list` and finished with `phoenix drill cleanup ID`. One JSON file
 * per drill in the state folder (default `.phoenix/drills` in the repository, ignored by
 * Git; CI keeps it as an artifact).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PhaseName } from "./phases";

/** Where a drill stands. */
export type DrillStatus = "running" | "passed" | "failed" | "interrupted" | "cleaned";

/** What a drill records about itself. */
export interface DrillRecord {
  readonly id: string;
  readonly source: string;
  /** The ephemeral platform stack. */
  readonly stack: string;
  readonly region: string;
  readonly startedAt: string;
  /** The machine and process that run it (a drill whose process is gone is not running any more). */
  readonly host: string;
  readonly pid: number;
  /** The last phase reached. */
  readonly phase: PhaseName;
  readonly status: DrillStatus;
  /** Whether the engine stack exists (created in the cluster phase, gone after teardown). */
  readonly stackCreated: boolean;
  /** Files the drill wrote (its stack file), removed by teardown. */
  readonly files: readonly string[];
  /** The ephemeral stack file's text: `--cleanup` on another machine writes it back, since destroy runs the program with its config. */
  readonly stackText?: string;
  /** Kept on purpose (`--keep`): not a leftover. */
  readonly keep: boolean;
  /**
   * A drill on a pilot-light standby (`drill run --standby`): the stack existed before and
   * stays; teardown removes what the restore made and puts the stack file back as it was.
   */
  readonly standby?: {
    readonly originalText: string;
    /** The drill's restore, the backup it restores and where that is: what teardown deletes by label. */
    readonly restore?: string;
    readonly backup?: string;
    readonly location?: { readonly bucket: string; readonly region: string; readonly prefix?: string };
    readonly namespaces: readonly string[];
    /** Set once teardown has put the standby back: nothing left behind. */
    readonly putBack?: boolean;
  };
  /** The cluster's name and VPC once known, for teardown of what Kubernetes made. */
  readonly clusterName?: string;
  readonly vpcId?: string;
}

/** The records in one folder. */
export class DrillState {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`not a drill id: ${id}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** Writes a record whole (create or replace), atomically. */
  write(rec: DrillRecord): DrillRecord {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file(rec.id)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec, null, 2) + "\n");
    fs.renameSync(tmp, this.file(rec.id));
    return rec;
  }

  /** Changes some fields of a record. */
  update(id: string, patch: Partial<Omit<DrillRecord, "id">>): DrillRecord {
    const rec = this.get(id);
    if (!rec) throw new Error(`no drill ${id} in ${this.dir}`);
    return this.write({ ...rec, ...patch });
  }

  get(id: string): DrillRecord | undefined {
    const f = this.file(id);
    return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as DrillRecord) : undefined;
  }

  /** Every record, oldest first. */
  list(): DrillRecord[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.dir, f), "utf8")) as DrillRecord)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}

/** A drill recorded as running on another machine longer than this is taken as lost (a drill's own waits end well before). */
const LOST_AFTER_HOURS = 12;

/**
 * Whether the drill's process still runs: on this machine, signal 0 tests its pid; a
 * record from another machine (a CI runner's artifact) counts as running until it is
 * older than any drill can take.
 */
export function stillRunning(r: Pick<DrillRecord, "host" | "pid" | "startedAt" | "status">, now = Date.now()): boolean {
  if (r.status !== "running") return false;
  if (r.host !== os.hostname()) return now - Date.parse(r.startedAt) < LOST_AFTER_HOURS * 3600 * 1000;
  try {
    process.kill(r.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Records that left something behind: not cleaned, not kept, and not still running. */
export function leftovers(
  records: readonly DrillRecord[],
  running: (r: DrillRecord) => boolean = (r) => stillRunning(r),
): DrillRecord[] {
  return records.filter(
    (r) =>
      r.status !== "cleaned" &&
      !r.keep &&
      (r.stackCreated || r.files.length > 0 || (r.standby !== undefined && r.standby.putBack !== true)) &&
      !running(r),
  );
}
