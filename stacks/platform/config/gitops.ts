/** `phoenix:gitops`: the repository Argo CD syncs and the Applications Phoenix declares (the GitOps namespaces). */
import { z } from "zod";
import { ROOT_APP } from "../../../components/apps/applications";
import { POD_SECURITY_LEVELS } from "../../../components/labels";
import { strictObject } from "../../config";
import { dnsLabel, gitUrl, repoPath, uniqueBy } from "./common";

// Descriptions (`.meta`) are what docs/reference/configuration.md says of each key (npm run docs).
const applicationSchema = strictObject({
  name: dnsLabel.meta({
    description: `Argo CD Application name: unique, and not \`${ROOT_APP}\` (the root Application's).`,
  }),
  path: repoPath.meta({ description: "Path of the app's manifests in the repository." }),
  namespace: dnsLabel.meta({
    description: "Destination namespace: a GitOps namespace (recreated from Git, never backed up).",
  }),
  repoURL: gitUrl.optional().meta({ description: "The app's repository, when it is not the root's." }),
  targetRevision: z.string().min(1).optional().meta({ description: "The app's revision, when it is not the root's." }),
  podSecurity: z.enum(POD_SECURITY_LEVELS).default("restricted").meta({
    description:
      "Pod Security level of the namespace Argo CD creates for it; applications sharing a namespace give the same level.",
  }),
  /** How Argo CD syncs it. */
  syncPolicy: strictObject({
    automated: z
      .boolean()
      .default(true)
      .meta({ description: "Argo CD syncs every change in Git; `false` means someone presses Sync." }),
    prune: z.boolean().default(true).meta({ description: "Delete what was removed from Git. Needs `automated`." }),
    selfHeal: z
      .boolean()
      .default(true)
      .meta({ description: "Undo changes made in the cluster by hand. Needs `automated`." }),
  })
    .refine((p) => p.automated || (!p.prune && !p.selfHeal), {
      error: "prune and selfHeal only act with automated: true; set them false too, or automate",
    })
    .prefault({}),
});

/**
 * Applications sharing a namespace share its Pod Security level: the namespace has one set
 * of labels, and the admission guard holds it to exactly that set.
 */
function oneLevelPerNamespace(apps: readonly { namespace: string; podSecurity: string }[], ctx: z.RefinementCtx): void {
  const levels = new Map<string, string>();
  apps.forEach((app, i) => {
    const first = levels.get(app.namespace);
    if (first !== undefined && first !== app.podSecurity) {
      ctx.addIssue({
        code: "custom",
        path: [i, "podSecurity"],
        message: `namespace "${app.namespace}" is already ${first} for another application: give both the same podSecurity`,
      });
    }
    if (first === undefined) levels.set(app.namespace, app.podSecurity);
  });
}

/** Credentials Argo CD uses to clone a private repository; the secret parts must be Pulumi secrets. */
const repoCredentialsSchema = z.discriminatedUnion(
  "type",
  [
    strictObject({
      type: z.literal("https").meta({
        description:
          "`https` (`username` and `token`) for an https:// `repoURL`, `ssh` (`sshPrivateKey`) for an ssh:// or git@ one.",
      }),
      username: z
        .string()
        .min(1)
        .meta({ description: "User name the Git host expects with a token, such as `x-access-token` on GitHub." }),
      token: z.string().min(1).meta({ description: "Access token. A secret (`pulumi config set --secret --path`)." }),
    }),
    strictObject({
      type: z.literal("ssh"),
      sshPrivateKey: z
        .string()
        .min(1)
        .meta({ description: "Private key (PEM or OpenSSH). A secret (`pulumi config set --secret --path`)." }),
    }),
  ],
  { error: 'type must be "https" (username and token) or "ssh" (sshPrivateKey)' },
);

export const gitopsSchema = strictObject({
  repoURL: gitUrl.meta({
    description: "Git repository of the root Application, the app of apps (https, ssh or `git@host:org/repo`).",
  }),
  targetRevision: z
    .string()
    .min(1)
    .default("main")
    .meta({ description: "Branch, tag or commit of the root. Pin a tag or commit for production." }),
  path: repoPath.optional().meta({
    description: "Root path in the repository, per region, so regions can differ.",
    default: "`clusters/<aws:region>`",
  }),
  applications: z
    .array(applicationSchema)
    .superRefine(uniqueBy("name", [ROOT_APP]))
    .superRefine(oneLevelPerNamespace)
    .default([])
    .meta({ description: "Applications Phoenix declares. Each destination is a GitOps namespace." }),
  allowedKinds: z
    .array(
      strictObject({
        group: z
          .string()
          .regex(
            /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/,
            'must be an API group such as monitoring.coreos.com, or "" for the core group',
          )
          .refine((g) => g !== "argoproj.io", {
            error: "Argo CD's own kinds would let an app escape its project: they stay denied",
          })
          .meta({
            description:
              'API group of the kind, `""` for the core group. `argoproj.io` is refused: Argo CD\'s own kinds would let an app escape its project.',
          }),
        kind: z
          .string()
          .regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kind such as ServiceMonitor")
          .meta({ description: "Kind, as in manifests, such as `ServiceMonitor`." }),
      }),
    )
    .default([])
    .meta({
      description:
        "Namespaced kinds Git may create beyond the workload kinds of `phoenix-apps` (components/apps/applications.ts, `WORKLOAD_KINDS`), such as `{group: monitoring.coreos.com, kind: ServiceMonitor}` for a CRD an app ships objects of.",
    }),
  credentials: repoCredentialsSchema.optional().meta({
    description:
      "A private repository: `{type: https, username, token}` or `{type: ssh, sshPrivateKey}`, matching `repoURL`'s scheme. The token or key must be a secret. It covers every repository of the root's host and owner.",
  }),
}).refine((g) => !g.credentials || (g.credentials.type === "ssh") === !g.repoURL.startsWith("https://"), {
  error:
    "credentials.type must match repoURL: https credentials for an https:// URL, ssh credentials for ssh:// or git@ URLs",
  path: ["credentials", "type"],
});
