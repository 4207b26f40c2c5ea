package dashboards

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// SchedulePage is a page of report schedules; NextCursor, when set, reads
// the next.
type SchedulePage struct {
	Items      []Schedule `json:"items"`
	NextCursor string     `json:"nextCursor,omitempty"`
}

// Schedules is the API of report schedules. A caller sees and changes its
// own (a reporting:admin anyone's); others' are ErrScheduleNotFound. A
// schedule runs as its owner: the owner's principal is stored when the
// owner creates or changes it (an admin's change keeps it).
type Schedules struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewSchedules returns the Schedules on db, paging lists with cursors.
func NewSchedules(db *outbox.DB, cursors *kitx.Cursors) *Schedules {
	return &Schedules{db: db, cursors: cursors, now: time.Now}
}

// List returns a page of up to limit schedules of the caller's, newest
// first, after cursor ("" from the first).
func (s *Schedules) List(ctx context.Context, cursor string, limit int) (SchedulePage, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Schedule, err error) {
		err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
			out, err = listSchedules(ctx, tx, p, after, n)
			return err
		})
		return out, err
	}, func(sc Schedule) string { return sc.ID })
	if items == nil {
		items = []Schedule{}
	}
	return SchedulePage{Items: items, NextCursor: next}, err
}

// Get returns the schedule id.
func (s *Schedules) Get(ctx context.Context, id string) (out Schedule, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, _, err = ownSchedule(ctx, tx, p, id, false)
		return err
	})
	return out, err
}

// Create stores a new schedule of the caller's, due next at its first
// time after now, and publishes report_schedule.created.
func (s *Schedules) Create(ctx context.Context, in Schedule) (out Schedule, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if err := s.check(ctx, tx, p, &in); err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		in.ID, in.OwnerID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), p.UserID, now, now, 1
		in.NextRunAt, in.LastRunAt, in.LastError = in.next(now), nil, ""
		out = in
		if err := saveSchedule(ctx, tx, in, runAsOf(p), true); err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityReportSchedule, rm.VerbCreated, in.ID, in, nil)
	})
	return out, err
}

// Update applies a merge patch to the schedule id at version ifMatch; it
// returns the schedule and the fields it changed. A change of when it
// runs moves its next due time to the first after now. It publishes
// report_schedule.updated when it changed any field.
func (s *Schedules) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Schedule, changed []string, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		cur, as, err := ownSchedule(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if err := checkIfMatch(cur.Version, ifMatch); err != nil {
			return err
		}
		var next Schedule
		if err := mergepatch.Apply(cur, patch, scheduleReadOnly, &next); err != nil {
			return err
		}
		next.ID, next.OwnerID, next.NextRunAt, next.LastRunAt, next.LastError = cur.ID, cur.OwnerID, cur.NextRunAt, cur.LastRunAt, cur.LastError
		next.CreatedAt, next.UpdatedAt, next.Version = cur.CreatedAt, cur.UpdatedAt, cur.Version
		if err := s.check(ctx, tx, p, &next); err != nil {
			return err
		}
		if changed, err = events.ChangedFields(cur, next); err != nil || len(changed) == 0 {
			out = cur
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		if next.Frequency != cur.Frequency || next.Hour != cur.Hour || next.Weekday != cur.Weekday || next.DayOfMonth != cur.DayOfMonth {
			next.NextRunAt = next.next(now)
		}
		if p.UserID == cur.OwnerID {
			as = runAsOf(p)
		}
		next.UpdatedAt, next.Version = now, cur.Version+1
		out = next
		if err := saveSchedule(ctx, tx, next, as, false); err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityReportSchedule, rm.VerbUpdated, next.ID, next, changed)
	})
	return out, changed, err
}

// Delete removes the schedule id, at version ifMatch when given, and
// publishes report_schedule.deleted.
func (s *Schedules) Delete(ctx context.Context, id string, ifMatch int64) error {
	return s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		cur, _, err := ownSchedule(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		if err := deleteSchedule(ctx, tx, id); err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityReportSchedule, rm.VerbDeleted, id, cur, nil)
	})
}

// check normalizes sc, named for what it mails unless it has a name, and
// checks that its dashboard is one p may see.
func (s *Schedules) check(ctx context.Context, tx *outbox.Tx, p auth.Principal, sc *Schedule) error {
	named := sc.Report
	if sc.DashboardID != "" && sc.Report == "" {
		d, err := Visible(ctx, tx, p, sc.DashboardID)
		if errs.KindOf(err) == errs.NotFound {
			return errs.Invalidf([]errs.FieldError{{Field: "dashboardId", Reason: "must be the id of a dashboard you may see"}},
				"no dashboard %s", sc.DashboardID)
		}
		if err != nil {
			return err
		}
		named = d.Name
	}
	return sc.normalize(named)
}

// ownSchedule reads the schedule id, locked when lock, if p may see it:
// its own, or any for a reporting:admin.
func ownSchedule(ctx context.Context, tx *outbox.Tx, p auth.Principal, id string, lock bool) (Schedule, runAs, error) {
	if !ids.Valid(id) {
		return Schedule{}, runAs{}, ErrScheduleNotFound
	}
	sc, as, err := getSchedule(ctx, tx, id, lock)
	if err == nil && sc.OwnerID != p.UserID && !p.Can(rm.PermAdmin) {
		return Schedule{}, runAs{}, ErrScheduleNotFound
	}
	return sc, as, err
}
