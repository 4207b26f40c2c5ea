package sla

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Service is SLA's API: the tenant's business calendars and SLA policies
// (an edit asks, in its transaction, for the due times of the running
// clocks it affects to be recomputed: the Recomputer's job) and a case's
// clocks.
type Service struct {
	db  *outbox.DB
	now func() time.Time
}

// NewService returns the Service on db.
func NewService(db *outbox.DB) *Service { return &Service{db: db, now: time.Now} }

// CaseSLA is a case's clocks, by target.
type CaseSLA struct {
	CaseID string      `json:"caseId"`
	Clocks []CaseClock `json:"clocks"`
}

// tenant is the caller's tenant; an id in idList that is not a UUID is
// notFound.
func tenant(ctx context.Context, notFound error, idList ...string) (string, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return "", auth.ErrUnauthenticated
	}
	for _, id := range idList {
		if !ids.Valid(id) {
			return "", notFound
		}
	}
	return p.TenantID, nil
}

// ListCalendars returns the tenant's business calendars by name.
func (s *Service) ListCalendars(ctx context.Context) (out []BusinessCalendar, err error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		out, err = listCalendars(ctx, tx)
		return err
	})
	return out, err
}

// CreateCalendar validates and stores a new business calendar.
func (s *Service) CreateCalendar(ctx context.Context, in BusinessCalendar) (*BusinessCalendar, error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return &in, s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		if err := saveCalendar(ctx, tx, &in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityBusinessCalendar, supportdb.VerbCreated, in.ID, in, nil)
	})
}

// GetCalendar reads a business calendar.
func (s *Service) GetCalendar(ctx context.Context, id string) (b *BusinessCalendar, err error) {
	t, err := tenant(ctx, ErrCalendarNotFound, id)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		b, err = getCalendar(ctx, tx, id, false)
		return err
	})
	return b, err
}

// UpdateCalendar applies a merge patch at version ifMatch; a changed
// definition (anything but the name) has the running clocks of the
// policies using it recomputed, and of those whose clocks run on it as a
// contract's coverage hours.
func (s *Service) UpdateCalendar(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*BusinessCalendar, []string, error) {
	t, err := tenant(ctx, ErrCalendarNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	var out *BusinessCalendar
	var ch pgrecord.Change
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		out, ch, err = pgrecord.UpdateIn(ctx, tx, id, calendarRows, func(old *BusinessCalendar) (*BusinessCalendar, pgrecord.Change, error) {
			if old.Version != ifMatch {
				return nil, pgrecord.Change{}, ErrVersionMismatch
			}
			next := &BusinessCalendar{}
			if err := mergepatch.Apply(old, patch, calendarReadOnly, next); err != nil {
				return nil, pgrecord.Change{}, err
			}
			if _, err := next.normalize(); err != nil {
				return nil, pgrecord.Change{}, err
			}
			next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
			return pgrecord.Updated(old, next)
		})
		if err != nil || !slices.ContainsFunc(ch.Fields, func(f string) bool { return f != "name" }) {
			return err
		}
		using, err := policiesOnCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		return requestRecompute(ctx, tx, using)
	})
	return out, ch.Fields, err
}

// DeleteCalendar deletes a business calendar no policy uses.
func (s *Service) DeleteCalendar(ctx context.Context, id string, ifMatch int64) error {
	t, err := tenant(ctx, ErrCalendarNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = pgrecord.Update(ctx, s.db, t, id, calendarRows, func(old *BusinessCalendar) (*BusinessCalendar, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: events.VerbDeleted}, nil
	})
	return err
}

// ListPolicies returns the tenant's SLA policies in the order they are
// chosen.
func (s *Service) ListPolicies(ctx context.Context) (out []Policy, err error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		out, err = listPolicies(ctx, tx)
		return err
	})
	return out, err
}

// CreatePolicy validates and stores a new SLA policy; it applies to the
// cases created from then on.
func (s *Service) CreatePolicy(ctx context.Context, in Policy) (*Policy, error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return &in, s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		if err := savePolicy(ctx, tx, &in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntitySLAPolicy, supportdb.VerbCreated, in.ID, in, nil)
	})
}

