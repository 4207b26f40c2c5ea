package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "gateway-notify"

// Channel is the PostgreSQL channel a stored notification is signalled on;
// its payload is a signal's JSON.
const Channel = "rapport_notifications"

// signal is the payload of a NOTIFY on Channel: whose notification is new.
type signal struct {
	TenantID string `json:"t"`
	UserID   string `json:"u"`
	ID       string `json:"i"`
}

// Handler turns events into notifications: the events.Handler of
// ConsumerGroup on Topics.
type Handler struct {
	email  bool
	logger *slog.Logger
}

// NewHandler returns the Handler; with email, it queues the emails its
// recipients want for the Sender (without, when the gateway has no SMTP
// server, none).
func NewHandler(email bool, logger *slog.Logger) *Handler {
	return &Handler{email: email, logger: logger}
}

// recipient is what the Handler reads of a user of the gateway's.
type recipient struct {
	ID       string `db:"id"`
	Email    string `db:"email"`
	Name     string `db:"name"`
	Locale   string `db:"locale"`
	TimeZone string `db:"time_zone"`
	Status   string `db:"status"`
}

// Handle is the events.Handler: it stores, in tx (the event's tenant's,
// with its inbox row), the notifications the rules of ev's type make,
// signals them on Channel (delivered at commit) and queues in tx the
// emails of those their recipients want by email (notification_emails). A recipient who is
// no active user of the tenant, or who did what the event tells, gets none;
// nor does one already told of a draft's Once.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	var drafts []Draft
	for _, r := range rulesFor(ev.Type) {
		d, err := r(ev)
		if err != nil {
			return err
		}
		drafts = append(drafts, d...)
	}
	if len(drafts) == 0 {
		return nil
	}
	users, err := h.users(ctx, tx, drafts)
	if err != nil {
		return err
	}
	prefs := map[string][]Preference{}
	for _, d := range drafts {
		u, ok := users[d.UserID]
		if !ok || u.Status != "active" || d.UserID == d.ActorID {
			continue
		}
		if _, ok := lookupKind(d.Kind); !ok {
			return fmt.Errorf("notify: %s %s: a rule made an unregistered kind %q", ev.Type, ev.ID, d.Kind)
		}
		if d.Once != "" {
			first, err := firstTime(ctx, tx, ev.TenantID, u.ID, d.Once)
			if err != nil {
				return err
			}
			if !first {
				continue
			}
		}
		if prefs[u.ID] == nil {
			if prefs[u.ID], err = preferences(ctx, tx, ev.TenantID, u.ID); err != nil {
				return err
			}
		}
		p := prefs[u.ID][slices.IndexFunc(prefs[u.ID], func(p Preference) bool { return p.Kind == d.Kind })]
		n := Notification{ID: ids.New(), Kind: d.Kind, Params: d.Params, Link: d.Link, CreatedAt: pg.Now()}
		if n.Params == nil {
			n.Params = map[string]string{}
		}
		if a, ok := users[d.ActorID]; ok {
			n.Params["actor"] = a.Name
		}
		if p.InApp {
			if err := insert(ctx, tx, ev.TenantID, u.ID, n); err != nil {
				return err
			}
			payload, _ := json.Marshal(signal{TenantID: ev.TenantID, UserID: u.ID, ID: n.ID})
			if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload)); err != nil {
				return fmt.Errorf("notify: signal: %w", err)
			}
		}
		if p.Email && h.email && u.Email != "" {
			if err := queueEmail(ctx, tx, ev.TenantID, u.ID, n); err != nil {
				return err
			}
		}
	}
	h.logger.DebugContext(ctx, "notifications made", "event_id", ev.ID, "type", ev.Type, "drafts", len(drafts))
	return nil
}

// users reads the recipients and actors of drafts of tx's tenant, by id.
func (h *Handler) users(ctx context.Context, tx *sqlx.Tx, drafts []Draft) (map[string]recipient, error) {
	var want []string
	for _, d := range drafts {
		for _, id := range []string{d.UserID, d.ActorID} {
			if ids.Valid(id) && !slices.Contains(want, id) {
				want = append(want, id)
			}
		}
	}
	var list []recipient
	if len(want) > 0 {
		if err := tx.SelectContext(ctx, &list, `SELECT id, email, name, locale, time_zone, status FROM users WHERE id = ANY($1::uuid[])`,
			pq.StringArray(want)); err != nil {
			return nil, fmt.Errorf("notify: read users: %w", err)
		}
	}
	out := make(map[string]recipient, len(list))
	for _, u := range list {
		out[u.ID] = u
	}
	return out, nil
}
