package identity

import (
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// Tenant tiers and statuses.
const (
	TierShared    = "shared"
	TierDedicated = "dedicated"

	TenantActive    = "active"
	TenantSuspended = "suspended"
	TenantDeleted   = "deleted"
)

// User statuses.
const (
	UserInvited  = "invited"
	UserActive   = "active"
	UserDisabled = "disabled"
)

// Tenant is one customer organisation. Tenants are platform-level records
// (see migrations/0001_identity.sql): the login path reads them by slug
// before any tenant is known.
type Tenant struct {
	ID        string    `json:"id" db:"id"`
	Slug      string    `json:"slug" db:"slug"`
	Name      string    `json:"name" db:"name"`
	Domains   []string  `json:"domains" db:"-"`
	Tier      string    `json:"tier" db:"tier"`
	Status    string    `json:"status" db:"status"`
	CreatedAt time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt time.Time `json:"updatedAt" db:"updated_at"`
	Version   int64     `json:"version" db:"version"`
	// ReadOnly is the tenant's read-only window: every change is refused
	// with 503 tenant-read-only while it is set.
	ReadOnly bool `json:"readOnly" db:"read_only"`
}

// ETag implements kitx.ETagger.
func (t Tenant) ETag() string { return kitx.ETag(t.Version) }

// TeamMembership places a user in a team; a manager of a team also sees the
// records of every team under it.
type TeamMembership struct {
	TeamID  string `json:"id" db:"team_id"`
	Manager bool   `json:"manager" db:"manager"`
}

// User is a person who signs in to a tenant.
type User struct {
	ID          string           `json:"id" db:"id"`
	Email       string           `json:"email" db:"email"`
	Name        string           `json:"name" db:"name"`
	Status      string           `json:"status" db:"status"`
	Locale      string           `json:"locale" db:"locale"`
	TimeZone    string           `json:"timeZone" db:"time_zone"`
	Roles       []string         `json:"roles" db:"-"`
	Teams       []TeamMembership `json:"teams" db:"-"`
	LastLoginAt *time.Time       `json:"lastLoginAt,omitempty" db:"last_login_at"`
	CreatedAt   time.Time        `json:"createdAt" db:"created_at"`
	UpdatedAt   time.Time        `json:"updatedAt" db:"updated_at"`
	Version     int64            `json:"version" db:"version"`
}

// ETag implements kitx.ETagger.
func (u User) ETag() string { return kitx.ETag(u.Version) }

// Team is a node of the tenant's team hierarchy.
type Team struct {
	ID        string    `json:"id" db:"id"`
	Name      string    `json:"name" db:"name"`
	ParentID  *string   `json:"parentId,omitempty" db:"parent_id"`
	CreatedAt time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt time.Time `json:"updatedAt" db:"updated_at"`
	Version   int64     `json:"version" db:"version"`
}

// ETag implements kitx.ETagger.
func (t Team) ETag() string { return kitx.ETag(t.Version) }

// Role is a named set of permissions with a record scope per module.
type Role struct {
	ID           string                `json:"id" db:"id"`
	Name         string                `json:"name" db:"name"`
	Description  string                `json:"description" db:"description"`
	Permissions  []string              `json:"permissions" db:"-"`
	RecordScopes map[string]auth.Scope `json:"recordScopes" db:"-"`
	Builtin      bool                  `json:"builtin" db:"builtin"`
	CreatedAt    time.Time             `json:"createdAt" db:"created_at"`
	UpdatedAt    time.Time             `json:"updatedAt" db:"updated_at"`
	Version      int64                 `json:"version" db:"version"`
}

// ETag implements kitx.ETagger.
func (r Role) ETag() string { return kitx.ETag(r.Version) }

// APIKey is an integrator's credential. Only its prefix is ever shown again
// after creation; the secret is stored as a SHA-256 hash.
type APIKey struct {
	ID         string     `json:"id" db:"id"`
	Name       string     `json:"name" db:"name"`
	Prefix     string     `json:"prefix" db:"prefix"`
	UserID     string     `json:"userId" db:"user_id"`
	Scopes     []string   `json:"scopes" db:"-"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty" db:"expires_at"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty" db:"last_used_at"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty" db:"revoked_at"`
	CreatedAt  time.Time  `json:"createdAt" db:"created_at"`
}

// TokenPair is the answer of every successful sign-in. A browser session's
// answer has no RefreshToken: its cookie holds it (session.go).
type TokenPair struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken,omitempty"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"` // seconds
}

// SSOConfig is a tenant's OIDC provider as the API shows it: the client
// secret is write-only.
type SSOConfig struct {
	Issuer       string              `json:"issuer"`
	ClientID     string              `json:"clientId"`
	Scopes       []string            `json:"scopes"`
	RoleClaim    string              `json:"roleClaim"`
	RoleMapping  map[string][]string `json:"roleMapping"`
	DefaultRoles []string            `json:"defaultRoles"`
	Enabled      bool                `json:"enabled"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	Version      int64               `json:"version"`
}
