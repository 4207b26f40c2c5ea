package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Bounds of the clean-up of retired generations: how often it runs, how
// long after the switch a retired generation's rows are deleted (a live
// consumer's transaction that read the generations before the switch may
// still write it until then) and how many rows one statement deletes.
const (
	cleanupEvery = 10 * time.Second
	cleanupGrace = 5 * time.Second
	deleteChunk  = 5000
)

// CleanupJob is the job that deletes retired generations' rows, every
// table's with a gen column, in chunks, then marks them cleaned.
func (r *Rebuilder) CleanupJob() starter.Job {
	return starter.Job{Name: "reporting retired generations", Every: cleanupEvery, Run: r.Cleanup}
}

// Cleanup deletes the rows of every tenant's generations retired more
// than cleanupGrace ago.
func (r *Rebuilder) Cleanup(ctx context.Context) error {
	var due []tenantGen
	if err := r.db.SelectContext(ctx, &due, `SELECT tenant_id, gen FROM rm_retired_due($1 * interval '1 millisecond')`,
		cleanupGrace.Milliseconds()); err != nil {
		return fmt.Errorf("rebuild: retired generations: %w", err)
	}
	for _, g := range due {
		if err := deleteGeneration(ctx, r.db, g.Tenant, g.Gen); err != nil {
			return err
		}
		err := pg.WithTenantTx(ctx, r.db, g.Tenant, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE rm_generations SET cleaned_at = now() WHERE gen = $1 AND state = 'retired'`, g.Gen)
			return err
		})
		if err != nil {
			return fmt.Errorf("rebuild: mark generation %d cleaned: %w", g.Gen, err)
		}
	}
	return nil
}

// deleteGeneration deletes tenant's rows of gen from every table with a
// gen column but rm_generations, deleteChunk rows per transaction.
func deleteGeneration(ctx context.Context, db *sqlx.DB, tenant string, gen rm.Gen) error {
	var tables []string
	if err := db.SelectContext(ctx, &tables, `SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND c.column_name = 'gen' AND t.table_type = 'BASE TABLE'
		  AND c.table_name <> 'rm_generations' ORDER BY c.table_name`); err != nil {
		return fmt.Errorf("rebuild: tables by generation: %w", err)
	}
	for _, table := range tables {
		q := fmt.Sprintf(`DELETE FROM %[1]s WHERE ctid IN (SELECT ctid FROM %[1]s WHERE gen = $1 LIMIT %[2]d)`,
			pq.QuoteIdentifier(table), deleteChunk)
		for {
			var n int64
			err := pg.WithTenantTx(ctx, db, tenant, func(tx *sqlx.Tx) error {
				res, err := tx.ExecContext(ctx, q, gen)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return fmt.Errorf("rebuild: delete generation %d of %s: %w", gen, table, err)
			}
			if n < deleteChunk {
				break
			}
		}
	}
	return nil
}
