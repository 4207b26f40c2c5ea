package identity

import "github.com/rapport-crm/rapport/libs/auth"

// The management permissions the gateway itself checks.
const (
	PermUsersRead     = "users:read"
	PermUsersManage   = "users:manage"
	PermTeamsRead     = "teams:read"
	PermTeamsManage   = "teams:manage"
	PermRolesRead     = "roles:read"
	PermRolesManage   = "roles:manage"
	PermAPIKeysManage = "api-keys:manage"
	PermSSOManage     = "sso:manage"
	// PermWebhooksRead reads the webhook subscriptions and their delivery
	// log; PermWebhooksManage changes them (and redelivers).
	PermWebhooksRead   = "webhooks:read"
	PermWebhooksManage = "webhooks:manage"
)

// AdminRole is the built-in role given to a tenant's first user.
const AdminRole = "admin"

// SupportManagerRole is the built-in role of those who run the support
// desk; tenants made before it existed got it from migration 0003.
const SupportManagerRole = "support_manager"

// MarketerRole is the built-in role of those who run marketing: it builds
// and sends but holds neither marketing:admin (the tenant's sending
// settings: DKIM key, suppression list, throttle; the admin's wildcard has
// it) nor marketing:public (only the gateway's principal of the public
// pages has it), which marketing:* gave it before the marketing service
// existed; migration 0004 brought the tenants made before to this.
const MarketerRole = "marketer"

// BuiltinRoles are created with every tenant; the README's table documents
// them. They cannot be changed or deleted; tenants add custom roles instead.
var BuiltinRoles = []Role{
	{Name: AdminRole, Description: "Everything, including users, roles, API keys and single sign-on.",
		Permissions: []string{"*"}, RecordScopes: map[string]auth.Scope{"*": auth.ScopeAll}},
	{Name: "manager", Description: "Runs a team: full CRM access to the records of their teams and the teams under them.",
		Permissions:  []string{"contacts:*", "sales:*", "support:*", "marketing:read", "reporting:read", "reporting:write", PermUsersRead, PermTeamsRead, PermRolesRead},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeTeam}},
	{Name: "sales_rep", Description: "Works their own accounts, contacts, leads and deals.",
		Permissions:  []string{"contacts:read", "contacts:write", "sales:read", "sales:write", "reporting:read"},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeOwn}},
	{Name: MarketerRole, Description: "Runs marketing over every contact: segments, campaigns, templates, sends, forms and attribution; the sending settings are the admin's.",
		Permissions:  []string{"contacts:read", "marketing:read", "marketing:write", "marketing:send", "reporting:read", "reporting:write"},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeAll}},
	{Name: "support_agent", Description: "Works cases for their team; reads and updates contacts.",
		Permissions:  []string{"contacts:read", "contacts:write", "support:read", "support:write"},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeTeam, "contacts": auth.ScopeAll}},
	{Name: SupportManagerRole, Description: "Runs the support desk: works every case and configures queues, SLAs, calendars, mailboxes and the knowledge base.",
		Permissions:  []string{"contacts:read", "contacts:write", "support:*", "reporting:read", "reporting:write", PermUsersRead, PermTeamsRead},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeAll}},
	{Name: "analyst", Description: "Reads every module and builds reports.",
		Permissions:  []string{"contacts:read", "sales:read", "marketing:read", "support:read", "reporting:*"},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeAll}},
	{Name: "read_only", Description: "Reads every module, changes nothing.",
		Permissions:  []string{"contacts:read", "sales:read", "marketing:read", "support:read", "reporting:read"},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeAll}},
	{Name: "integration", Description: "For the owners of API keys: reads and writes CRM data of every module and manages the webhooks.",
		Permissions:  []string{"contacts:*", "sales:*", "marketing:*", "support:*", "reporting:read", PermWebhooksRead, PermWebhooksManage},
		RecordScopes: map[string]auth.Scope{"*": auth.ScopeAll}},
}
