/**
 * The permissions of Rapport (services/gateway/README.md): each module's
 * read, write and admin, its wildcard, the gateway's management
 * permissions and the audit log's; "*" is everything. The role editor and
 * the API key form offer every one of them.
 */
export const modules = ["contacts", "sales", "support", "marketing", "reporting"] as const;

/** managementPermissions are the ones the gateway itself checks. */
export const managementPermissions = [
  "users:read",
  "users:manage",
  "teams:read",
  "teams:manage",
  "roles:read",
  "roles:manage",
  "api-keys:manage",
  "sso:manage",
  "audit:read",
  "webhooks:read",
  "webhooks:manage",
];

/** PermissionGroup is one box of the picker: a module's permissions, or the management ones. */
export interface PermissionGroup {
  key: string;
  permissions: string[];
}

/** permissionGroups lists every permission, grouped as the picker shows them. */
export const permissionGroups: PermissionGroup[] = [
  ...modules.map((m) => ({ key: m, permissions: [`${m}:read`, `${m}:write`, `${m}:admin`, `${m}:*`] })),
  { key: "management", permissions: managementPermissions },
  { key: "all", permissions: ["*"] },
];

/** allPermissions is every permission, flat. */
export const allPermissions: string[] = permissionGroups.flatMap((g) => g.permissions);

/** scopes are the record scopes a role gives per module. */
export const scopes = ["own", "team", "all"] as const;
