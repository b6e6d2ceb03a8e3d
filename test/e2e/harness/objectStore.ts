/**
 * Two MinIO servers standing in for the backup storage's two regions: each bucket
 * versioned with Object Lock and the default retention the storage plan declares, the
 * primary replicating to the replica by the plan's replication rule (MinIO's bucket
 * replication). What MinIO cannot stand in for, KMS keys and the SSE-KMS parts of the
 * rule, is left out and said so in docs/architecture/e2e.md.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  CreateBucketCommand,
  PutBucketReplicationCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
  type S3ClientConfig,
  type ObjectLockRetentionMode,
} from "@aws-sdk/client-s3";
import type { PlanJson, PlannedResource } from "./plan";
import { binary } from "../upstream/paths";
import { freePort, start, waitFor, type Managed } from "./processes";

/** One S3 server and its bucket. */
export interface Store {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
}

/** Credentials of an S3 identity. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The two servers. */
export interface ObjectStores {
  readonly primary: Store;
  readonly replica: Store;
  /** The root identity of both. */
  readonly root: S3Credentials;
  /** An S3 client for a store, as `who`. */
  client(store: Store, who?: S3Credentials): S3Client;
  /** Creates an identity on a store's server holding `policy` (an IAM-style document). */
  addUser(store: Store, name: string, policy: Record<string, unknown>): S3Credentials;
  stop(): Promise<void>;
}

/** The storage plan's resource of `type` named `name`. */
function planned(plan: PlanJson, type: string, name: string): PlannedResource {
  const r = plan.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`the storage plan has no ${type} named ${name}`);
  return r;
}

/** The AWS SDK's settings for a store, as `who`: what Phoenix's bucket adapter is opened with. */
export function s3Config(store: Store, who: S3Credentials): S3ClientConfig {
  return { endpoint: store.endpoint, region: store.region, forcePathStyle: true, credentials: who };
}

function s3Client(store: Store, who: S3Credentials): S3Client {
  return new S3Client(s3Config(store, who));
}

async function startServer(
  name: string,
  dir: string,
  region: string,
  root: S3Credentials,
): Promise<{ endpoint: string; proc: Managed }> {
  const [port, console_] = [await freePort(), await freePort()];
  const data = path.join(dir, name);
  fs.mkdirSync(data, { recursive: true });
  const proc = start(
    `minio-${name}`,
    binary("minio", "minio"),
    ["server", data, `--address=127.0.0.1:${port}`, `--console-address=127.0.0.1:${console_}`, "--quiet"],
    {
      logDir: dir,
      // The server's region is the bucket's region: requests signed for another are refused, as on AWS.
      env: {
        MINIO_ROOT_USER: root.accessKeyId,
        MINIO_ROOT_PASSWORD: root.secretAccessKey,
        MINIO_SITE_REGION: region,
        MINIO_BROWSER: "off",
        MINIO_UPDATE: "off",
      },
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(`MinIO ${name} to be live`, async () => (await fetch(`${endpoint}/minio/health/live`)).ok, proc);
  return { endpoint, proc };
}

/** Makes a bucket as the storage plan declares it: Object Lock (and so versioning) with its default retention. */
async function makeBucket(s3: S3Client, bucket: string, lock: PlannedResource): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  const retention = (lock.inputs.rule as { defaultRetention: { mode: string; days: number } }).defaultRetention;
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: bucket,
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: retention.mode as ObjectLockRetentionMode, Days: retention.days } },
      },
    }),
  );
}

function admin(args: readonly string[], root: S3Credentials): string {
  const run = spawnSync(binary("minio", "minio-admin"), args, {
    encoding: "utf8",
    env: { ...process.env, MINIO_ACCESS_KEY: root.accessKeyId, MINIO_SECRET_KEY: root.secretAccessKey },
  });
  if (run.status !== 0) throw new Error(`minio-admin ${args[0]} failed: ${run.stderr.trim()}`);
  return run.stdout.trim();
}

/** The plan's replication rule, on MinIO: the same id, filter, status and delete-marker replication, to the replica's target ARN. */
async function replicate(
  s3: S3Client,
  primary: Store,
  replica: Store,
  rule: PlannedResource,
  root: S3Credentials,
): Promise<void> {
  const arn = admin(
    ["remote-target", primary.endpoint, primary.bucket, replica.endpoint, replica.bucket, replica.region],
    root,
  );
  const rules = rule.inputs.rules as { id: string; status: string; deleteMarkerReplication?: { status: string } }[];
  await s3.send(
    new PutBucketReplicationCommand({
      Bucket: primary.bucket,
      ReplicationConfiguration: {
        Role: "",
        Rules: rules.map((r, i) => ({
          ID: r.id,
          Status: r.status as "Enabled",
          Priority: i + 1,
          Filter: { Prefix: "" },
          DeleteMarkerReplication: { Status: (r.deleteMarkerReplication?.status ?? "Disabled") as "Enabled" },
          Destination: { Bucket: arn },
        })),
      },
    }),
  );
}

/** Starts both servers in `dir` and makes their buckets from the storage plan of a stack. */
export async function startObjectStores(dir: string, storagePlan: PlanJson): Promise<ObjectStores> {
  const root = { accessKeyId: "phoenix-e2e-root", secretAccessKey: randomBytes(16).toString("hex") };
  const outputs = storagePlan.outputs as { region: string; replicaRegion: string };
  const stack = storagePlan.stack;
  const procs: Managed[] = [];
  const stop = async (): Promise<void> => {
    for (const p of procs) await p.stop();
  };
  try {
    const p = await startServer("primary", dir, outputs.region, root);
    procs.push(p.proc);
    const r = await startServer("replica", dir, outputs.replicaRegion, root);
    procs.push(r.proc);
    const primary: Store = { endpoint: p.endpoint, bucket: `phoenix-${stack}-backups`, region: outputs.region };
    const replica: Store = {
      endpoint: r.endpoint,
      bucket: `phoenix-${stack}-backups-replica`,
      region: outputs.replicaRegion,
    };
    const lockType = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
    await makeBucket(s3Client(primary, root), primary.bucket, planned(storagePlan, lockType, "backups"));
    await makeBucket(s3Client(replica, root), replica.bucket, planned(storagePlan, lockType, "backups-replica"));
    await replicate(
      s3Client(primary, root),
      primary,
      replica,
      planned(storagePlan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups"),
      root,
    );
    return {
      primary,
      replica,
      root,
      client: (store, who = root) => s3Client(store, who),
      addUser: (store, name, policy) => {
        const who = {
          accessKeyId: `${name}-${randomBytes(4).toString("hex")}`,
          secretAccessKey: randomBytes(16).toString("hex"),
        };
        const file = path.join(dir, `${who.accessKeyId}.policy.json`);
        fs.writeFileSync(file, JSON.stringify(policy, null, 2));
        admin(["user", store.endpoint, who.accessKeyId, who.secretAccessKey, name, file], root);
        return who;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
