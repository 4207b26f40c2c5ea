// Package numbering gives gap-free number sequences per tenant: quote
// numbers per year (sales), case numbers (support). A sequence is a row of
// number_sequences (tenant, name, scope) holding the last number given;
// Next raises it in the caller's transaction, so concurrent takers queue on
// the row and take consecutive numbers, and a transaction that rolls back
// gives its number back (a database sequence would leave a gap).
//
// The table lives in each service's database: a service that numbers adds
// Migrations to its starter.Service's Migrations, before its own source
// when one of its migrations uses the table.
package numbering

import (
	"context"
	"embed"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the schema of the sequences' table, for pg.Migrate.
func Migrations() pg.Source { return pg.EmbeddedSource("numbering", migrationFiles, "migrations") }

// Next takes the next number of the sequence name in scope ("" when the
// sequence has one scope; a year when it starts again each year) of the
// transaction's tenant: 1 for a new sequence. tx must be a transaction
// with its tenant set (pg.WithTenantTx, outbox.Tx.SQL()): the sequence's
// row stays locked until it ends, which is what keeps the numbers without
// gaps, so number as late in the transaction as the caller can.
func Next(ctx context.Context, tx sqlx.QueryerContext, name, scope string) (int64, error) {
	var n int64
	err := sqlx.GetContext(ctx, tx, &n, `INSERT INTO number_sequences (tenant_id, name, scope, last)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, 1)
		ON CONFLICT (tenant_id, name, scope) DO UPDATE SET last = number_sequences.last + 1 RETURNING last`, name, scope)
	if err != nil {
		return 0, fmt.Errorf("numbering: next %s number: %w", name, pg.MapError(err))
	}
	return n, nil
}
