package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// admit normalises and validates a, about to be written by p at now (old
// is what it was, nil for a create), and checks what it links to: its
// contact and account must be live records p may see (checked when they
// change), a meeting's attendees live contacts of the tenant. A contact
// without an account given brings its own account.
func admit(ctx context.Context, tx *pgstore.Tx, p auth.Principal, a *Activity, old *Activity, now time.Time) error {
	region, _, err := catalog.WriteRules(ctx, tx, customer.EntityContact)
	if err != nil {
		return err
	}
	v := errs.NewValidator()
	if old != nil && a.Type != old.Type {
		v.Check(false, "type", "cannot change; log a new activity instead")
		return v.Err()
	}
	a.normalize(v, region, p.UserID, now)
	if old == nil && a.Task != nil {
		v.Check(a.Task.Status == StatusOpen, "task/status", "a new task is open; complete it with POST /v1/activities/{id}/complete")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if old == nil && a.Task != nil && a.Task.Recurrence != nil {
		a.startSeries()
	}
	return checkLinks(ctx, tx, p, a, old)
}

// checkLinks checks the records a links to (admit).
func checkLinks(ctx context.Context, tx *pgstore.Tx, p auth.Principal, a *Activity, old *Activity) error {
	v := errs.NewValidator()
	visible := pgstore.LiveConds(p)
	derived := false
	if a.ContactID != nil && (old == nil || !sameID(old.ContactID, a.ContactID)) {
		rec, err := liveRecord(ctx, tx, pgstore.Contacts, *a.ContactID, visible)
		if err != nil {
			return err
		}
		v.Check(rec != nil, "contactId", "no such contact")
		if c, ok := rec.(*customer.Contact); ok && a.AccountID == nil && c.AccountID != nil {
			a.AccountID, derived = c.AccountID, true
		}
	}
	if a.AccountID != nil && !derived && (old == nil || !sameID(old.AccountID, a.AccountID)) {
		rec, err := liveRecord(ctx, tx, pgstore.Accounts, *a.AccountID, visible)
		if err != nil {
			return err
		}
		v.Check(rec != nil, "accountId", "no such account")
	}
	if a.Meeting != nil {
		var known []key
		if old != nil {
			known = old.keys()
		}
		for i, at := range a.Meeting.Attendees {
			if at.ContactID == nil || slices.Contains(known, key{keyContact, *at.ContactID}) {
				continue
			}
			rec, err := liveRecord(ctx, tx, pgstore.Contacts, *at.ContactID, []pgstore.Cond{pgstore.Live})
			if err != nil {
				return err
			}
			v.Check(rec != nil, fmt.Sprintf("meeting/attendees/%d/contactId", i), "no such contact")
		}
	}
	return v.Err()
}

// patchTask carries what a patch may not change of a task from cur to
// next (its completion time and its place in its series), refuses a
// completion by patch, reopens a completed task patched to open, and starts
// the series of a task given a recurrence.
func patchTask(cur, next *Activity) error {
	if cur.Task == nil || next.Task == nil {
		return nil // a change of type is refused by admit
	}
	ct, nt := cur.Task, next.Task
	nt.CompletedAt, nt.SeriesID, nt.Occurrence = ct.CompletedAt, ct.SeriesID, ct.Occurrence
	if nt.Status == "" {
		nt.Status = StatusOpen
	}
	switch {
	case nt.Status == StatusCompleted && ct.Status != StatusCompleted:
		e := ErrCompleteByPatch.WithDetail("a patch cannot complete a task; POST /v1/activities/%s/complete does", cur.ID)
		e.Fields = []errs.FieldError{{Field: "task/status", Reason: "complete a task with POST /v1/activities/{id}/complete"}}
		return e
	case nt.Status == StatusOpen && ct.Status == StatusCompleted:
		nt.CompletedAt = nil
	}
	if nt.Recurrence != nil && nt.SeriesID == nil {
		next.startSeries()
	}
	return nil
}

// startSeries makes a the first occurrence of its recurrence.
func (a *Activity) startSeries() {
	id := a.ID
	a.Task.SeriesID, a.Task.Occurrence = &id, 1
}

// clone returns a deep copy of a.
func (a *Activity) clone() (*Activity, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("copy activity: %w", err)
	}
	var c Activity
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("copy activity: %w", err)
	}
	return &c, nil
}

// sameID reports whether two optional ids are the same.
func sameID(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
