/**
 * Argo CD: the GitOps engine of the apps layer. Installed as a `helm.v3.Release`, not a
 * `helm.v4.Chart`: v4 drops hooks, and Argo CD's `redis-secret-init` job is one
 * (argo-helm #2836).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { charts } from "../catalog";
import type { HelmValues, Plugin } from "./contract";
import { strictSettings } from "./settings";

const ssoSchema = strictSettings({
  /** Name shown on the login button. */
  name: z.string().min(1).default("SSO"),
  /** OIDC issuer URL of the identity provider. */
  issuer: z.url({ protocol: /^https$/, error: "must be the https:// issuer URL of the OIDC provider" }),
  /** OIDC client id registered for Argo CD. */
  clientId: z.string().min(1),
  /**
   * Client secret, for confidential clients: a Pulumi secret (`pulumi config set
   * --secret --path`). Without it Argo CD uses PKCE as a public client.
   */
  clientSecret: z.string().min(1).optional(),
  /** Scopes requested; `groups` feeds the RBAC group bindings below. */
  requestedScopes: z.array(z.string().min(1)).min(1).default(["openid", "profile", "email", "groups"]),
  /** Identity-provider groups bound to role:admin. */
  adminGroups: z.array(z.string().min(1)).min(1),
  /** Identity-provider groups bound to role:readonly. */
  readonlyGroups: z.array(z.string().min(1)).default([]),
});

/** Stack settings of Argo CD (`phoenix:plugins.argocd`). */
export const argocdSettingsSchema = strictSettings({
  /** External URL of the Argo CD UI (https); OIDC redirects need it. */
  url: z.url({ protocol: /^https$/, error: "must be the https:// URL users reach Argo CD at" }).optional(),
  /** Highly available: Redis HA and two replicas of server, repo server and ApplicationSet controller (needs 3 nodes). */
  ha: z.boolean().default(false),
  admin: strictSettings({
    /** Keep the local admin user (break-glass); off needs sso. */
    enabled: z.boolean().default(true),
    /** Bcrypt hash of the admin password, stored as a Pulumi secret. Required while admin is enabled. */
    passwordBcrypt: z.string().min(1).optional(),
  }).prefault({}),
  /** Single sign-on through OIDC. */
  sso: ssoSchema.optional(),
})
  .refine((s) => !s.admin.enabled || s.admin.passwordBcrypt !== undefined, {
    error:
      "the admin user is enabled without a password: set its bcrypt hash as a secret (pulumi config set --secret --path 'phoenix:plugins.argocd.admin.passwordBcrypt' \"$(htpasswd -nbBC 10 '' \"$PASSWORD\" | tr -d ':\\n')\"), or set admin.enabled: false and configure sso",
    path: ["admin", "passwordBcrypt"],
  })
  .refine((s) => s.admin.enabled || s.sso !== undefined, {
    error: "admin.enabled: false without sso would lock everyone out of Argo CD: configure sso, or keep the admin user",
    path: ["admin", "enabled"],
  })
  .refine((s) => s.sso === undefined || s.url !== undefined, {
    error: "sso needs url: the OIDC provider redirects back to <url>/auth/callback",
    path: ["url"],
  })
  .prefault({});

/** Validated Argo CD settings. */
export type ArgocdSettings = z.output<typeof argocdSettingsSchema>;

/** Namespace Argo CD runs in; Applications and AppProjects live there too. */
export const ARGOCD_NAMESPACE = "argocd";

/** Key in argocd-secret holding the OIDC client secret (referenced as `$oidc.clientSecret`). */
const OIDC_SECRET_KEY = "oidc.clientSecret";

/**
 * Kinds Argo CD never watches. The chart's own list is replaced by this one (a Helm map
 * value cannot be appended to), so it restates the high-churn kinds Argo CD excludes
 * for performance, then adds what must stay out of Argo's reach for backups to work:
 * CSI VolumeSnapshots (Argo prunes them mid-backup, velero #7905) and Velero's own
 * objects (a Backup carrying an Argo label gets pruned, velero #2975).
 */
export const RESOURCE_EXCLUSIONS = [
  { apiGroups: ["", "discovery.k8s.io"], kinds: ["Endpoints", "EndpointSlice"], clusters: ["*"] },
  { apiGroups: ["coordination.k8s.io"], kinds: ["Lease"], clusters: ["*"] },
  {
    apiGroups: ["authentication.k8s.io", "authorization.k8s.io"],
    kinds: ["SelfSubjectReview", "TokenReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"],
    clusters: ["*"],
  },
  { apiGroups: ["certificates.k8s.io"], kinds: ["CertificateSigningRequest"], clusters: ["*"] },
  { apiGroups: ["cert-manager.io"], kinds: ["CertificateRequest"], clusters: ["*"] },
  { apiGroups: ["snapshot.storage.k8s.io"], kinds: ["VolumeSnapshot", "VolumeSnapshotContent"], clusters: ["*"] },
  {
    apiGroups: ["velero.io"],
    kinds: ["Backup", "Restore", "PodVolumeBackup", "PodVolumeRestore", "DataUpload", "DataDownload", "DeleteBackupRequest", "DownloadRequest"],
    clusters: ["*"],
  },
] as const;

