package identity

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// CreateAPIKeyRequest is the body of POST /v1/api-keys.
type CreateAPIKeyRequest struct {
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expiresAt"`
}

// CreatedAPIKey is the answer of POST /v1/api-keys: the only time the
// secret is shown.
type CreatedAPIKey struct {
	APIKey
	Secret string `json:"secret"`
}

// StatusCode implements kitx.StatusCoder.
func (CreatedAPIKey) StatusCode() int { return 201 }

// apiKeyAlphabet spells the visible part of an API key.
const apiKeyAlphabet = "abcdefghijkmnopqrstuvwxyz23456789"

// CreateAPIKey issues an API key owned by the caller, with scopes that the
// caller holds (needs api-keys:manage).
func (s *Service) CreateAPIKey(ctx context.Context, req CreateAPIKeyRequest) (CreatedAPIKey, error) {
	p, err := caller(ctx, PermAPIKeysManage)
	if err != nil {
		return CreatedAPIKey{}, err
	}
	now := s.now()
	v := errs.NewValidator()
	v.Check(strings.TrimSpace(req.Name) != "" && len(req.Name) <= 200, "name", "required, at most 200 characters")
	v.Check(len(req.Scopes) > 0, "scopes", "at least one permission")
	for _, sc := range req.Scopes {
		v.Check(permissionRE.MatchString(sc), "scopes", `each "module:action", "module:*" or "*"`)
	}
	v.Check(req.ExpiresAt == nil || req.ExpiresAt.After(now), "expiresAt", "in the future")
	if err := v.Err(); err != nil {
		return CreatedAPIKey{}, err
	}
	for _, sc := range req.Scopes {
		if !p.Can(sc) {
			return CreatedAPIKey{}, ErrScopeNotHeld.WithDetail("you do not hold %q, so a key of yours cannot either", sc)
		}
	}
	prefix := APIKeyPrefix + randomString(8)
	key := prefix + "_" + randomToken(32)
	row := apiKeyRow{
		APIKey: APIKey{ID: ids.New(), Name: req.Name, Prefix: prefix, UserID: p.UserID,
			Scopes: uniq(req.Scopes), ExpiresAt: req.ExpiresAt, CreatedAt: now},
		TenantID: p.TenantID, SecretHash: []byte(hashToken(key)),
	}
	if row.ExpiresAt != nil {
		e := pg.Timestamp(*row.ExpiresAt)
		row.ExpiresAt = &e
	}
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error { return insertAPIKey(ctx, tx, row) })
	if err != nil {
		return CreatedAPIKey{}, err
	}
	return CreatedAPIKey{APIKey: row.APIKey, Secret: key}, nil
}

// randomString returns n random characters of apiKeyAlphabet.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = apiKeyAlphabet[int(b[i])%len(apiKeyAlphabet)]
	}
	return string(b)
}

// ListAPIKeys returns a page of the tenant's API keys (needs api-keys:manage).
func (s *Service) ListAPIKeys(ctx context.Context, cursor string, limit int) (APIKeyPage, error) {
	return listPage(ctx, s, PermAPIKeysManage, cursor, limit, listAPIKeys, func(x APIKey) string { return x.ID })
}

// GetAPIKey returns an API key without its secret (needs api-keys:manage).
func (s *Service) GetAPIKey(ctx context.Context, id string) (APIKey, error) {
	p, err := caller(ctx, PermAPIKeysManage)
	if err != nil {
		return APIKey{}, err
	}
	var k APIKey
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		r, err := apiKeyByID(ctx, tx, id)
		k = r.key()
		return err
	})
	return k, err
}

// RevokeAPIKey revokes an API key at once on this replica and within a
// second on the others (needs api-keys:manage).
func (s *Service) RevokeAPIKey(ctx context.Context, id string) error {
	p, err := caller(ctx, PermAPIKeysManage)
	if err != nil {
		return err
	}
	return pg.WithTenantTx(ctx, s.db, p.TenantID, func(tx *sqlx.Tx) error {
		if _, err := apiKeyByID(ctx, tx, id); err != nil {
			return err
		}
		if err := revokeAPIKey(ctx, tx, id, s.now()); err != nil {
			return err
		}
		return s.revoke(ctx, tx, p.TenantID, revokesAPIKey, id, s.now().Add(apiKeyMarkTTL))
	})
}
