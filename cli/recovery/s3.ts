/**
 * The bucket side of recovery through `@aws-sdk/client-s3`: a backup storage location
 * read in Velero's object-store layout. Only reads: a DR region's location is read-only,
 * and verification must never change what it verifies. Reading an SSE-KMS object needs
 * kms:Decrypt on the bucket's key, so a listing that succeeds proves the key opens here.
 */
import { gunzipSync } from "node:zlib";
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  NoSuchKey,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import type { BackupStore, ObjectLockState, StoreLocation } from "./adapters";
import {
  backupKeys,
  backupSummary,
  kopiaPrefix,
  requiredBackupKeys,
  parseBackupResourceList,
  parseDataMovedVolumes,
  parsePodVolumeBackups,
  parseRestoreResourceList,
  parseRestoreResults,
  restoreKeys,
  type BackupSummary,
  type ListedItem,
  type PodVolumeBackupEntry,
  type StoredBlob,
} from "./velero";
import { readBackupTarball, type BackupObject } from "./backupTarball";

/** How many `velero-backup.json` objects are read at once. */
const PARALLEL = 16;

/** Opens a location; `client` overrides the SDK's (an endpoint for tests, credentials). */
export function openBackupStore(loc: StoreLocation, client: Partial<S3ClientConfig> = {}): BackupStore {
  return new S3BackupStore(loc, new S3Client({ region: loc.region, ...client }));
}

class S3BackupStore implements BackupStore {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly loc: StoreLocation,
    private readonly s3: S3Client,
  ) {
    this.location = `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ""} (${loc.region})`;
    this.prefix = loc.prefix ? `${loc.prefix.replace(/\/+$/, "")}/` : "";
  }

  private async body(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: key }));
      return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey") return undefined;
      throw new Error(`${this.location}: cannot read ${key}: ${(err as Error).message}`);
    }
  }

  async listBackups(): Promise<BackupSummary[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.s3 },
        { Bucket: this.loc.bucket, Prefix: `${this.prefix}backups/`, Delimiter: "/" },
      )) {
        for (const p of page.CommonPrefixes ?? [])
          if (p.Prefix) names.push(p.Prefix.slice(`${this.prefix}backups/`.length).replace(/\/$/, ""));
      }
    } catch (err) {
      throw new Error(`${this.location}: cannot list backups: ${(err as Error).message}`);
    }
    const out: BackupSummary[] = [];
    for (let i = 0; i < names.length; i += PARALLEL) {
      const batch = await Promise.all(
        names.slice(i, i + PARALLEL).map(async (name) => this.body(backupKeys(this.loc.prefix ?? "", name).metadata)),
      );
      for (const body of batch) if (body) out.push(backupSummary(JSON.parse(body.toString("utf8"))));
    }
    return out;
  }

  async isComplete(name: string): Promise<boolean> {
    const present = async (key: string): Promise<boolean> => {
      try {
        await this.s3.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: key }));
        return true;
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === "NotFound" || e.$metadata?.httpStatusCode === 404) return false;
        throw new Error(`${this.location}: cannot check ${key}: ${(err as Error).message}`);
      }
    };
    return (await Promise.all(requiredBackupKeys(this.loc.prefix ?? "", name).map(present))).every(Boolean);
  }

  async podVolumeBackups(name: string): Promise<PodVolumeBackupEntry[]> {
    const key = backupKeys(this.loc.prefix ?? "", name).podVolumeBackups;
    const body = await this.body(key);
    if (!body) throw new Error(`${this.location}: backup ${name} has no pod volume backups list (${key})`);
    // Velero writes `null` when there are none (encodeToJSONGzip of a nil list).
    return parsePodVolumeBackups(JSON.parse(gunzipSync(body).toString("utf8")));
  }

  async dataMovedVolumes(name: string): Promise<PodVolumeBackupEntry[]> {
    const key = backupKeys(this.loc.prefix ?? "", name).volumeInfo;
    const body = await this.body(key);
    if (!body) throw new Error(`${this.location}: backup ${name} has no volume info (${key})`);
    return parseDataMovedVolumes(JSON.parse(gunzipSync(body).toString("utf8")));
  }

  async kopiaBlobs(namespace: string): Promise<StoredBlob[]> {
    const out: StoredBlob[] = [];
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.s3 },
        { Bucket: this.loc.bucket, Prefix: kopiaPrefix(this.loc.prefix ?? "", namespace) },
      )) {
        for (const o of page.Contents ?? [])
          if (o.Key)
            out.push({ key: o.Key, size: o.Size ?? 0, lastModified: (o.LastModified ?? new Date(0)).toISOString() });
      }
    } catch (err) {
      throw new Error(`${this.location}: cannot list the kopia repository of ${namespace}: ${(err as Error).message}`);
    }
    return out;
  }

  async resourceList(name: string): Promise<ListedItem[]> {
    const key = backupKeys(this.loc.prefix ?? "", name).resourceList;
    const body = await this.body(key);
    if (!body) throw new Error(`${this.location}: backup ${name} has no resource list (${key})`);
    return parseBackupResourceList(JSON.parse(gunzipSync(body).toString("utf8")));
  }

  async backupObjects(name: string): Promise<BackupObject[]> {
    const key = backupKeys(this.loc.prefix ?? "", name).contents;
    let stream: Readable;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: key }));
      stream = out.Body as Readable;
    } catch (err) {
      throw new Error(`${this.location}: cannot read backup ${name} (${key}): ${(err as Error).message}`);
    }
    return readBackupTarball(stream);
  }

  async objectBytes(name: string): Promise<number> {
    let bytes = 0;
    const prefix = `${this.prefix}backups/${name}/`;
    try {
      for await (const page of paginateListObjectsV2({ client: this.s3 }, { Bucket: this.loc.bucket, Prefix: prefix }))
        for (const o of page.Contents ?? []) bytes += o.Size ?? 0;
    } catch (err) {
      throw new Error(`${this.location}: cannot list ${prefix}: ${(err as Error).message}`);
    }
    return bytes;
  }

  async objectLock(): Promise<ObjectLockState> {
    try {
      const out = await this.s3.send(new GetObjectLockConfigurationCommand({ Bucket: this.loc.bucket }));
      const conf = out.ObjectLockConfiguration;
      const rule = conf?.Rule?.DefaultRetention;
      return {
        enabled: conf?.ObjectLockEnabled === "Enabled",
        ...(rule?.Mode ? { mode: rule.Mode } : {}),
        ...(rule?.Days ? { days: rule.Days } : {}),
        ...(rule?.Years ? { years: rule.Years } : {}),
      };
    } catch (err) {
      // S3 answers a bucket without Object Lock with this error, not an empty configuration.
      if ((err as { name?: string }).name === "ObjectLockConfigurationNotFoundError") return { enabled: false };
      throw new Error(`${this.location}: cannot read the Object Lock configuration: ${(err as Error).message}`);
    }
  }

  async restoreRecord(restore: string): Promise<{
    messages?: ReturnType<typeof parseRestoreResults>;
    items?: ReturnType<typeof parseRestoreResourceList>;
  }> {
    const keys = restoreKeys(this.loc.prefix ?? "", restore);
    const [results, list] = await Promise.all([this.body(keys.results), this.body(keys.resourceList)]);
    return {
      ...(results ? { messages: parseRestoreResults(JSON.parse(gunzipSync(results).toString("utf8"))) } : {}),
      ...(list ? { items: parseRestoreResourceList(JSON.parse(gunzipSync(list).toString("utf8"))) } : {}),
    };
  }
}
