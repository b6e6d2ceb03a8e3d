/** Argo CD's stack settings: HA, the break-glass admin and single sign-on. */
import { z } from "zod";
import { strictSettings } from "../settings";

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
