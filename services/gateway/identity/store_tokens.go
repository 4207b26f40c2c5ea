package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// setLookup makes the row whose lookup value (API key prefix or token hash)
// is v visible to this transaction through the tables' "lookup" policies.
func setLookup(ctx context.Context, tx *sqlx.Tx, v string) error {
	_, err := tx.ExecContext(ctx, `SELECT set_config('app.lookup', $1, true)`, v)
	return pg.MapError(err)
}

// setTenant scopes the rest of the transaction to tenantID, once a lookup has
// told which tenant the secret belongs to.
func setTenant(ctx context.Context, tx *sqlx.Tx, tenantID string) error {
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenantID); err != nil {
		return fmt.Errorf("identity: set tenant: %w", pg.MapError(err))
	}
	return nil
}

// refreshRow is a refresh_tokens row.
type refreshRow struct {
	TenantID  string     `db:"tenant_id"`
	ID        string     `db:"id"`
	UserID    string     `db:"user_id"`
	FamilyID  string     `db:"family_id"`
	ExpiresAt time.Time  `db:"expires_at"`
	SpentAt   *time.Time `db:"spent_at"`
	RevokedAt *time.Time `db:"revoked_at"`
}

// refreshByHash finds a refresh token by the hash of its secret.
func refreshByHash(ctx context.Context, tx *sqlx.Tx, hash string) (refreshRow, error) {
	if err := setLookup(ctx, tx, hash); err != nil {
		return refreshRow{}, err
	}
	var r refreshRow
	err := tx.GetContext(ctx, &r, `SELECT tenant_id, id, user_id, family_id, expires_at, spent_at, revoked_at
		FROM refresh_tokens WHERE token_hash = $1`, hash)
	if err != nil {
		return refreshRow{}, notFound(err, ErrBadRefreshToken)
	}
	return r, nil
}

// insertRefresh records a refresh token and the jti of the access token
// issued with it.
func insertRefresh(ctx context.Context, tx *sqlx.Tx, tenantID, userID, familyID, hash, accessJTI string, now time.Time, ttl time.Duration) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (tenant_id, id, user_id, family_id, token_hash, access_jti, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tenantID, ids.New(), userID, familyID, hash, accessJTI, now.Add(ttl), now)
	return pg.MapError(err)
}

// spendRefresh marks a token used; false means it was already spent or
// revoked (a concurrent reuse).
func spendRefresh(ctx context.Context, tx *sqlx.Tx, id string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET spent_at = $2
		WHERE id = $1 AND spent_at IS NULL AND revoked_at IS NULL`, id, now)
	if err != nil {
		return false, pg.MapError(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// revokeFamily revokes every live token of a family.
func revokeFamily(ctx context.Context, tx *sqlx.Tx, familyID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = $2
		WHERE family_id = $1 AND revoked_at IS NULL`, familyID, now)
	return pg.MapError(err)
}

// revokeUserTokens revokes every refresh token of a user.
func revokeUserTokens(ctx context.Context, tx *sqlx.Tx, userID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = $2
		WHERE user_id = $1 AND revoked_at IS NULL`, userID, now)
	return pg.MapError(err)
}

// invitationRow is an invitations row.
type invitationRow struct {
	TenantID   string     `db:"tenant_id"`
	ID         string     `db:"id"`
	UserID     string     `db:"user_id"`
	ExpiresAt  time.Time  `db:"expires_at"`
	AcceptedAt *time.Time `db:"accepted_at"`
}

func insertInvitation(ctx context.Context, tx *sqlx.Tx, tenantID, userID, hash string, now time.Time, ttl time.Duration) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO invitations (tenant_id, id, user_id, token_hash, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, tenantID, ids.New(), userID, hash, now.Add(ttl), now)
	return pg.MapError(err)
}

func invitationByHash(ctx context.Context, tx *sqlx.Tx, hash string) (invitationRow, error) {
	if err := setLookup(ctx, tx, hash); err != nil {
		return invitationRow{}, err
	}
	var r invitationRow
	err := tx.GetContext(ctx, &r, `SELECT tenant_id, id, user_id, expires_at, accepted_at
		FROM invitations WHERE token_hash = $1`, hash)
	return r, notFound(err, ErrBadInvitation)
}

func acceptInvitation(ctx context.Context, tx *sqlx.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE invitations SET accepted_at = $2 WHERE id = $1`, id, now)
	return pg.MapError(err)
}

// apiKeyRow is an api_keys row with its secret hash and tenant.
type apiKeyRow struct {
	APIKey
	TenantID   string         `db:"tenant_id"`
	SecretHash []byte         `db:"secret_hash"`
	ScopesArr  pq.StringArray `db:"scopes"`
}

func (r apiKeyRow) key() APIKey {
	k := r.APIKey
	k.Scopes = append([]string{}, r.ScopesArr...)
	return k
}

const apiKeyCols = `tenant_id, id, user_id, name, prefix, secret_hash, scopes, expires_at, last_used_at, revoked_at, created_at`

func apiKeyByPrefix(ctx context.Context, tx *sqlx.Tx, prefix string) (apiKeyRow, error) {
	if err := setLookup(ctx, tx, prefix); err != nil {
		return apiKeyRow{}, err
	}
	var r apiKeyRow
	err := tx.GetContext(ctx, &r, `SELECT `+apiKeyCols+` FROM api_keys WHERE prefix = $1`, prefix)
	return r, notFound(err, ErrInvalidAPIKey)
}

func apiKeyByID(ctx context.Context, tx *sqlx.Tx, id string) (apiKeyRow, error) {
	if !ids.Valid(id) {
		return apiKeyRow{}, ErrAPIKeyNotFound
	}
	var r apiKeyRow
	err := tx.GetContext(ctx, &r, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = $1`, id)
	return r, notFound(err, ErrAPIKeyNotFound)
}

func listAPIKeys(ctx context.Context, tx *sqlx.Tx, after string, limit int) ([]APIKey, error) {
	var rows []apiKeyRow
	err := tx.SelectContext(ctx, &rows, `SELECT `+apiKeyCols+` FROM api_keys
		WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, pg.MapError(err)
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	return out, nil
}

func insertAPIKey(ctx context.Context, tx *sqlx.Tx, r apiKeyRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.TenantID, r.ID, r.UserID, r.Name, r.Prefix, r.SecretHash, pq.StringArray(r.Scopes),
		r.ExpiresAt, r.LastUsedAt, r.RevokedAt, r.CreatedAt)
	return pg.MapError(err)
}

func revokeAPIKey(ctx context.Context, tx *sqlx.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, now)
	return pg.MapError(err)
}

// touchAPIKeys records last use of keys of one tenant.
func touchAPIKeys(ctx context.Context, tx *sqlx.Tx, used map[string]time.Time) error {
	for id, at := range used {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2
			WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`, id, at); err != nil {
			return pg.MapError(err)
		}
	}
	return nil
}
