package auth

import "time"

// Issuer is the iss of every internal token.
const Issuer = "rapport-gateway"

// DefaultTTL is the lifetime of an internal token.
const DefaultTTL = 60 * time.Second

// MaxTTL is the longest lifetime (exp - iat) a Verifier accepts.
const MaxTTL = 10 * time.Minute

// claims are the private claims of an internal token; the registered ones
// (iss, sub, aud, exp, nbf, iat, jti) are set and checked through jwx.
type claims struct {
	Subject      string           `json:"sub"`
	TenantID     string           `json:"tid"`
	Roles        []string         `json:"roles,omitempty"`
	Teams        []string         `json:"teams,omitempty"`
	Subordinates []string         `json:"subteams,omitempty"`
	Scopes       []string         `json:"scopes,omitempty"`
	Permissions  []string         `json:"perms,omitempty"`
	RecordScope  map[string]Scope `json:"rscope,omitempty"`
}

// principal returns the Principal the claims describe.
func (c claims) principal() Principal {
	return Principal{
		TenantID:     c.TenantID,
		UserID:       c.Subject,
		Roles:        c.Roles,
		Teams:        c.Teams,
		Scopes:       c.Scopes,
		Permissions:  c.Permissions,
		RecordScope:  c.RecordScope,
		Subordinates: c.Subordinates,
	}
}
