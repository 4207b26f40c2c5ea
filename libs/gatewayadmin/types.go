package gatewayadmin

// Tenant statuses in the gateway.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusDeleted   = "deleted"
)

// Tenant is the gateway's record of a tenant.
type Tenant struct {
	ID      string   `json:"id"`
	Slug    string   `json:"slug"`
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Tier    string   `json:"tier"`
	Status  string   `json:"status"`
}

// NewTenant is a tenant to create, with its first administrator.
type NewTenant struct {
	Slug    string   `json:"slug"`
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Tier    string   `json:"tier"`
	Admin   Admin    `json:"admin"`
}

// Admin names a tenant's first administrator.
type Admin struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Invitation is what activates the first administrator: the token that
// Activate (POST /v1/auth/accept-invitation) exchanges for a password, and
// the link carrying it, for the invited user.
type Invitation struct {
	User  User   `json:"user"`
	Token string `json:"invitationToken"`
	Link  string `json:"invitationLink"`
}

// User is the gateway's record of an invited user, as far as the callers
// need it.
type User struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Changes are the fields of a tenant to update; nil leaves one as it is.
type Changes struct {
	Name    *string   `json:"name,omitempty"`
	Domains *[]string `json:"domains,omitempty"`
	Tier    *string   `json:"tier,omitempty"`
}

// Tokens is the answer of a sign-in.
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

// The bodies of the public calls.
type (
	acceptInvitation struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	login struct {
		Tenant   string `json:"tenant"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}
)
