package identity

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// ssoRow is an oidc_providers row; ClientSecret is ciphertext.
type ssoRow struct {
	Issuer       string         `db:"issuer"`
	ClientID     string         `db:"client_id"`
	ClientSecret []byte         `db:"client_secret"`
	Scopes       pq.StringArray `db:"scopes"`
	RoleClaim    string         `db:"role_claim"`
	RoleMapping  []byte         `db:"role_mapping"`
	DefaultRoles pq.StringArray `db:"default_roles"`
	Enabled      bool           `db:"enabled"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	Version      int64          `db:"version"`
}

func (r ssoRow) config() SSOConfig {
	c := SSOConfig{
		Issuer: r.Issuer, ClientID: r.ClientID, Scopes: append([]string{}, r.Scopes...),
		RoleClaim: r.RoleClaim, DefaultRoles: append([]string{}, r.DefaultRoles...),
		Enabled: r.Enabled, UpdatedAt: r.UpdatedAt, Version: r.Version,
	}
	if err := json.Unmarshal(r.RoleMapping, &c.RoleMapping); err != nil || c.RoleMapping == nil {
		c.RoleMapping = map[string][]string{}
	}
	return c
}

const ssoCols = `issuer, client_id, client_secret, scopes, role_claim, role_mapping, default_roles, enabled, created_at, updated_at, version`

func ssoGet(ctx context.Context, tx *sqlx.Tx) (ssoRow, error) {
	var r ssoRow
	err := tx.GetContext(ctx, &r, `SELECT `+ssoCols+` FROM oidc_providers`)
	return r, notFound(err, ErrSSONotFound)
}

func ssoPut(ctx context.Context, tx *sqlx.Tx, tenantID string, r ssoRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO oidc_providers (tenant_id, `+ssoCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (tenant_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
			client_secret = EXCLUDED.client_secret, scopes = EXCLUDED.scopes, role_claim = EXCLUDED.role_claim,
			role_mapping = EXCLUDED.role_mapping, default_roles = EXCLUDED.default_roles,
			enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
		tenantID, r.Issuer, r.ClientID, r.ClientSecret, r.Scopes, r.RoleClaim, r.RoleMapping,
		r.DefaultRoles, r.Enabled, r.CreatedAt, r.UpdatedAt, r.Version)
	return pg.MapError(err)
}

func ssoDelete(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM oidc_providers`)
	return pg.MapError(err)
}
