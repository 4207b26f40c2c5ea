package pg_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Statements runs a query unprepared the first time, prepares it in the
// background — on a pool of one connection, which the first transaction
// holds, so preparing in line would never end — and runs it prepared in
// later transactions, named queries included. A query beyond the limit runs
// unprepared, with the same results.
func TestStatementsPrepareInTheBackground(t *testing.T) {
	_, app := setup(t)
	app.SetMaxOpenConns(1)
	stmts := pg.NewStatements(app, 2)
	ctx := context.Background()
	tenant := uuid.NewString()
	const (
		insert = `INSERT INTO notes (tenant_id, id, body) VALUES (CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid), :id, :body)`
		count  = `SELECT count(*) FROM notes WHERE body = $1`
		other  = `SELECT count(*) FROM notes WHERE body <> $1`
	)
	bound, _, err := sqlx.BindNamed(sqlx.DOLLAR, insert, map[string]any{"id": "", "body": ""})
	if err != nil {
		t.Fatal(err)
	}
	// round inserts a note and counts the notes in one transaction, and
	// returns the counts and how many of the three queries the session had
	// prepared.
	round := func() (same, others, prepared int) {
		t.Helper()
		done := make(chan error, 1)
		go func() {
			done <- pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
				q := stmts.In(tx)
				if _, err := sqlx.NamedExecContext(ctx, q, insert, map[string]any{"id": uuid.NewString(), "body": "x"}); err != nil {
					return err
				}
				if err := sqlx.GetContext(ctx, q, &same, count, "x"); err != nil {
					return err
				}
				if err := sqlx.GetContext(ctx, q, &others, other, "x"); err != nil {
					return err
				}
				return tx.Get(&prepared, `SELECT count(*) FROM pg_prepared_statements WHERE statement IN ($1, $2, $3)`,
					bound, count, other)
			})
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a transaction using Statements on a pool of one connection did not end")
		}
		return same, others, prepared
	}
	if same, others, prepared := round(); same != 1 || others != 0 || prepared != 0 {
		t.Fatalf("first round: %d notes, %d others, %d prepared; want 1, 0, 0", same, others, prepared)
	}
	for n := 2; ; n++ {
		same, others, prepared := round()
		if same != n || others != 0 {
			t.Fatalf("round %d: %d notes, %d others; want %d, 0", n, same, others, n)
		}
		if prepared == 2 {
			break // the first two queries; the third is beyond the limit
		}
		if prepared > 2 || n == 50 {
			t.Fatalf("round %d: %d of the queries prepared, want the 2 the limit allows", n, prepared)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
