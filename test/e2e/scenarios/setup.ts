/**
 * What the scenarios share: whether they can run here (Go's builds, ../shared's charts),
 * a run folder that is removed afterwards, and the environment that points the AWS SDK
 * of the built command at the harness's MinIO.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { upstreamPrograms } from "../../../components/catalog";
import { REFERENCE_CHARTS } from "../../helpers";
import { removeOnExit } from "../harness/processes";
import { binary, type ProgramName } from "../upstream/paths";
import type { S3Credentials, Store } from "../harness/objectStore";

/** The real parts every scenario but the engine's runs on (the engine is `pulumi`'s). */
export const REAL_PARTS = (Object.keys(upstreamPrograms) as ProgramName[]).filter((n) => n !== "pulumi");

/** Why the scenarios cannot run here, or undefined when they can. */
export function cannotRun(needsCharts: boolean, programs: readonly ProgramName[] = REAL_PARTS): string | undefined {
  for (const name of programs) {
    for (const bin of Object.keys(upstreamPrograms[name].binaries))
      if (!fs.existsSync(binary(name, bin))) return `${binary(name, bin)} is not built (npm run e2e:build)`;
  }
  if (needsCharts && !fs.existsSync(REFERENCE_CHARTS)) return `${REFERENCE_CHARTS} is not beside the repository`;
  return undefined;
}

/** A fresh run folder under the OS's temp folder. */
export function runDir(name: string): string {
  return removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), `phoenix-e2e-${name}-`)));
}

/** The environment under which the AWS SDK (the built command's, or this process's) talks to `store` as `who`. */
export function s3Env(store: Store, who: S3Credentials): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: store.endpoint,
    AWS_ACCESS_KEY_ID: who.accessKeyId,
    AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
    AWS_REGION: store.region,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