// GetPolicy reads an SLA policy.
func (s *Service) GetPolicy(ctx context.Context, id string) (p *Policy, err error) {
	t, err := tenant(ctx, ErrPolicyNotFound, id)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		p, err = getPolicy(ctx, tx, id, false)
		return err
	})
	return p, err
}

// scheduling are the fields of a policy that its running clocks follow.
var scheduling = []string{"calendarId", "targets", "warnBeforeMinutes"}

// UpdatePolicy applies a merge patch at version ifMatch; a change of its
// calendar, targets or warning has the policy's running clocks
// recomputed (its conditions, position and activity apply to new cases).
func (s *Service) UpdatePolicy(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Policy, []string, error) {
	t, err := tenant(ctx, ErrPolicyNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	var out *Policy
	var ch pgrecord.Change
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		out, ch, err = pgrecord.UpdateIn(ctx, tx, id, policyRows, func(old *Policy) (*Policy, pgrecord.Change, error) {
			if old.Version != ifMatch {
				return nil, pgrecord.Change{}, ErrVersionMismatch
			}
			next := &Policy{}
			if err := mergepatch.Apply(old, patch, policyReadOnly, next); err != nil {
				return nil, pgrecord.Change{}, err
			}
			if err := next.normalize(); err != nil {
				return nil, pgrecord.Change{}, err
			}
			next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
			return pgrecord.Updated(old, next)
		})
		if err != nil || !slices.ContainsFunc(ch.Fields, func(f string) bool { return slices.Contains(scheduling, f) }) {
			return err
		}
		return requestRecompute(ctx, tx, []string{id})
	})
	return out, ch.Fields, err
}

// DeletePolicy deletes an SLA policy; its running clocks stop (the
// Recomputer's job).
func (s *Service) DeletePolicy(ctx context.Context, id string, ifMatch int64) error {
	t, err := tenant(ctx, ErrPolicyNotFound, id)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		if _, _, err := pgrecord.UpdateIn(ctx, tx, id, policyRows, func(old *Policy) (*Policy, pgrecord.Change, error) {
			if ifMatch != 0 && old.Version != ifMatch {
				return nil, pgrecord.Change{}, ErrVersionMismatch
			}
			return old, pgrecord.Change{Verb: events.VerbDeleted}, nil
		}); err != nil {
			return err
		}
		return requestRecompute(ctx, tx, []string{id})
	})
}

// CaseSLA returns the clocks of the case id with their remaining business
// time now and their history.
func (s *Service) CaseSLA(ctx context.Context, id string) (*CaseSLA, error) {
	t, err := tenant(ctx, ErrCaseNotFound, id)
	if err != nil {
		return nil, err
	}
	out := &CaseSLA{CaseID: id, Clocks: []CaseClock{}}
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		var exists bool
		if err := tx.SQL().GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1 AND deleted_at IS NULL)", id); err != nil {
			return pg.MapError(err)
		}
		if !exists {
			return ErrCaseNotFound
		}
		clocks, err := readClocks(ctx, tx, id)
		if err != nil {
			return err
		}
		policies, err := listPolicies(ctx, tx)
		if err != nil {
			return err
		}
		cals, err := calendars(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		for _, target := range targets {
			k := clocks[target]
			if k == nil {
				continue
			}
			if cals[k.CalendarID] == nil { // none of its own (or deleted since): its policy's
				k.CalendarID = ""
				if p := findPolicy(policies, k.PolicyID); p != nil {
					k.CalendarID = p.CalendarID
				}
			}
			cal := cals[k.CalendarID]
			if cal == nil { // its policy deleted
				cal = &Calendar{always: true}
			}
			k.view(cal, now)
			k.Pauses, k.History = nonNil(k.Pauses), nonNil(k.History)
			out.Clocks = append(out.Clocks, *k)
		}
		return nil
	})
	return out, err
}
