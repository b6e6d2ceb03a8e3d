/**
 * What a restore makes AWS bill beside the cluster it runs on: the GETs it reads from
 * the backup bucket, the NAT gateway that carries them (the VPC has no S3 gateway
 * endpoint: components/cluster), and the transfer between regions when the bucket is
 * not in the restore's region. Normally a drill or a recovery runs in the DR replica's
 * own region, so that transfer is $0; it is modeled from the two regions given.
 */
import { line, type CostLine } from "./core";

/** What a restore reads from the backup bucket, and where the data travels. */
export interface RestoreTraffic {
  /** The drill's or recovery's region. */
  readonly region: string;
  /** The bucket's region (the DR replica's). */
  readonly bucketRegion: string;
  /** Volume data restored (phoenix:recovery.expectedDataGiB, or a real backup's size). */
  readonly dataGiB: number;
  /** Kubernetes objects restored (phoenix:recovery.expectedItems). */
  readonly items: number;
  /**
   * NAT gateways the data comes through when the priced resources do not hold them (a
   * standby's, paid whether it drills or not); otherwise the resources' own are counted.
   */
  readonly natGateways?: number;
}

/**
 * Kopia closes a pack blob at 20 MiB (`MaxPackSize` defaults to `20 << 20` in kopia's
 * repo/format/format_provider.go), so a file-system restore reads about one GET per 20 MiB.
 */
export const KOPIA_PACK_MIB = 20;

/** Velero's own objects of one backup (metadata, resource list, logs, volume info...): a few GETs. */
const VELERO_METADATA_OBJECTS = 10;

/**
 * The restore's GETs: one per restored object, one per kopia pack, and Velero's
 * metadata. An upper bound: Velero packs the objects into one tarball, so "one per
 * object" over-counts; it stays cheap either way ($0.0004 per 1,000 in us-east-1).
 * AWS bills S3 and transfer in binary GB (the S3 FAQ's worked example divides bytes by
 * 1024^3), so GiB are AWS's GB here.
 */
export function restoreGets(t: Pick<RestoreTraffic, "dataGiB" | "items">): number {
  return t.items + Math.ceil((t.dataGiB * 1024) / KOPIA_PACK_MIB) + VELERO_METADATA_OBJECTS;
}

/** The restore's S3 requests, the NAT processing of its data, and the transfer between regions when the bucket is elsewhere. */
export function restoreTrafficLines(t: RestoreTraffic, natGateways: number): CostLine[] {
  const lines = [line(t.bucketRegion, "s3GetPer1000", restoreGets(t), "requests", 1 / 1000)];
  if (natGateways > 0) lines.push(line(t.region, "natGatewayGB", t.dataGiB, "GiB"));
  // The sending region pays the transfer: the bucket's.
  if (t.bucketRegion !== t.region)
    lines.push(
      line(t.bucketRegion, "interRegionGB", t.dataGiB, "GiB", 1, `data transfer ${t.bucketRegion} -> ${t.region}`),
    );
  return lines;
}
