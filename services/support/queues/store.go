package queues

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// queueRow is a row of support_queues.
type queueRow struct {
	ID              string         `db:"id"`
	Name            string         `db:"name"`
	Description     string         `db:"description"`
	Members         []byte         `db:"members"`
	RequiredSkills  pq.StringArray `db:"required_skills"`
	AssignmentMode  string         `db:"assignment_mode"`
	DefaultPriority string         `db:"default_priority"`
	RRCursor        string         `db:"rr_cursor"`
	CreatedAt       time.Time      `db:"created_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
	Version         int64          `db:"version"`
}

// queueColumns are the columns of a queueRow.
const queueColumns = `id, name, description, members, required_skills, assignment_mode, default_priority, rr_cursor, created_at,
	updated_at, version`

// queue is the Queue of r.
func (r queueRow) queue() (*Queue, error) {
	q := &Queue{ID: r.ID, Name: r.Name, Description: r.Description, RequiredSkills: append([]string{}, r.RequiredSkills...),
		AssignmentMode: r.AssignmentMode, DefaultPriority: r.DefaultPriority, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Version: r.Version}
	if err := json.Unmarshal(r.Members, &q.Members); err != nil {
		return nil, fmt.Errorf("read queue members: %w", err)
	}
	return q, nil
}

// saveQueue inserts or updates q's row (never its round-robin cursor).
func saveQueue(ctx context.Context, tx *outbox.Tx, q *Queue, insert bool) error {
	members, err := json.Marshal(q.Members)
	if err != nil {
		return err
	}
	sql := `UPDATE support_queues SET name = $2, description = $3, members = $4, required_skills = $5, assignment_mode = $6,
		default_priority = $7, created_at = $8, updated_at = $9, version = $10 WHERE id = $1`
	if insert {
		sql = `INSERT INTO support_queues (tenant_id, id, name, description, members, required_skills, assignment_mode, default_priority,
			created_at, updated_at, version) VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	}
	if _, err := tx.SQL().ExecContext(ctx, sql, q.ID, q.Name, q.Description, string(members), pq.StringArray(q.RequiredSkills),
		q.AssignmentMode, q.DefaultPriority, q.CreatedAt, q.UpdatedAt, q.Version); err != nil {
		if pg.IsUniqueViolation(err, "support_queues_name") {
			return ErrQueueExists.WithDetail("a support queue named %q exists", q.Name)
		}
		return fmt.Errorf("save support queue: %w", pg.MapError(err))
	}
	return nil
}

// getQueue reads the queue id, locking it when lock.
func getQueue(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Queue, error) {
	q, _, err := getQueueRow(ctx, tx, id, lock)
	return q, err
}

// getQueueRow reads the queue id with its round-robin cursor, locking it
// when lock.
func getQueueRow(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Queue, string, error) {
	var r queueRow
	if err := pgrecord.GetRow(ctx, tx, &r, "support_queues", queueColumns, id, lock, ErrQueueNotFound, "support queue"); err != nil {
		return nil, "", err
	}
	q, err := r.queue()
	return q, r.RRCursor, err
}

// listQueues returns the tenant's queues by name.
func listQueues(ctx context.Context, tx *outbox.Tx) ([]Queue, error) {
	var rows []queueRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+queueColumns+" FROM support_queues ORDER BY lower(name), id"); err != nil {
		return nil, fmt.Errorf("list support queues: %w", pg.MapError(err))
	}
	out := make([]Queue, len(rows))
	for i, r := range rows {
		q, err := r.queue()
		if err != nil {
			return nil, err
		}
		out[i] = *q
	}
	return out, nil
}

// setCursor stores the round-robin cursor of the queue id.
func setCursor(ctx context.Context, tx *outbox.Tx, id, cursor string) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE support_queues SET rr_cursor = $2 WHERE id = $1", id, cursor); err != nil {
		return fmt.Errorf("save round-robin cursor: %w", pg.MapError(err))
	}
	return nil
}

// queueRows is how pgrecord.UpdateIn reads, writes and deletes queues.
var queueRows = pgrecord.Rows[*Queue]{
	Entity: supportdb.EntitySupportQueue,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Queue, error) {
		return getQueue(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *Queue) error {
		return saveQueue(ctx, tx, next, false)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
		var used bool
		if err := tx.SQL().GetContext(ctx, &used, "SELECT EXISTS (SELECT 1 FROM routing_rules WHERE queue_id = $1)", id); err != nil {
			return fmt.Errorf("find routing rules of the queue: %w", pg.MapError(err))
		}
		if used {
			return ErrQueueInUse
		}
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM support_queues WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete support queue: %w", pg.MapError(err))
		}
		return nil
	},
}
