package queues

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Presence is an agent's presence: online (assigned cases), away or
// offline (not assigned). An agent who never set one is offline.
type Presence struct {
	UserID    string     `json:"userId"`
	Status    string     `json:"status"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// The presence statuses.
const (
	StatusOnline  = "online"
	StatusAway    = "away"
	StatusOffline = "offline"
)

// Statuses are the presence statuses.
var Statuses = []string{StatusOnline, StatusAway, StatusOffline}

// Agent is a member of queues or an agent with a presence: their
// presence, their open (not solved nor closed) cases and their queues.
type Agent struct {
	UserID    string     `json:"userId"`
	Status    string     `json:"status"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
	OpenCases int        `json:"openCases"`
	QueueIDs  []string   `json:"queueIds"`
}

// presenceRow is a row of agent_presence.
type presenceRow struct {
	UserID    string    `db:"user_id"`
	Status    string    `db:"status"`
	UpdatedAt time.Time `db:"updated_at"`
}

// presence is the Presence of r.
func (r presenceRow) presence() Presence {
	at := r.UpdatedAt.UTC()
	return Presence{UserID: r.UserID, Status: r.Status, UpdatedAt: &at}
}

// getPresence reads userID's presence, offline when they have none.
func getPresence(ctx context.Context, tx *outbox.Tx, userID string) (Presence, error) {
	var r presenceRow
	err := tx.SQL().GetContext(ctx, &r, "SELECT user_id, status, updated_at FROM agent_presence WHERE user_id = $1", userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Presence{UserID: userID, Status: StatusOffline}, nil
	}
	if err != nil {
		return Presence{}, fmt.Errorf("read presence: %w", pg.MapError(err))
	}
	return r.presence(), nil
}

// setPresence stores p, locking the agent's row as an assignment does.
func setPresence(ctx context.Context, tx *outbox.Tx, p Presence) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO agent_presence (tenant_id, user_id, status, updated_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
		p.UserID, p.Status, p.UpdatedAt); err != nil {
		return fmt.Errorf("save presence: %w", pg.MapError(err))
	}
	return nil
}

// listPresence returns every agent's presence by user id.
func listPresence(ctx context.Context, tx *outbox.Tx) (map[string]Presence, error) {
	var rows []presenceRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT user_id, status, updated_at FROM agent_presence"); err != nil {
		return nil, fmt.Errorf("list presence: %w", pg.MapError(err))
	}
	out := make(map[string]Presence, len(rows))
	for _, r := range rows {
		out[r.UserID] = r.presence()
	}
	return out, nil
}

// lockOnline locks the presence rows of users, in user id order (every
// assignment's order), and returns those of them online.
func lockOnline(ctx context.Context, tx *outbox.Tx, users []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(users) == 0 {
		return out, nil
	}
	var rows []presenceRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT user_id, status, updated_at FROM agent_presence WHERE user_id = ANY($1)
		ORDER BY user_id FOR UPDATE`, pq.StringArray(users)); err != nil {
		return nil, fmt.Errorf("lock presence: %w", pg.MapError(err))
	}
	for _, r := range rows {
		out[r.UserID] = r.Status == StatusOnline
	}
	return out, nil
}

// openCases counts the open (not solved nor closed) cases assigned to
// each of users.
func openCases(ctx context.Context, tx *outbox.Tx, users []string) (map[string]int, error) {
	out := map[string]int{}
	if len(users) == 0 {
		return out, nil
	}
	var rows []struct {
		UserID string `db:"assignee_id"`
		N      int    `db:"n"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT assignee_id, count(*) AS n FROM cases WHERE assignee_id = ANY($1)
		AND deleted_at IS NULL AND status NOT IN ('solved', 'closed') GROUP BY assignee_id`, pq.StringArray(users)); err != nil {
		return nil, fmt.Errorf("count open cases: %w", pg.MapError(err))
	}
	for _, r := range rows {
		out[r.UserID] = r.N
	}
	return out, nil
}
