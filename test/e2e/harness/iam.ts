/**
 * Phoenix's IAM policies on MinIO: MinIO evaluates IAM-style policy documents for its
 * users (explicit Deny over Allow, `s3:` actions, bucket and object ARNs), so a policy
 * Phoenix plans for a role can be attached to a MinIO user and tried for real. What
 * MinIO has no counterpart for is dropped and returned, so a test can say what it did
 * not try: KMS statements (MinIO here has no KMS) and the S3 actions MinIO does not know.
 */

/** S3 actions of Phoenix's policies that MinIO's policy engine does not accept (no such API on MinIO). */
const NOT_ON_MINIO = new Set(["s3:PutBucketLogging", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls"]);

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/** The MinIO policy of `policy` (a JSON document), its computed bucket names replaced by `buckets`, and what was dropped. */
export function minioPolicy(
  policy: string,
  buckets: Readonly<Record<string, string>>,
): { policy: Record<string, unknown>; dropped: string[] } {
  let text = policy;
  for (const [planned, actual] of Object.entries(buckets)) text = text.split(planned).join(actual);
  const doc = JSON.parse(text) as { Version: string; Statement: Statement[] };
  const dropped: string[] = [];
  const statements = doc.Statement.flatMap((s) => {
    const actions = ([] as string[]).concat(s.Action);
    const kept = actions.filter((a) => a.startsWith("s3:") && !NOT_ON_MINIO.has(a));
    dropped.push(...actions.filter((a) => !kept.includes(a)).map((a) => `${s.Sid ?? s.Effect}: ${a}`));
    if (kept.length === 0) return [];
    const resources = ([] as string[]).concat(s.Resource);
    if (resources.some((r) => r.includes("<computed")))
      throw new Error(`a resource of ${s.Sid ?? "a statement"} is still computed: ${resources.join(", ")}`);
    return [
      {
        ...(s.Sid ? { Sid: s.Sid } : {}),
        Effect: s.Effect,
        Action: kept,
        Resource: resources,
        ...(s.Condition ? { Condition: s.Condition } : {}),
      },
    ];
  });
  return { policy: { Version: doc.Version, Statement: statements }, dropped };
}
