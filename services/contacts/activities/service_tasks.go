package activities

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// maxSnooze bounds a snooze given in minutes: a week.
const maxSnooze = 7 * 24 * 60

// Complete implements Service: the task is completed (its reminder
// cancelled, its contact's and account's lastActivityAt moved to now) and a
// recurring task's next occurrence created in the same transaction, its
// activity.created event before the task's activity.completed.
func (s *service) Complete(ctx context.Context, id string, ifMatch int64) (*Completion, error) {
	var next *Activity
	task, err := s.change(ctx, id, func(tx *pgstore.Tx, _ auth.Principal, cur *Activity, now time.Time) (*Activity, pgstore.Change, error) {
		switch {
		case ifMatch != 0 && cur.Version != ifMatch:
			return nil, pgstore.Change{}, ErrVersionMismatch
		case cur.Type != TypeTask:
			return nil, pgstore.Change{}, ErrNotATask
		case cur.Task.Status == StatusCompleted:
			return nil, pgstore.Change{}, ErrCompleted
		}
		done, err := cur.clone()
		if err != nil {
			return nil, pgstore.Change{}, err
		}
		done.Task.Status, done.Task.CompletedAt = StatusCompleted, &now
		done.UpdatedAt, done.Version = now, cur.Version+1
		if err := touch(ctx, tx, done, now); err != nil {
			return nil, pgstore.Change{}, err
		}
		if next, err = nextOccurrence(ctx, tx, done, now); err != nil {
			return nil, pgstore.Change{}, err
		}
		return done, pgstore.Change{Verb: customer.VerbCompleted}, nil
	})
	if err != nil {
		return nil, err
	}
	return &Completion{Task: task, Next: next}, nil
}

// nextOccurrence creates the occurrence after done, a recurring task just
// completed, unless its recurrence has ended: the same task due at the
// rule's next date, its reminder as far before it as done's was.
func nextOccurrence(ctx context.Context, tx *pgstore.Tx, done *Activity, now time.Time) (*Activity, error) {
	t := done.Task
	if t.Recurrence == nil || t.DueAt == nil {
		return nil, nil
	}
	occurrence := max(t.Occurrence, 1)
	due, ok := t.Recurrence.next(*t.DueAt, occurrence)
	if !ok {
		return nil, nil
	}
	n, err := done.clone()
	if err != nil {
		return nil, err
	}
	n.ID, n.CreatedAt, n.UpdatedAt, n.Version, n.OccurredAt = ids.New(), now, now, 1, due
	n.Task.Status, n.Task.CompletedAt, n.Task.DueAt, n.Task.Occurrence = StatusOpen, nil, &due, occurrence+1
	if t.SeriesID == nil {
		n.Task.SeriesID = &done.ID
	}
	if done.ReminderAt != nil {
		r := due.Add(done.ReminderAt.Sub(*t.DueAt))
		n.ReminderAt = &r
	}
	created, err := insertActivity(ctx, tx, n)
	if err != nil || !created { // a task reopened and completed again: its next occurrence exists
		return nil, err
	}
	return n, tx.Emit(ctx, customer.EventActivity, customer.VerbCreated, n.ID, n, nil)
}

// Snooze implements Service: the reminder moves to s.Until, or s.Minutes
// from now, which must be later than now; it fires again then, fired or
// not.
func (s *service) Snooze(ctx context.Context, id string, ifMatch int64, sn Snooze) (*Activity, error) {
	v := errs.NewValidator()
	v.Check(sn.Until == nil || sn.Minutes == 0, "minutes", "give until or minutes, not both")
	v.Check(sn.Until != nil || sn.Minutes != 0, "until", "give until, or minutes")
	v.Check(sn.Minutes >= 0 && sn.Minutes <= maxSnooze, "minutes", "must be from 1 to 10080 (a week)")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, id, func(_ *pgstore.Tx, _ auth.Principal, cur *Activity, now time.Time) (*Activity, pgstore.Change, error) {
		if ifMatch != 0 && cur.Version != ifMatch {
			return nil, pgstore.Change{}, ErrVersionMismatch
		}
		if !cur.reminds() {
			return nil, pgstore.Change{}, ErrNoReminder
		}
		until := now.Add(time.Duration(sn.Minutes) * time.Minute)
		if sn.Until != nil {
			until = stamp(*sn.Until)
		}
		v := errs.NewValidator()
		v.Check(until.After(now), "until", "must be in the future")
		if err := v.Err(); err != nil {
			return nil, pgstore.Change{}, err
		}
		next, err := cur.clone()
		if err != nil {
			return nil, pgstore.Change{}, err
		}
		next.ReminderAt, next.UpdatedAt, next.Version = &until, now, cur.Version+1
		return next, pgstore.Change{Verb: customer.VerbUpdated, Fields: []string{"reminderAt"}}, nil
	})
}
