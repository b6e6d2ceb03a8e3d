/**
 * A Velero backup's tarball (`<backup>.tar.gz` in the backup location), read into the
 * objects it holds. The tarball is format 1.1.0
 * (`resources/<resource>[.<group>]/[<version>-preferredversion/]namespaces/<ns>/<name>.json`).
 */
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract } from "tar-stream";
import { nonEmptyText, record } from "../shared/data";

/** One object in a backup's tarball. */
export interface BackupObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** The resource's plural, with its group for non-core kinds (`deployments.apps`). */
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly object: Record<string, unknown>;
}

const ENTRY = /^resources\/([^/]+)\/(?:([^/]+)-preferredversion\/)?(?:namespaces\/([^/]+)|cluster)\/(.+)\.json$/;

/**
 * The objects of a backup tarball (`<b>.tar.gz`). Velero writes each object under its
 * resource and again under the preferred version's folder; the preferred copy wins.
 */
export async function readBackupTarball(gzipped: Buffer | Readable): Promise<BackupObject[]> {
  const found = new Map<string, { preferred: boolean; obj: BackupObject }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      const m = header.type === "file" ? ENTRY.exec(header.name.replace(/^\.\//, "")) : null;
      if (!m) {
        stream.on("end", next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        try {
          const object = record(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          const [, resource, preferredVersion, namespace, name] = m;
          const key = `${resource}/${namespace ?? ""}/${name}`;
          const known = found.get(key);
          if (!known || (preferredVersion !== undefined && !known.preferred)) {
            found.set(key, {
              preferred: preferredVersion !== undefined,
              obj: {
                apiVersion: nonEmptyText(object.apiVersion) ?? "",
                kind: nonEmptyText(object.kind) ?? "",
                resource,
                ...(namespace ? { namespace } : {}),
                name,
                object,
              },
            });
          }
          next();
        } catch (err) {
          next(err as Error);
        }
      });
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  const source = Buffer.isBuffer(gzipped) ? Readable.from([gzipped]) : gzipped;
  // pipeline, not pipe: an error anywhere (a truncated download, bad gzip) ends the read.
  await Promise.all([pipeline(source, createGunzip(), ex), done]);
  return [...found.values()]
    .map((f) => f.obj)
    .sort((a, b) =>
      `${a.resource}/${a.namespace ?? ""}/${a.name}`.localeCompare(`${b.resource}/${b.namespace ?? ""}/${b.name}`),
    );
}
