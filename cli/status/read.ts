/**
 * Reads a stack's backups from its two buckets, read-only: where they are (the storage
 * stack's outputs, or the buckets given), each schedule's newest Completed backup on
 * either side, what replication still carries, the Object Lock, and RPO now: the age of
 * the backup a restore would use, found as `recover` finds it.
 */
import { EXIT } from "../shared/errors";
import type { BackupStore, StoreLocation } from "../recovery/adapters";
import { findBackup } from "../recovery/backupSearch";
import { completeness, listingsOnce, volumeCopies } from "../recovery/complete";
import type { RecoveryEnv } from "../recovery/types";
import type { BackupSummary } from "../recovery/velero";
import { projects } from "../stacks/projects";
import { completedOf, fact, inFlight, type BucketStatus, type InFlight, type ScheduleStatus } from "./model";
import type { StatusTarget } from "./targets";

/** Buckets given on the command line instead of the storage stack's outputs. */
export interface BucketOverrides {
  readonly primaryBucket?: string;
  readonly replicaBucket?: string;
}

/** What the buckets say about one stack. */
export interface BucketsRead {
  readonly buckets: { primary?: BucketStatus; replica?: BucketStatus };
  readonly schedules: ScheduleStatus[];
  readonly inFlight: InFlight[];
  readonly lagSeconds?: number;
  readonly lagNote?: string;
  readonly rpoNow: { seconds?: number; backup?: string; note: string };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";

/** Where the backups are: the buckets given, or the storage stack's outputs (the engine's state, read-only). */
export async function locationsOf(
  env: RecoveryEnv,
  t: StatusTarget,
  given: BucketOverrides,
): Promise<{ primary?: StoreLocation; replica?: StoreLocation; error?: string }> {
  if (given.primaryBucket !== undefined || given.replicaBucket !== undefined)
    return {
      ...(given.primaryBucket ? { primary: { bucket: given.primaryBucket, region: t.storageRegion } } : {}),
      ...(given.replicaBucket && t.replicaRegion
        ? { replica: { bucket: given.replicaBucket, region: t.replicaRegion } }
        : {}),
    };
  try {
    const out = await env
      .engine()
      .outputs({ project: "storage", workDir: projects(env.root).storage.dir, stack: t.storageStack });
    const loc = (bucket: unknown, region: unknown): StoreLocation | undefined =>
      typeof bucket === "string" && typeof region === "string" ? { bucket, region } : undefined;
    const primary = loc(out.bucket, out.region);
    const replica = loc(out.replicaBucket, out.replicaRegion);
    return { ...(primary ? { primary } : {}), ...(replica ? { replica } : {}) };
  } catch (err) {
    return {
      error: `the buckets are not known: storage stack ${t.storageStack}'s outputs cannot be read (give --primary-bucket and --replica-bucket to name them): ${message(err)}`,
    };
  }
}

/** A bucket's lock and listing; a failure is recorded, never thrown: status reports it. */
async function side(store: BackupStore): Promise<{ status: BucketStatus; backups?: BackupSummary[] }> {
  // The store's messages start with its location, which status shows beside them already.
  const why = (err: unknown): string => message(err).replace(`${store.location}: `, "");
  const lock = await store.objectLock().catch((err: unknown) => ({ error: why(err) }));
  try {
    return { status: { location: store.location, lock }, backups: await store.listBackups() };
  } catch (err) {
    return { status: { location: store.location, lock, error: why(err) } };
  }
}

/** Velero's objects of a backup plus the volume data kopia read or the data mover moved for it, when all can be read. */
async function bytesOf(store: BackupStore, b: BackupSummary): Promise<number | undefined> {
  try {
    const [objects, volumes] = await Promise.all([store.objectBytes(b.name), volumeCopies(store, b.name)]);
    return objects + volumes.reduce((n, v) => n + (v.bytes ?? 0), 0);
  } catch {
    return undefined;
  }
}

/** One schedule on both sides: the newest Completed on the primary, the newest whole one on the replica. */
async function schedule(
  env: RecoveryEnv,
  s: StatusTarget["schedules"][number],
  primary: { store: BackupStore; backups?: BackupSummary[] } | undefined,
  replica: { store: BackupStore; backups?: BackupSummary[] } | undefined,
  blobs: ReturnType<typeof listingsOnce>,
): Promise<{ status: ScheduleStatus; inFlight: InFlight[] }> {
  const now = env.now();
  const onPrimary = completedOf(primary?.backups ?? [], s.veleroSchedule);
  const newest = onPrimary[0];
  const missing = new Map<string, string>();
  let whole: BackupSummary | undefined;
  for (const b of completedOf(replica?.backups ?? [], s.veleroSchedule)) {
    if (!replica) break;
    // A check that cannot be made (a listing refused) leaves that backup out, named, and goes on to the next.
    const c = await completeness(replica.store, primary?.backups ? primary.store : undefined, b, blobs).catch(
      (err: unknown) => ({ missing: [`cannot be checked: ${message(err)}`], notes: [] }),
    );
    if (c.missing.length === 0) {
      whole = b;
      break;
    }
    const what = c.missing.join("; ");
    missing.set(b.name, what.startsWith("cannot") ? what : `missing ${what}`);
  }
  const status: ScheduleStatus = {
    schedule: s.schedule,
    veleroSchedule: s.veleroSchedule,
    ...(newest && primary ? { primary: fact(newest, now, await bytesOf(primary.store, newest)) } : {}),
    ...(whole && replica ? { replica: fact(whole, now, await bytesOf(replica.store, whole)) } : {}),
  };
  const flying = replica?.backups ? inFlight(onPrimary, new Set(whole ? [whole.name] : []), whole, missing, now) : [];
  return { status, inFlight: flying };
}

/** Reads both buckets of a stack's backups. */
export async function readBuckets(
  env: RecoveryEnv,
  t: StatusTarget,
  at: { primary?: StoreLocation; replica?: StoreLocation },
): Promise<BucketsRead> {
  const read = async (loc: StoreLocation) => {
    const store = env.store(loc);
    return { ...(await side(store)), store };
  };
  const [primary, replica] = await Promise.all([
    at.primary ? read(at.primary) : undefined,
    at.replica ? read(at.replica) : undefined,
  ]);
  const blobs = listingsOnce();
  const schedules: ScheduleStatus[] = [];
  const flying: InFlight[] = [];
  for (const s of t.schedules) {
    const one = await schedule(env, s, primary, replica, blobs);
    schedules.push(one.status);
    flying.push(...one.inFlight);
  }
  const buckets = {
    ...(primary ? { primary: primary.status } : {}),
    ...(replica ? { replica: replica.status } : {}),
  };
  if (!at.replica || !replica?.backups)
    return { buckets, schedules, inFlight: flying, rpoNow: { note: "the DR replica cannot be read" } };
  try {
    const found = await findBackup(env, at.replica, primary?.backups ? at.primary : undefined, t.imperative, undefined);
    return {
      buckets,
      schedules,
      inFlight: flying,
      ...(found.lagSeconds !== undefined ? { lagSeconds: Math.round(found.lagSeconds) } : {}),
      lagNote: found.lagNote,
      rpoNow: {
        seconds: Math.round(found.ageSeconds),
        backup: found.backup.name,
        note: `${found.backup.name}, whole on the replica`,
      },
    };
  } catch (err) {
    return { buckets, schedules, inFlight: flying, rpoNow: { note: message(err) } };
  }
}

/** Exit status of a whole answer. */
export const statusExit = (problems: number): number => (problems > 0 ? EXIT.failed : EXIT.ok);
