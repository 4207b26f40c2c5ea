package idempotency

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the table Store keeps keys in.
func Migrations() pg.Source { return pg.EmbeddedSource("idempotency", migrationFiles, "migrations") }

// Store is Keys in PostgreSQL: the table of Migrations, each tenant's rows
// behind row-level security.
type Store struct{ db *sqlx.DB }

// NewStore returns the Store of db (the service's runtime role).
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// kept is a row of idempotency_keys.
type kept struct {
	Hash    string `db:"request_hash"`
	Status  int    `db:"status"`
	Headers []byte `db:"headers"`
	Body    []byte `db:"body"`
}

// Claim implements Keys.
func (s *Store) Claim(ctx context.Context, tenant, route, key, hash string) (*Response, error) {
	var prev *Response
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE route = $1 AND key = $2
			AND (created_at < now() - interval '24 hours' OR (status = 0 AND created_at < now() - make_interval(secs => $3)))`,
			route, key, ClaimLease.Seconds()); err != nil {
			return pg.MapError(err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, route, key, request_hash)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, tenant, route, key, hash)
		if err != nil {
			return pg.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var k kept
		if err := tx.GetContext(ctx, &k, `SELECT request_hash, status, headers, body FROM idempotency_keys
			WHERE route = $1 AND key = $2`, route, key); err != nil {
			return pg.MapError(err)
		}
		switch {
		case k.Hash != hash:
			return ErrMismatch
		case k.Status == 0:
			return ErrInFlight
		}
		prev = &Response{Status: k.Status, Body: k.Body}
		return json.Unmarshal(k.Headers, &prev.Headers)
	})
	if err != nil {
		return nil, err
	}
	return prev, nil
}

// Complete implements Keys.
func (s *Store) Complete(ctx context.Context, tenant, route, key string, r Response) error {
	headers, err := json.Marshal(r.Headers)
	if err != nil {
		return err
	}
	return pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, headers = $4, body = $5
			WHERE route = $1 AND key = $2`, route, key, r.Status, headers, r.Body)
		return pg.MapError(err)
	})
}

// Release implements Keys.
func (s *Store) Release(ctx context.Context, tenant, route, key string) error {
	return pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE route = $1 AND key = $2`, route, key)
		if err != nil {
			return fmt.Errorf("release idempotency key: %w", pg.MapError(err))
		}
		return nil
	})
}
