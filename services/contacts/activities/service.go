package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service is the API of activities. Patches are JSON merge patches (RFC
// 7396); ifMatch is the version the caller last saw (0: none). An activity
// the caller may not see — neither assigned to nor logged by them, nor (with
// the team scope) of their teams — is not found.
type Service interface {
	// Create logs or plans an activity. A call whose call.externalId is
	// already logged is not logged again: Create returns that call and
	// false.
	Create(ctx context.Context, a Activity) (*Activity, bool, error)
	Get(ctx context.Context, id string) (*Activity, error)
	// Update applies a merge patch and returns the activity and the
	// top-level fields it changed.
	Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Activity, []string, error)
	Delete(ctx context.Context, id string, ifMatch int64) error
	// Complete completes an open task; a recurring one gets its next
	// occurrence.
	Complete(ctx context.Context, id string, ifMatch int64) (*Completion, error)
	// Snooze moves the reminder of a meeting or an open task to later.
	Snooze(ctx context.Context, id string, ifMatch int64, s Snooze) (*Activity, error)

	List(ctx context.Context, q Query) (customer.Page[Activity], error)
	// MyTasks lists the caller's open tasks, soonest due first, those
	// without a due time last.
	MyTasks(ctx context.Context, limit int, cursor string) (customer.Page[Activity], error)
	// Overdue lists the open tasks past their due time of an assignee (the
	// caller by default) or a team, most overdue first.
	Overdue(ctx context.Context, q Owners, limit int, cursor string) (customer.Page[Activity], error)
	// Calendar lists the activities of an assignee (the caller by default)
	// or a team in a time range, by start.
	Calendar(ctx context.Context, q CalendarQuery) (customer.Page[Activity], error)
}

// Snooze moves a reminder Until a time, or by Minutes from now.
type Snooze struct {
	Until   *time.Time `json:"until,omitempty"`
	Minutes int        `json:"minutes,omitempty"`
}

type service struct {
	db      *pgstore.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, signing list cursors with cursors.
func NewService(db *pgstore.DB, cursors *kitx.Cursors) Service {
	return &service{db: db, cursors: cursors, now: time.Now}
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// Create implements Service.
func (s *service) Create(ctx context.Context, a Activity) (*Activity, bool, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, false, err
	}
	now := s.timestamp()
	a.ID, a.CreatedBy, a.CreatedAt, a.UpdatedAt, a.Version = ids.New(), p.UserID, now, now, 1
	if t := a.Task; t != nil {
		t.CompletedAt, t.SeriesID, t.Occurrence = nil, nil, 0
	}
	created := true
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := admit(ctx, tx, p, &a, nil, now); err != nil {
			return err
		}
		ok, err := insertActivity(ctx, tx, &a)
		if err != nil {
			return err
		}
		if !ok {
			existing, err := activityByExternalID(ctx, tx, a.Call.ExternalID, scopeConds(p))
			if err != nil {
				return err
			}
			a, created = *existing, false
			return nil
		}
		if err := touch(ctx, tx, &a, now); err != nil {
			return err
		}
		return tx.Emit(ctx, customer.EventActivity, customer.VerbCreated, a.ID, &a, nil)
	})
	if err != nil {
		return nil, false, err
	}
	return &a, created, nil
}

// Get implements Service.
func (s *service) Get(ctx context.Context, id string) (a *Activity, err error) {
	p, err := customer.CallerOf(ctx, id, ErrNotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		a, err = getActivity(ctx, tx, id, false, scopeConds(p)...)
		return err
	})
	return a, err
}

// Update implements Service. A patch that changes nothing keeps the
// version and publishes nothing.
func (s *service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Activity, []string, error) {
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	changed := []string{}
	a, err := s.change(ctx, id, func(tx *pgstore.Tx, p auth.Principal, cur *Activity, now time.Time) (*Activity, pgstore.Change, error) {
		if cur.Version != ifMatch {
			return nil, pgstore.Change{}, ErrVersionMismatch
		}
		next := &Activity{}
		if err := mergepatch.Apply(cur, patch, ReadOnlyFields, next); err != nil {
			return nil, pgstore.Change{}, err
		}
		next.ID, next.CreatedBy, next.CreatedAt, next.UpdatedAt, next.Version = cur.ID, cur.CreatedBy, cur.CreatedAt, now, cur.Version+1
		if err := patchTask(cur, next); err != nil {
			return nil, pgstore.Change{}, err
		}
		if err := admit(ctx, tx, p, next, cur, now); err != nil {
			return nil, pgstore.Change{}, err
		}
		out, ch, err := pgstore.Updated(cur, next)
		if err != nil || ch.Verb == "" {
			return out, ch, err
		}
		changed = ch.Fields
		return out, ch, touch(ctx, tx, out, now)
	})
	return a, changed, err
}

// Delete implements Service.
func (s *service) Delete(ctx context.Context, id string, ifMatch int64) error {
	_, err := s.change(ctx, id, func(_ *pgstore.Tx, _ auth.Principal, cur *Activity, _ time.Time) (*Activity, pgstore.Change, error) {
		if ifMatch != 0 && cur.Version != ifMatch {
			return nil, pgstore.Change{}, ErrVersionMismatch
		}
		return cur, pgstore.Change{Verb: customer.VerbDeleted}, nil
	})
	return err
}

// change changes the activity id the caller may see as fn says, through
// pgstore.Update: it is locked and read, fn returns what it becomes (a new
// value: cur is what is written over, and must stay as read), and
// unless nothing changed it is written (its keys and reminder with it) and
// its event published, in one transaction.
func (s *service) change(ctx context.Context, id string,
	fn func(tx *pgstore.Tx, p auth.Principal, cur *Activity, now time.Time) (*Activity, pgstore.Change, error)) (*Activity, error) {
	p, err := customer.CallerOf(ctx, id, ErrNotFound)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	var before *Activity
	return pgstore.Update(ctx, s.db, p.TenantID, id, pgstore.Rows[*Activity]{
		Entity: customer.EventActivity,
		Lock: func(ctx context.Context, tx *pgstore.Tx, id string) (*Activity, error) {
			a, err := getActivity(ctx, tx, id, true, scopeConds(p)...)
			before = a
			return a, err
		},
		Write: func(ctx context.Context, tx *pgstore.Tx, a *Activity, verb string) error {
			if verb == customer.VerbDeleted {
				return deleteActivity(ctx, tx, a.ID)
			}
			return updateActivity(ctx, tx, before, a)
		},
	}, func(tx *pgstore.Tx, cur *Activity) (*Activity, pgstore.Change, error) {
		return fn(tx, p, cur, now)
	})
}

// touch moves the lastActivityAt of a's contact and account forward to
// when a happened, once it has.
func touch(ctx context.Context, tx *pgstore.Tx, a *Activity, now time.Time) error {
	at, ok := a.happened(now)
	if !ok {
		return nil
	}
	return touchRecords(ctx, tx, a, at)
}
