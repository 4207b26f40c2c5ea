package activities

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Me names the caller where a query takes a user's id.
const Me = "me"

// maxCalendarRange is the longest range a calendar query covers.
const maxCalendarRange = 92 * 24 * time.Hour

// Query selects a page of activities, newest first: of the Types (none:
// all), contact, account, assignee (Me: the caller), team, task status,
// tasks due before or after a time, and the record of another service
// Related names ("<service>/<type>/<id>").
type Query struct {
	Types                                []string
	ContactID, AccountID, Assignee, Team string
	Status, Related                      string
	DueBefore, DueAfter                  *time.Time
	Limit                                int
	Cursor                               string
}

// Owners selects whose activities a query lists: an assignee's (Me or ""
// for the caller) or a team's.
type Owners struct {
	Assignee, Team string
}

// CalendarQuery selects the activities of Owners in [From, To) (those
// that start before To and end at or after From, a task at its due time),
// of Types (none: all), by start.
type CalendarQuery struct {
	Owners
	From, To time.Time
	Types    []string
	Limit    int
	Cursor   string
}

// The lists of activities, named in their cursors so that a cursor of one
// is refused by another.
const (
	listAll      = "all"
	listMine     = "mine"
	listOverdue  = "overdue"
	listCalendar = "calendar"
)

// position is a place in a list: the list, the time (nil: a task without
// a due time) and the id of the last item of a page.
type position struct {
	List string     `json:"l"`
	At   *time.Time `json:"t,omitempty"`
	ID   string     `json:"i"`
}

// List implements Service.
func (s *service) List(ctx context.Context, q Query) (customer.Page[Activity], error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return customer.Page[Activity]{}, err
	}
	v := errs.NewValidator()
	checkTypes(v, q.Types)
	v.Check(q.ContactID == "" || ids.Valid(q.ContactID), "contact", "must be a UUID")
	v.Check(q.AccountID == "" || ids.Valid(q.AccountID), "account", "must be a UUID")
	v.Check(q.Status == "" || q.Status == StatusOpen || q.Status == StatusCompleted, "status", "must be open or completed")
	if q.Related != "" {
		parts := strings.SplitN(q.Related, "/", 3)
		v.Check(len(parts) == 3 && serviceName.MatchString(parts[0]) && recordType.MatchString(parts[1]) && parts[2] != "",
			"related", "must name a record as <service>/<type>/<id>, such as sales/opportunity/<id>")
	}
	if err := v.Err(); err != nil {
		return customer.Page[Activity]{}, err
	}
	f := filter{types: q.Types, contact: q.ContactID, account: q.AccountID, assignee: whom(p, q.Assignee), team: q.Team,
		status: q.Status, related: q.Related, dueBefore: q.DueBefore, dueAfter: q.DueAfter}
	return s.page(ctx, p, listAll, q.Limit, q.Cursor, func(tx *pgstore.Tx, after *position, n int) ([]Activity, error) {
		return listNewest(ctx, tx, p, f, after, n)
	})
}

// MyTasks implements Service.
func (s *service) MyTasks(ctx context.Context, limit int, cursor string) (customer.Page[Activity], error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return customer.Page[Activity]{}, err
	}
	return s.page(ctx, p, listMine, limit, cursor, func(tx *pgstore.Tx, after *position, n int) ([]Activity, error) {
		return listOpenTasks(ctx, tx, p, Owners{Assignee: p.UserID}, nil, after, n)
	})
}

// Overdue implements Service.
func (s *service) Overdue(ctx context.Context, q Owners, limit int, cursor string) (customer.Page[Activity], error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return customer.Page[Activity]{}, err
	}
	if err := checkOwners(q); err != nil {
		return customer.Page[Activity]{}, err
	}
	now := s.timestamp()
	return s.page(ctx, p, listOverdue, limit, cursor, func(tx *pgstore.Tx, after *position, n int) ([]Activity, error) {
		return listOpenTasks(ctx, tx, p, owners(p, q), &now, after, n)
	})
}

// Calendar implements Service.
func (s *service) Calendar(ctx context.Context, q CalendarQuery) (customer.Page[Activity], error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return customer.Page[Activity]{}, err
	}
	v := errs.NewValidator()
	v.Check(!q.From.IsZero(), "from", "is required")
	v.Check(!q.To.IsZero(), "to", "is required")
	v.Check(q.To.After(q.From), "to", "must be after from")
	v.Check(q.To.Sub(q.From) <= maxCalendarRange, "to", "must be at most 92 days after from")
	checkTypes(v, q.Types)
	if err := v.Err(); err != nil {
		return customer.Page[Activity]{}, err
	}
	if err := checkOwners(q.Owners); err != nil {
		return customer.Page[Activity]{}, err
	}
	who := owners(p, q.Owners)
	return s.page(ctx, p, listCalendar, q.Limit, q.Cursor, func(tx *pgstore.Tx, after *position, n int) ([]Activity, error) {
		return listCalendarRange(ctx, tx, p, who, q.From, q.To, q.Types, after, n)
	})
}

// page reads a page of up to limit items of list after cursor with fetch,
// which returns up to n items after a position (nil: from the start).
func (s *service) page(ctx context.Context, p auth.Principal, list string, limit int, cursor string,
	fetch func(tx *pgstore.Tx, after *position, n int) ([]Activity, error)) (customer.Page[Activity], error) {
	var page customer.Page[Activity]
	var after *position
	if cursor != "" {
		after = &position{}
		if err := s.cursors.DecodeCursor(cursor, after); err != nil {
			return page, err
		}
		if after.List != list {
			e := kitx.ErrBadCursor.WithDetail("the cursor is of another list")
			e.Fields = []errs.FieldError{{Field: "cursor", Reason: "is of another list; use a nextCursor of this one"}}
			return page, e
		}
	}
	if limit <= 0 || limit > kitx.MaxLimit {
		limit = kitx.DefaultLimit
	}
	err := s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		items, err := fetch(tx, after, limit+1)
		if err != nil {
			return err
		}
		if len(items) > limit {
			items = items[:limit]
			last := items[limit-1]
			pos := position{List: list, At: &last.OccurredAt, ID: last.ID}
			if list == listMine || list == listOverdue {
				pos.At = last.Task.DueAt
			}
			page.NextCursor = s.cursors.EncodeCursor(pos)
		}
		page.Items = items
		return nil
	})
	return page, err
}

// checkTypes validates a list of activity types.
func checkTypes(v *errs.Validator, types []string) {
	for _, t := range types {
		v.Check(slices.Contains(Types, t), "type", "must be one or more of "+strings.Join(Types, ", ")+", comma-separated")
	}
}

// checkOwners refuses a query naming both an assignee and a team.
func checkOwners(q Owners) error {
	v := errs.NewValidator()
	v.Check(q.Assignee == "" || q.Team == "", "team", "give assignee or team, not both")
	return v.Err()
}

// owners resolves q for p: the caller when it names nobody.
func owners(p auth.Principal, q Owners) Owners {
	if q.Team != "" {
		return q
	}
	return Owners{Assignee: whom(p, cmp.Or(q.Assignee, Me))}
}

// whom resolves a user id of a query: Me is p.
func whom(p auth.Principal, id string) string {
	if id == Me {
		return p.UserID
	}
	return id
}
