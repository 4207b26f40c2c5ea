package outbox

import (
	"context"
	"embed"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Channel is the NOTIFY channel that wakes the relay.
const Channel = "rapport_outbox"

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the outbox table's schema, for pg.Migrate.
func Migrations() pg.Source { return pg.EmbeddedSource("outbox", migrationFiles, "migrations") }

// Add stores ev for topic in tx, the transaction of the change it describes.
// It becomes visible to the relay, and is published, only if tx commits.
// tx must be a tenant transaction of ev.TenantID (pg.WithTenantTx).
//
// The relay is woken when tx commits: in process, when a relay runs here and
// tx is run by pg.WithTx; otherwise by NOTIFY on Channel, which every relay
// of the database listens to. NOTIFY makes PostgreSQL serialise the commits
// of notifying transactions, so the in-process wake-up is preferred.
func Add(ctx context.Context, tx *sqlx.Tx, topic string, ev events.Event) error {
	notify := !(localRelays.running() && pg.OnCommit(tx, localRelays.wake))
	_, err := tx.ExecContext(ctx, `
		INSERT INTO outbox (tenant_id, topic, event_id, source, type, subject, time, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		ev.TenantID, topic, ev.ID, ev.Source, ev.Type, ev.Subject, ev.Time, string(ev.Data))
	if err == nil && notify {
		_, err = tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, Channel)
	}
	if err != nil {
		return fmt.Errorf("outbox: add %s: %w", ev.Type, pg.MapError(err))
	}
	return nil
}
