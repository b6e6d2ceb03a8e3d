/**
 * One S3 endpoint in front of the two MinIO servers, routing each request to the server
 * of the region it is signed for: what AWS's regional S3 endpoints are to a client that
 * reads buckets in two regions, so the built command can be pointed at both with the one
 * `AWS_ENDPOINT_URL_S3` the SDK reads. The request passes unchanged (its Host header
 * included), so MinIO checks the client's own SigV4 signature and region.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Store } from "./objectStore";

/** The region a SigV4 Authorization header's credential scope names (`Credential=AKID/20261203/eu-west-1/s3/aws4_request`). */
export function signedRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(authorization ?? "")?.[1];
}

export interface RegionRouter {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the router over `stores` (one per region). */
export async function regionRouter(stores: readonly Store[]): Promise<RegionRouter> {
  const byRegion = new Map(stores.map((s) => [s.region, new URL(s.endpoint)]));
  const server = http.createServer((req, res) => {
    const region = signedRegion(req.headers.authorization);
    const target = region === undefined ? undefined : byRegion.get(region);
    if (!target) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`no S3 server for region ${region ?? "(unsigned request)"}`);
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(err.message);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
