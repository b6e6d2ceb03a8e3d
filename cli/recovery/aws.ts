/**
 * What recovery asks of AWS directly, through the AWS SDK: reading the kopia repository
 * password in the region that restores. A repository keeps the password it was created
 * with (velero #6443), so a DR region that cannot read it cannot read volume data.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsAccess } from "./adapters";

/** The real AWS access, with the SDK's default credentials chain. */
export function awsAccess(): AwsAccess {
  return {
    async readSecret(secretArn, region) {
      try {
        // The value is read (proving decrypt rights) and dropped at once.
        await new SecretsManagerClient({ region }).send(new GetSecretValueCommand({ SecretId: secretArn }));
      } catch (err) {
        throw new Error(
          `cannot read the kopia repository password ${secretArn} in ${region}: ${(err as Error).message}`,
        );
      }
    },
  };
}
