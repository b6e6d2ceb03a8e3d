/** Argo CD's stack settings: HA, the break-glass admin and single sign-on. */
import { z } from "zod";
import { strictSettings } from "../settings";

const ssoSchema = strictSettings({
  name: z.string().min(1).default("SSO").meta({ description: "Name shown on the login button." }),
  issuer: z
    .url({ protocol: /^https$/, error: "must be the https:// issuer URL of the OIDC provider" })
    .meta({ description: "The https issuer URL of the OIDC provider." }),
  clientId: z.string().min(1).meta({ description: "OIDC client id registered for Argo CD." }),
  clientSecret: z.string().min(1).optional().meta({
    description:
      "Client secret, for a confidential client: a secret (`pulumi config set --secret --path`). Without it Argo CD uses PKCE as a public client.",
  }),
  requestedScopes: z
    .array(z.string().min(1))
    .min(1)
    .default(["openid", "profile", "email", "groups"])
    .meta({ description: "Scopes requested; `groups` feeds `adminGroups` and `readonlyGroups`." }),
  adminGroups: z
    .array(z.string().min(1))
    .min(1)
    .meta({ description: "Identity-provider groups bound to `role:admin`." }),
  readonlyGroups: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: "Identity-provider groups bound to `role:readonly`." }),
});

/** Stack settings of Argo CD (`phoenix:plugins.argocd`). */
export const argocdSettingsSchema = strictSettings({
  url: z
    .url({ protocol: /^https$/, error: "must be the https:// URL users reach Argo CD at" })
    .optional()
    .meta({
      description:
        "The https URL users reach Argo CD at; required with `sso` (the OIDC provider redirects back to `<url>/auth/callback`).",
    }),
  ha: z.boolean().default(false).meta({
    description:
      "Highly available: Redis HA and two replicas of server, repo server and ApplicationSet controller, with PDBs (needs three nodes).",
  }),
  admin: strictSettings({
    enabled: z
      .boolean()
      .default(true)
      .meta({ description: "Keep the local admin user (break-glass). `false` requires `sso`." }),
    passwordBcrypt: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Bcrypt hash of the admin password, a secret; required while the admin is enabled." }),
  }).prefault({}),
  sso: ssoSchema.optional().meta({ description: "Single sign-on through OIDC." }),
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
