/** The argo-cd chart's values and argocd-secret's data: no insecure default, Velero's objects out of reach. */
import type { HelmValues } from "../contract";
import type { ArgocdSettings } from "./settings";

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
    kinds: [
      "SelfSubjectReview",
      "TokenReview",
      "LocalSubjectAccessReview",
      "SelfSubjectAccessReview",
      "SelfSubjectRulesReview",
      "SubjectAccessReview",
    ],
    clusters: ["*"],
  },
  { apiGroups: ["certificates.k8s.io"], kinds: ["CertificateSigningRequest"], clusters: ["*"] },
  { apiGroups: ["cert-manager.io"], kinds: ["CertificateRequest"], clusters: ["*"] },
  { apiGroups: ["snapshot.storage.k8s.io"], kinds: ["VolumeSnapshot", "VolumeSnapshotContent"], clusters: ["*"] },
  {
    apiGroups: ["velero.io"],
    kinds: [
      "Backup",
      "Restore",
      "PodVolumeBackup",
      "PodVolumeRestore",
      "DataUpload",
      "DataDownload",
      "DeleteBackupRequest",
      "DownloadRequest",
    ],
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
  return [
    ...sso.adminGroups.map((g) => `g, ${g}, role:admin`),
    ...sso.readonlyGroups.map((g) => `g, ${g}, role:readonly`),
  ].join("\n");
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
    ...(settings.admin.enabled && settings.admin.passwordBcrypt
      ? { "admin.password": settings.admin.passwordBcrypt }
      : {}),
    ...(settings.sso?.clientSecret ? { [OIDC_SECRET_KEY]: settings.sso.clientSecret } : {}),
  };
}
