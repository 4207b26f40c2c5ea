package leads

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

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// assignKey marks a context whose lead creates the rules assign.
type assignKey struct{}

// WithAssignment returns ctx in which Store.Create runs the assignment
// rules over the lead it creates, in its transaction.
func WithAssignment(ctx context.Context) context.Context {
	return context.WithValue(ctx, assignKey{}, true)
}

// assignCreated runs the rules over l, just inserted in tx, when ctx asks
// for it (WithAssignment): l takes its assignee as part of its first
// version. It returns what publishes lead.assigned, to run after
// lead.created.
func assignCreated(ctx context.Context, tx *outbox.Tx, l *Lead) (func() error, error) {
	if on, _ := ctx.Value(assignKey{}).(bool); !on {
		return func() error { return nil }, nil
	}
	out, err := assignIn(ctx, tx, []*Lead{l}, l.CreatedAt, false)
	if err != nil {
		return nil, err
	}
	return func() error { return publishAssigned(ctx, tx, out) }, nil
}

// publishAssigned adds lead.assigned for the leads a rule assigned.
func publishAssigned(ctx context.Context, tx *outbox.Tx, out []outcome) error {
	var subjects []string
	var states []any
	for _, o := range out {
		if o.rule != nil {
			subjects, states = append(subjects, o.lead.ID), append(states, assignedOf(o))
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	_, err := tx.Publish(ctx, tx.SQL(), pgstore.EntityLead, pgstore.VerbAssigned, subjects, states, nil)
	return err
}

// assignedOf is the lead.assigned payload of o.
func assignedOf(o outcome) *Assigned {
	return &Assigned{Lead: *o.lead, PreviousOwnerID: o.previous, FirstTouchDueAt: o.due}
}

// publishRerun publishes what a re-run changed: lead.assigned for the
// leads a rule assigned, lead.updated with the changed fields for those
// it only gave a new reason.
func publishRerun(ctx context.Context, tx *outbox.Tx, out []outcome) error {
	for _, o := range out {
		if o.rule == nil && len(o.changed) > 0 {
			if err := tx.Emit(ctx, pgstore.EntityLead, pgstore.VerbUpdated, o.lead.ID, o.lead, o.changed); err != nil {
				return err
			}
		}
	}
	return publishAssigned(ctx, tx, out)
}

// Selection is which leads a bulk assignment runs over: the leads IDs
// names, or those Filter selects (a condition over the lead's fields, as
// rules'), among the live leads not converted that the caller may see.
type Selection struct {
	IDs    []string
	Filter []byte
}

// AssignBatch runs the rules, in one transaction of p's tenant, over up
// to limit leads of sel p may see, in id order after the id after ("":
// from the first), and returns how many it ran over, how many a rule
// assigned, and the last id (for the next batch).
func (s *Store) AssignBatch(ctx context.Context, p auth.Principal, sel Selection, after string, limit int, now time.Time) (n, assigned int, last string, err error) {
	q := &pgrecord.Query{}
	q.Add("deleted_at IS NULL")
	q.Add("status <> 'converted'")
	deals.Scope(q, p, "")
	if after != "" {
		q.Add("id > ?", after)
	}
	if sel.IDs != nil {
		q.Add("id = ANY(?::uuid[])", pq.StringArray(sel.IDs))
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if sel.Filter != nil {
			defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
			if err != nil {
				return err
			}
			cond, args, err := compileFilter(sel.Filter, len(q.Args)+1, defs)
			if err != nil {
				return err
			}
			q.Conds, q.Args = append(q.Conds, cond), append(q.Args, args...)
		}
		var rows []row
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+columns+" FROM leads WHERE "+strings.Join(q.Conds, " AND ")+
			" ORDER BY id LIMIT "+strconv.Itoa(limit)+" FOR UPDATE", q.Args...); err != nil {
			return fmt.Errorf("select leads to assign: %w", pg.MapError(err))
		}
		list := make([]*Lead, len(rows))
		for i, r := range rows {
			l, err := r.lead()
			if err != nil {
				return err
			}
			list[i] = &l
		}
		if n = len(list); n == 0 {
			return nil
		}
		last = list[n-1].ID
		out, err := assignIn(ctx, tx, list, now, true)
		if err != nil {
			return err
		}
		for _, o := range out {
			if o.rule != nil {
				assigned++
			}
		}
		return publishRerun(ctx, tx, out)
	})
	return n, assigned, last, err
}

// AssignOne runs the rules over the lead id again, locked in a
// transaction of tenant; allowed refuses it (ErrNotFound, ErrConverted).
func (s *Store) AssignOne(ctx context.Context, tenant, id string, now time.Time, allowed func(*Lead) error) (*Assigned, error) {
	var out *Assigned
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		l, err := get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := allowed(l); err != nil {
			return err
		}
		res, err := assignIn(ctx, tx, []*Lead{l}, now, true)
		if err != nil {
			return err
		}
		out = assignedOf(res[0])
		return publishRerun(ctx, tx, res)
	})
	return out, err
}

// Assignment is how a lead was assigned: its owner and team, the rule
// and the reason, and its first-touch deadline when a rule set one.
type Assignment struct {
	LeadID           string    `json:"leadId"`
	OwnerID          string    `json:"ownerId"`
	TeamID           string    `json:"teamId,omitempty"`
	AssignedByRuleID string    `json:"assignedByRuleId,omitempty"`
	AssignmentReason string    `json:"assignmentReason,omitempty"`
	FirstTouch       *Deadline `json:"firstTouch,omitempty"`
}

// AssignmentOf reads the assignment of the lead id in a transaction of
// tenant; visible refuses a lead the caller may not see (ErrNotFound).
func (s *Store) AssignmentOf(ctx context.Context, tenant, id string, visible func(*Lead) error) (*Assignment, error) {
	var out *Assignment
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		l, err := get(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := visible(l); err != nil {
			return err
		}
		out = &Assignment{LeadID: l.ID, OwnerID: l.OwnerID, TeamID: l.TeamID, AssignedByRuleID: l.AssignedByRuleID, AssignmentReason: l.AssignmentReason}
		out.FirstTouch, err = deadlineOf(ctx, tx, id)
		return err
	})
	return out, err
}
