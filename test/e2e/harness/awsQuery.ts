/**
 * AWS cannot run here: this answers the teardown's AWS calls (ELBv2, classic ELB, EC2)
 * as an account with nothing left in the cluster's VPC does, so the real
 * `openTeardownAws` (AWS SDK v3, query protocols) runs unchanged in the hook, pointed here
 * through `AWS_ENDPOINT_URL`. The bodies are the services' documented response shapes
 * with empty lists (API references: elasticloadbalancing 2015-12-01 and 2012-06-01
 * DescribeLoadBalancers, ec2 2016-11-15 DescribeNetworkInterfaces and
 * DescribeSecurityGroups). Any other call is refused, so an unexpected one fails loudly.
 * Every call is recorded: action, service version, region of its signature, filters.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One call the endpoint answered or refused. */
export interface AwsCall {
  readonly action: string;
  readonly version: string;
  /** The region of the request's SigV4 credential scope. */
  readonly region: string | undefined;
  /** The query parameters beyond Action and Version (filters, names). */
  readonly params: Readonly<Record<string, string>>;
  readonly answered: boolean;
}

export interface EmptyAccount {
  readonly endpoint: string;
  readonly calls: readonly AwsCall[];
  stop(): Promise<void>;
}

const ELB_V2 = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const ELB = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/";
const EC2 = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** The empty answer of each action this endpoint knows, by `Action@Version`. */
const ANSWERS: Readonly<Record<string, string>> = {
  "DescribeLoadBalancers@2015-12-01": query("DescribeLoadBalancers", ELB_V2, "<LoadBalancers/>"),
  "DescribeLoadBalancers@2012-06-01": query("DescribeLoadBalancers", ELB, "<LoadBalancerDescriptions/>"),
  "DescribeNetworkInterfaces@2016-11-15": ec2("DescribeNetworkInterfaces", "<networkInterfaceSet/>"),
  "DescribeSecurityGroups@2016-11-15": ec2("DescribeSecurityGroups", "<securityGroupInfo/>"),
};

function query(action: string, ns: string, result: string): string {
  return `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>e2e-empty-account</RequestId></ResponseMetadata></${action}Response>`;
}

function ec2(action: string, result: string): string {
  return `<${action}Response xmlns="${EC2}"><requestId>e2e-empty-account</requestId>${result}</${action}Response>`;
}

/** The region a SigV4 Authorization header's credential scope names. */
const signedRegion = (authorization: string | undefined): string | undefined =>
  /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? "")?.[1];

/** Starts the endpoint on a free loopback port. */
export async function emptyAccount(): Promise<EmptyAccount> {
  const calls: AwsCall[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      const { Action: action = "", Version: version = "", ...params } = form;
      const answer = ANSWERS[`${action}@${version}`];
      calls.push({ action, version, region: signedRegion(req.headers.authorization), params, answered: !!answer });
      res.writeHead(answer ? 200 : 400, { "content-type": "text/xml" });
      res.end(
        answer ??
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the e2e account answers no ${action}@${version}</Message></Error><RequestId>e2e</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