/** Renders a YAML-or-JSON string value for argocd-cm (JSON is valid YAML). */
function yamlValue(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The argocd-rbac-cm policy: no default role; SSO groups bound to admin or readonly. */
export function rbacPolicy(settings: ArgocdSettings): string {
  const sso = settings.sso;
  if (!sso) return "";
  return [...sso.adminGroups.map((g) => `g, ${g}, role:admin`), ...sso.readonlyGroups.map((g) => `g, ${g}, role:readonly`)].join("\n");
}

/** Helm values for the argo-cd chart. */
export function argocdValues(settings: ArgocdSettings): HelmValues {
  const sso = settings.sso;
  const cm: Record<string, unknown> = {
    // Annotation tracking (the 3.x default, pinned here on purpose): the restore path
    // strips this annotation so Argo does not prune restored objects (velero
    // #7848).
    "application.resourceTrackingMethod": "annotation",
    "resource.exclusions": yamlValue(RESOURCE_EXCLUSIONS),
    "admin.enabled": settings.admin.enabled,
    "users.anonymous.enabled": false,
    "exec.enabled": false,
  };
  if (settings.url) cm.url = settings.url;
  if (sso) {
    cm["oidc.config"] = yamlValue({
      name: sso.name,
      issuer: sso.issuer,
      clientID: sso.clientId,
      ...(sso.clientSecret ? { clientSecret: `$${OIDC_SECRET_KEY}` } : { enablePKCEAuthentication: true }),
      requestedScopes: sso.requestedScopes,
    });
  }
  const replicas = settings.ha ? 2 : 1;
  return {
    // The CRDs ship in templates/; keep them on uninstall so deleting the release never
    // cascades into deleting every Application (argo-helm values.yaml, `crds.keep`).
    crds: { install: true, keep: true },
    global: settings.url ? { domain: new URL(settings.url).host } : {},
    configs: {
      cm,
      // TLS stays on at the server (the chart default, restated so it cannot drift).
      params: { "server.insecure": false },
      // No default role: a signed-in user outside the listed groups sees nothing.
      rbac: { "policy.default": "", "policy.csv": rbacPolicy(settings), scopes: "[groups]" },
      // argocd-secret is Pulumi's (argocdSecret below): a secret inside the Helm values
      // would make Pulumi mark the whole values secret, hiding every value from previews.
      secret: { createSecret: false },
    },
    // OIDC is configured directly; Dex would be one more component with credentials.
    dex: { enabled: false },
    server: { replicas, pdb: { enabled: settings.ha } },
    repoServer: { replicas, pdb: { enabled: settings.ha } },
    applicationSet: { replicas, pdb: { enabled: settings.ha } },
    // Redis HA replaces the single Redis; its three replicas spread over three nodes.
    "redis-ha": { enabled: settings.ha },
    redis: { enabled: !settings.ha },
  };
}

/** The secret keys of argocd-secret Phoenix sets (Argo CD's server adds its own `server.secretkey`). */
export function argocdSecretData(settings: ArgocdSettings): Record<string, string> {
  return {
    ...(settings.admin.enabled && settings.admin.passwordBcrypt ? { "admin.password": settings.admin.passwordBcrypt } : {}),
    ...(settings.sso?.clientSecret ? { [OIDC_SECRET_KEY]: settings.sso.clientSecret } : {}),
  };
}

/** The Argo CD plugin. */
/** What Argo CD offers the apps layer. */
export interface ArgocdOutputs {
  /** Namespace Argo CD runs in: Applications and repository secrets go there. */
  readonly namespace: string;
}

export const argocd: Plugin<typeof argocdSettingsSchema, undefined, ArgocdOutputs> = {
  id: "argocd",
  chart: charts.argocd,
  namespace: ARGOCD_NAMESPACE,
  releaseName: "argocd",
  settings: argocdSettingsSchema,
  freeFormValues: [
    // argocd-cm data: keys are Argo CD setting names (`application.resourceTrackingMethod`,
    // `resource.customizations.*`, `url`, ...), copied verbatim into the ConfigMap.
    "configs.cm",
    // argocd-cmd-params-cm data: keys are component flags (`server.insecure`, ...).
    "configs.params",
    // argocd-rbac-cm data (`policy.csv`, `policy.default`, `scopes`).
    "configs.rbac",
    // Extra keys of the argocd-secret Secret (e.g. SSO client secrets), named by the user.
    "configs.secret.extra",
    // Maps keyed by a name the user picks (one Secret per entry).
    "configs.repositories",
    "configs.credentialTemplates",
    "configs.clusterCredentials",
    // Kubernetes label/annotation maps and scheduling objects, passed through to every pod.
    "global.podAnnotations",
    "global.podLabels",
    "global.nodeSelector",
    "global.tolerations",
  ],
  // Argo CD is the apps layer's engine: it is always on.
  enabled: () => true,
  // Every Argo CD component and the single Redis run as non-root with RuntimeDefault
  // seccomp and no capabilities (the chart's containerSecurityContext defaults). The
  // redis-ha subchart's HAProxy only sets readOnlyRootFilesystem in the chart's values:
  // HA stays at baseline until its own contexts are checked.
  podSecurity: (settings) => (settings.ha ? "baseline" : "restricted"),
  install(settings, _inputs, ctx) {
    // Declared before the release so the server finds it at first start (it only adds
    // server.secretkey, a field Pulumi's server-side apply does not own). The data is a
    // Pulumi secret: encrypted in state, shown as [secret] in every preview.
    const secret = new k8s.core.v1.Secret(
      `${ctx.name}-secret`,
      {
        metadata: { name: "argocd-secret", namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } },
        stringData: pulumi.secret(argocdSecretData(settings)),
      },
      { parent: ctx.parent, provider: ctx.provider, dependsOn: [ctx.namespace] },
    );
    return { values: argocdValues(settings), dependsOn: [secret], outputs: { namespace: ARGOCD_NAMESPACE } };
  },
};
