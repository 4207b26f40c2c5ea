import { ApartmentOutlined, ApiOutlined, AuditOutlined, BranchesOutlined, FormOutlined, KeyOutlined, LoginOutlined, SafetyOutlined, SettingOutlined, TeamOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/**
 * admin is the administration of a workspace: people and their access
 * (users, teams, roles, API keys, single sign-on), the CRM's configuration
 * (custom fields, pipelines, lead assignment), settings and the audit log.
 * Each entry shows to who holds its permission.
 */
export const admin: Area = {
  name: "admin",
  routes: [
    page("admin/users", () => import("./UsersPage")),
    page("admin/teams", () => import("./TeamsPage")),
    page("admin/roles", () => import("./RolesPage")),
    page("admin/api-keys", () => import("./ApiKeysPage")),
    page("admin/custom-fields", () => import("./CustomFieldsPage")),
    page("admin/pipelines", () => import("./PipelinesPage")),
    page("admin/assignment-rules", () => import("./AssignmentRulesPage")),
    page("admin/settings", () => import("./SettingsPage")),
    page("admin/sso", () => import("./SsoPage")),
    page("admin/audit", () => import("./AuditPage")),
  ],
  menu: [
    { path: "/admin/users", labelKey: "admin.menu.users", icon: <TeamOutlined />, group: "admin", order: 10, permission: "users:read" },
    { path: "/admin/teams", labelKey: "admin.menu.teams", icon: <ApartmentOutlined />, group: "admin", order: 20, permission: "teams:read" },
    { path: "/admin/roles", labelKey: "admin.menu.roles", icon: <SafetyOutlined />, group: "admin", order: 30, permission: "roles:read" },
    { path: "/admin/api-keys", labelKey: "admin.menu.apiKeys", icon: <KeyOutlined />, group: "admin", order: 40, permission: "api-keys:manage" },
    { path: "/admin/custom-fields", labelKey: "admin.menu.fields", icon: <FormOutlined />, group: "admin", order: 50, permission: "contacts:admin" },
    { path: "/admin/pipelines", labelKey: "admin.menu.pipelines", icon: <BranchesOutlined />, group: "admin", order: 60, permission: "sales:admin" },
    { path: "/admin/assignment-rules", labelKey: "admin.menu.rules", icon: <ApiOutlined />, group: "admin", order: 70, permission: "sales:admin" },
    { path: "/admin/settings", labelKey: "admin.menu.settings", icon: <SettingOutlined />, group: "admin", order: 80, permission: "contacts:admin" },
    { path: "/admin/sso", labelKey: "admin.menu.sso", icon: <LoginOutlined />, group: "admin", order: 90, permission: "sso:manage" },
    { path: "/admin/audit", labelKey: "admin.menu.audit", icon: <AuditOutlined />, group: "admin", order: 100, permission: "audit:read" },
  ],
  catalog: () => import("./catalog"),
};
