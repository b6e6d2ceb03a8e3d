/** `phoenix:gitops`: the repository Argo CD syncs and the Applications Phoenix declares (the GitOps namespaces). */
import { z } from "zod";
import { ROOT_APP } from "../../../components/apps/applications";
import { POD_SECURITY_LEVELS } from "../../../components/labels";
import { strictObject } from "../../config";
import { dnsLabel, gitUrl, repoPath, uniqueBy } from "./common";

const applicationSchema = strictObject({
  /** Argo CD Application name. */
  name: dnsLabel,
  /** Path of the app's manifests in the repository. */
  path: repoPath,
  /** Destination namespace; classified `gitops` (recreated from Git, never backed up). */
  namespace: dnsLabel,
  /** Repository, when it is not the root's. */
  repoURL: gitUrl.optional(),
  /** Revision, when it is not the root's. */
  targetRevision: z.string().min(1).optional(),
  /** Pod Security Standards level of the namespace Argo CD creates for it. */
  podSecurity: z.enum(POD_SECURITY_LEVELS).default("restricted"),
  /** How Argo CD syncs it. */
  syncPolicy: strictObject({
    /** Sync on every change in Git; off means someone presses Sync. */
    automated: z.boolean().default(true),
    /** Delete what was removed from Git (only with automated). */
    prune: z.boolean().default(true),
    /** Undo changes made in the cluster by hand (only with automated). */
    selfHeal: z.boolean().default(true),
  })
    .refine((p) => p.automated || (!p.prune && !p.selfHeal), { error: "prune and selfHeal only act with automated: true; set them false too, or automate" })
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
      ctx.addIssue({ code: "custom", path: [i, "podSecurity"], message: `namespace "${app.namespace}" is already ${first} for another application: give both the same podSecurity` });
    }
    if (first === undefined) levels.set(app.namespace, app.podSecurity);
  });
}

/** Credentials Argo CD uses to clone a private repository; the secret parts must be Pulumi secrets. */
const repoCredentialsSchema = z.discriminatedUnion(
  "type",
  [
    strictObject({
      type: z.literal("https"),
      /** User name the Git host expects with a token (e.g. x-access-token on GitHub). */
      username: z.string().min(1),
      /** Access token: a Pulumi secret. */
      token: z.string().min(1),
    }),
    strictObject({
      type: z.literal("ssh"),
      /** Private key (PEM/OpenSSH): a Pulumi secret. */
      sshPrivateKey: z.string().min(1),
    }),
  ],
  { error: 'type must be "https" (username and token) or "ssh" (sshPrivateKey)' },
);

export const gitopsSchema = strictObject(
  {
    /** Repository Argo CD syncs the root Application (app of apps) from. */
    repoURL: gitUrl,
    /** Branch, tag or commit; pin a tag or commit for production. */
    targetRevision: z.string().min(1).default("main"),
    /** Root path for this region; defaults to clusters/<region> so regions can differ. */
    path: repoPath.optional(),
    /** Applications Phoenix declares; their destinations are the GitOps namespaces. */
    applications: z.array(applicationSchema).superRefine(uniqueBy("name", [ROOT_APP])).superRefine(oneLevelPerNamespace).default([]),
    /**
     * Namespaced kinds Git may create beyond the workload kinds Phoenix allows
     * (components/apps/applications.ts, WORKLOAD_KINDS), such as a CRD an app ships
     * objects of. Never Argo CD's own kinds.
     */
    allowedKinds: z
      .array(
        strictObject({
          /** API group, "" for the core group. */
          group: z
            .string()
            .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, "must be an API group such as monitoring.coreos.com, or \"\" for the core group")
            .refine((g) => g !== "argoproj.io", { error: "Argo CD's own kinds would let an app escape its project: they stay denied" }),
          /** Kind, as in manifests. */
          kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kind such as ServiceMonitor"),
        }),
      )
      .default([]),
    /** Credentials for a private repository (every repository under the root's URL's host and owner). */
    credentials: repoCredentialsSchema.optional(),
  },
).refine((g) => !g.credentials || (g.credentials.type === "ssh") === !g.repoURL.startsWith("https://"), {
  error: "credentials.type must match repoURL: https credentials for an https:// URL, ssh credentials for ssh:// or git@ URLs",
  path: ["credentials", "type"],
});

