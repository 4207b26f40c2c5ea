package cases

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Filter selects cases: each set field must match.
type Filter struct {
	// Statuses are the statuses a case may have (any of them).
	Statuses []string
	QueueID  string
	// AssigneeID is a user id, or "me" for the caller.
	AssigneeID, Priority, Channel, ContactID, AccountID string
	// Tag selects the cases with the tag, regardless of case.
	Tag string
	// Query is a part of the subject, regardless of case, or the case's
	// number ("42" or "#42").
	Query string
	// Queue is the queue view: the cases being worked (Active), by SLA
	// due (none last), then number; otherwise newest first.
	Queue bool
}

// cursor is where a page of a list starts: after the case of Number (and,
// in the queue view, Due; nil for none).
type cursor struct {
	Number int64      `json:"n"`
	Due    *time.Time `json:"d,omitempty"`
}

// List returns a page of up to limit cases f selects, after cursor (""
// from the first).
func (s *Service) List(ctx context.Context, f Filter, cur string, limit int) (Page, error) {
	var after *cursor
	if cur != "" {
		after = &cursor{}
		if err := s.cursors.DecodeCursor(cur, after); err != nil {
			return Page{}, err
		}
	}
	var items []Case
	err := s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) (err error) {
		items, err = list(ctx, tx, p, f, after, limit+1)
		return err
	})
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: items}
	if len(items) > limit {
		last := items[limit-1]
		page.Items, page.NextCursor = items[:limit], s.cursors.EncodeCursor(cursor{Number: last.Number, Due: last.SLADueAt})
	}
	return page, nil
}

// likeAny is s as a LIKE pattern of the strings that contain it, in lower
// case.
func likeAny(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%"
}

// list reads up to limit cases f selects after after (nil: from the
// first), in tx, for p.
func list(ctx context.Context, tx *outbox.Tx, p auth.Principal, f Filter, after *cursor, limit int) ([]Case, error) {
	q := &pgrecord.Query{}
	q.Add("deleted_at IS NULL")
	if len(f.Statuses) > 0 {
		q.Add("status = ANY(?)", pq.StringArray(f.Statuses))
	}
	if f.AssigneeID == "me" {
		f.AssigneeID = p.UserID
	}
	for _, c := range []struct{ col, v string }{{"queue_id", f.QueueID}, {"assignee_id", f.AssigneeID}, {"priority", f.Priority},
		{"channel", f.Channel}, {"contact_id", f.ContactID}, {"account_id", f.AccountID}} {
		if c.v != "" {
			q.Add(c.col+" = ?", c.v)
		}
	}
	if f.Tag != "" {
		q.Add("tag_keys @> ?", pq.StringArray{strings.ToLower(f.Tag)})
	}
	if f.Query != "" {
		if n, err := strconv.ParseInt(strings.TrimPrefix(f.Query, "#"), 10, 64); err == nil {
			q.Add("(number = ? OR lower(subject) LIKE ?)", n, likeAny(f.Query))
		} else {
			q.Add("lower(subject) LIKE ?", likeAny(f.Query))
		}
	}
	order := "number DESC"
	if f.Queue {
		q.Add("status NOT IN ('solved', 'closed')")
		order = "sla_due_at ASC NULLS LAST, number ASC"
		switch {
		case after != nil && after.Due != nil:
			q.Add("(sla_due_at > ? OR (sla_due_at = ? AND number > ?) OR sla_due_at IS NULL)", *after.Due, *after.Due, after.Number)
		case after != nil:
			q.Add("(sla_due_at IS NULL AND number > ?)", after.Number)
		}
	} else if after != nil {
		q.Add("number < ?", after.Number)
	}
	var rs []row
	if err := tx.SQL().SelectContext(ctx, &rs, "SELECT "+columns+" FROM cases"+q.Where()+" ORDER BY "+order+" LIMIT "+strconv.Itoa(limit), q.Args...); err != nil {
		return nil, fmt.Errorf("list cases: %w", pg.MapError(err))
	}
	return casesOf(ctx, tx, rs)
}
