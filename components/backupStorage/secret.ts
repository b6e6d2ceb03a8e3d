/** The kopia repository password of the Velero backups, as a Secrets Manager secret of its own. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { BackupStorageArgs } from "./args";
import type { Principals } from "./build";
import { repositorySecretPolicy } from "./policies";

/**
 * The kopia repository password, as Phoenix's own secret: Velero writes the published
 * default `static-passw0rd` unless the secret `velero-repo-credentials` exists before its
 * first backup (velero #6443, #8137; pkg/repository/keys/keys.go). Generated once and
 * never rotated: a repository keeps the password it was created with, so a new value
 * would lock every existing backup away. Replicated to the DR region, where a DR
 * cluster's deployment reads it. Only the administrators may read it.
 */
export function repositoryPassword(
  parent: pulumi.ComponentResource,
  name: string,
  args: BackupStorageArgs,
  who: Principals,
): aws.secretsmanager.Secret {
  const secretName = `${name}-repository-password`;
  // Letters and digits only: the value travels through a Kubernetes Secret and a shell.
  const password = new random.RandomPassword(secretName, { length: 48, special: false }, { parent });
  const secret = new aws.secretsmanager.Secret(
    secretName,
    {
      description:
        "Kopia repository password of the Velero backups (never rotate: existing backups keep the password they were written with)",
      recoveryWindowInDays: 30,
      policy: who.admins.apply((admins) => JSON.stringify(repositorySecretPolicy(admins, who.restoreReaders))),
      ...(args.replicaRegion ? { replicas: [{ region: args.replicaRegion }] } : {}),
      tags: { ...args.tags, "phoenix:purpose": "velero-repository-password" },
    },
    { parent, retainOnDelete: true },
  );
  new aws.secretsmanager.SecretVersion(
    secretName,
    { secretId: secret.id, secretString: pulumi.secret(password.result) },
    // Never rotated by a deployment: the first value stays, whatever the state says later.
    { parent, retainOnDelete: true, ignoreChanges: ["secretString"] },
  );
  return secret;
}
