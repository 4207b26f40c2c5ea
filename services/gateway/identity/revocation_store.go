package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// revocationOverlap is how far back each poll reads again before the
// previous one: a revoking transaction inserts its row (at is the insert's
// time) and commits a moment later, so a row may become visible after a
// poll that read past its at. Rows read twice are applied once.
const revocationOverlap = 10 * time.Second

// revocationRetention is how long an expired row stays in the table before
// a replica deletes it.
const revocationRetention = time.Hour

// userMarkTTL is how long a mark of a user or a tenant matters: until every
// access token issued before it (plus the skew) has expired.
const userMarkTTL = AccessTokenTTL + tokenLeeway + revocationSkew

// apiKeyMarkTTL is how long an API key's mark matters: longer than the API
// key cache holds an entry (cache.go); its next use reads the database.
const apiKeyMarkTTL = time.Minute

// revoke inserts a revocation of subject of kind k in tx, a transaction of
// tenantID run by pg.WithTx, and arranges for it to be applied on this
// replica and announced to the others once tx commits.
func (s *Service) revoke(ctx context.Context, tx *sqlx.Tx, tenantID string, k revocationKind, subject string, expires time.Time) error {
	r := revocation{TenantID: tenantID, Kind: k, Subject: subject, Expires: expires}
	err := tx.QueryRowxContext(ctx, `INSERT INTO revocations (tenant_id, kind, subject, expires_at)
		VALUES ($1, $2, $3, $4) RETURNING id, at`, tenantID, string(k), subject, expires).Scan(&r.ID, &r.At)
	if err != nil {
		return fmt.Errorf("identity: record a revocation: %w", pg.MapError(err))
	}
	if !pg.OnCommit(tx, func() { s.announce(context.WithoutCancel(ctx), []revocation{r}) }) {
		return fmt.Errorf("identity: a revocation outside pg.WithTx")
	}
	return nil
}

// revokeUserGrants marks user userID of tenantID: each replica reads their
// principal again (and refuses their tokens once they are not active).
func (s *Service) revokeUserGrants(ctx context.Context, tx *sqlx.Tx, tenantID, userID string) error {
	return s.revoke(ctx, tx, tenantID, revokesUser, userID, s.now().Add(userMarkTTL))
}

// revokeTenantGrants marks every user of tenantID (a role changed, or the
// team tree): each replica reads their principals again.
func (s *Service) revokeTenantGrants(ctx context.Context, tx *sqlx.Tx, tenantID string) error {
	return s.revoke(ctx, tx, tenantID, revokesTenant, tenantID, s.now().Add(userMarkTTL))
}

// revokeSessionAccess revokes the access tokens issued with the refresh
// tokens of family familyID that may not have expired yet.
func (s *Service) revokeSessionAccess(ctx context.Context, tx *sqlx.Tx, tenantID, familyID string) error {
	var rows []struct {
		JTI       string    `db:"access_jti"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT access_jti, created_at FROM refresh_tokens
		WHERE family_id = $1 AND access_jti IS NOT NULL AND created_at > $2`,
		familyID, s.now().Add(-AccessTokenTTL-tokenLeeway)); err != nil {
		return fmt.Errorf("identity: read a session's access tokens: %w", pg.MapError(err))
	}
	for _, r := range rows {
		if err := s.revoke(ctx, tx, tenantID, revokesSession, r.JTI, r.CreatedAt.Add(AccessTokenTTL+tokenLeeway)); err != nil {
			return err
		}
	}
	return nil
}

// readRevocations returns the rows that have not expired and were recorded
// after since (every one when since is zero), with the database's time
// before reading them.
func readRevocations(ctx context.Context, db *sqlx.DB, since time.Time) ([]revocation, time.Time, error) {
	var revs []revocation
	var now time.Time
	err := pg.WithTx(ctx, db, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &now, `SELECT clock_timestamp()`); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &revs, `SELECT id, tenant_id, kind, subject, at, expires_at FROM revocations
			WHERE ($1::timestamptz IS NULL OR at > $1) AND expires_at > $2 ORDER BY id`, nullTime(since), now)
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("identity: read revocations: %w", pg.MapError(err))
	}
	return revs, now, nil
}

// pruneRevocations deletes the rows expired for longer than
// revocationRetention.
func pruneRevocations(ctx context.Context, db *sqlx.DB) error {
	_, err := db.ExecContext(ctx, `DELETE FROM revocations WHERE expires_at < now() - $1::interval`,
		fmt.Sprintf("%d seconds", int(revocationRetention/time.Second)))
	if err != nil {
		return fmt.Errorf("identity: prune revocations: %w", pg.MapError(err))
	}
	return nil
}

// nullTime is t, or NULL when t is zero.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
