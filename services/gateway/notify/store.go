package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Notification is one notification of one user.
type Notification struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	Params    map[string]string `json:"params"`
	Link      string            `json:"link"`
	CreatedAt time.Time         `json:"createdAt"`
	ReadAt    *time.Time        `json:"readAt,omitempty"`
}

// Preference is whether a user gets a kind in the console and by email.
type Preference struct {
	Kind  string `json:"kind"`
	InApp bool   `json:"inApp"`
	Email bool   `json:"email"`
}

// Store reads and writes notifications and notification_preferences as the
// gateway's runtime role, under row-level security: every call names its
// tenant and user.
type Store struct {
	db *sqlx.DB
}

// NewStore returns a Store over db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// row is a notifications row.
type row struct {
	ID        string     `db:"id"`
	Kind      string     `db:"kind"`
	Params    []byte     `db:"params"`
	Link      string     `db:"link"`
	CreatedAt time.Time  `db:"created_at"`
	ReadAt    *time.Time `db:"read_at"`
}

func (r row) notification() (Notification, error) {
	n := Notification{ID: r.ID, Kind: r.Kind, Link: r.Link, CreatedAt: r.CreatedAt.UTC(), ReadAt: r.ReadAt}
	if n.ReadAt != nil {
		t := n.ReadAt.UTC()
		n.ReadAt = &t
	}
	if err := json.Unmarshal(r.Params, &n.Params); err != nil {
		return n, fmt.Errorf("notify: params of %s: %w", r.ID, err)
	}
	return n, nil
}

const columns = `id, kind, params, link, created_at, read_at`

// insert writes n for user in tx, a transaction of the user's tenant.
func insert(ctx context.Context, tx *sqlx.Tx, tenant, user string, n Notification) error {
	params, err := json.Marshal(n.Params)
	if err != nil {
		return fmt.Errorf("notify: params: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (tenant_id, id, user_id, kind, params, link, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tenant, n.ID, user, n.Kind, params, n.Link, n.CreatedAt)
	if err != nil {
		return fmt.Errorf("notify: insert: %w", err)
	}
	return nil
}

// firstTime records in tx (a transaction of tenant's) that user has been
// told of key and reports whether it is the first time.
func firstTime(ctx context.Context, tx *sqlx.Tx, tenant, user, key string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO notification_once (tenant_id, user_id, key, created_at) VALUES ($1, $2, $3, now())
		ON CONFLICT DO NOTHING`, tenant, user, key)
	if err != nil {
		return false, fmt.Errorf("notify: record once: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// query runs a select of notifications in a tenant transaction.
func (s *Store) query(ctx context.Context, tenant, q string, args ...any) ([]Notification, error) {
	var rows []row
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error { return tx.SelectContext(ctx, &rows, q, args...) })
	if err != nil {
		return nil, fmt.Errorf("notify: read: %w", err)
	}
	out := make([]Notification, 0, len(rows))
	for _, r := range rows {
		n, err := r.notification()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// List returns up to n of user's notifications newest first, those before
// the id before when it is set, only the unread ones when unread.
func (s *Store) List(ctx context.Context, tenant, user string, unread bool, before string, n int) ([]Notification, error) {
	return s.query(ctx, tenant, `SELECT `+columns+` FROM notifications
		WHERE tenant_id = $1 AND user_id = $2 AND ($3 = '' OR id < $3::uuid) AND (NOT $4 OR read_at IS NULL)
		ORDER BY id DESC LIMIT $5`, tenant, user, before, unread, n)
}

// Since returns up to n of user's notifications after the id after
// ("" for all), oldest first: what a stream missed.
func (s *Store) Since(ctx context.Context, tenant, user, after string, n int) ([]Notification, error) {
	return s.query(ctx, tenant, `SELECT `+columns+` FROM notifications
		WHERE tenant_id = $1 AND user_id = $2 AND ($3 = '' OR id > $3::uuid)
		ORDER BY id LIMIT $4`, tenant, user, after, n)
}

// Latest returns the id of user's newest notification, "" without one.
func (s *Store) Latest(ctx context.Context, tenant, user string) (string, error) {
	var id string
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `SELECT id FROM notifications WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1`, tenant, user)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("notify: latest: %w", err)
	}
	return id, nil
}

// UnreadCount counts user's unread notifications.
func (s *Store) UnreadCount(ctx context.Context, tenant, user string) (int, error) {
	var n int
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &n, `SELECT count(*) FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`, tenant, user)
	})
	if err != nil {
		return 0, fmt.Errorf("notify: count unread: %w", err)
	}
	return n, nil
}

// MarkRead marks user's notification id read (once: a second call keeps the
// first time) and returns it; ErrNotFound if user has no such notification.
func (s *Store) MarkRead(ctx context.Context, tenant, user, id string) (Notification, error) {
	list, err := s.query(ctx, tenant, `UPDATE notifications SET read_at = coalesce(read_at, now())
		WHERE tenant_id = $1 AND user_id = $2 AND id = $3 RETURNING `+columns, tenant, user, id)
	if err != nil {
		return Notification{}, err
	}
	if len(list) == 0 {
		return Notification{}, ErrNotFound
	}
	return list[0], nil
}

// MarkAllRead marks every unread notification of user read and returns
// how many it marked.
func (s *Store) MarkAllRead(ctx context.Context, tenant, user string) (int64, error) {
	var n int64
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = now()
			WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`, tenant, user)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	return n, nil
}

// preferences returns user's preference of every registered kind, the
// kind's defaults where user has set none, in q (a tenant transaction).
func preferences(ctx context.Context, q sqlx.QueryerContext, tenant, user string) ([]Preference, error) {
	var set []Preference
	if err := sqlx.SelectContext(ctx, q, &set, `SELECT kind, in_app AS "inapp", email FROM notification_preferences
		WHERE tenant_id = $1 AND user_id = $2`, tenant, user); err != nil {
		return nil, fmt.Errorf("notify: read preferences: %w", err)
	}
	all := Kinds()
	out := make([]Preference, 0, len(all))
	for _, k := range all {
		p := Preference{Kind: k.Name, InApp: k.InApp, Email: k.Email}
		for _, s := range set {
			if s.Kind == k.Name {
				p = s
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Preferences returns user's preferences of every kind.
func (s *Store) Preferences(ctx context.Context, tenant, user string) (out []Preference, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		out, err = preferences(ctx, tx, tenant, user)
		return err
	})
	return out, err
}

// SetPreferences stores prefs (of registered kinds) for user and returns
// all of user's preferences.
func (s *Store) SetPreferences(ctx context.Context, tenant, user string, prefs []Preference) (out []Preference, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		for _, p := range prefs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_preferences (tenant_id, user_id, kind, in_app, email, updated_at)
				VALUES ($1, $2, $3, $4, $5, now())
				ON CONFLICT (tenant_id, user_id, kind) DO UPDATE SET in_app = excluded.in_app, email = excluded.email, updated_at = now()`,
				tenant, user, p.Kind, p.InApp, p.Email); err != nil {
				return fmt.Errorf("notify: write preference: %w", err)
			}
		}
		out, err = preferences(ctx, tx, tenant, user)
		return err
	})
	return out, err
}
