package leads

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// AssignmentService manages the tenant's assignment rules and runs them
// over leads again: one (Assign) or many (AssignMany). Rules are the
// tenant's configuration (the routes ask sales:admin to change them);
// running them needs the leads to be within the caller's record scope.
type AssignmentService interface {
	ListRules(ctx context.Context) ([]Rule, error)
	GetRule(ctx context.Context, id string) (*Rule, error)
	CreateRule(ctx context.Context, r Rule) (*Rule, error)
	// UpdateRule applies a merge patch to the rule at version ifMatch
	// (required); the position changes only by ReorderRules.
	UpdateRule(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Rule, []string, error)
	DeleteRule(ctx context.Context, id string, ifMatch int64) error
	// ReorderRules orders the rules as ids, which lists each once.
	ReorderRules(ctx context.Context, ids []string) ([]Rule, error)
	// Assign runs the rules over the lead id again.
	Assign(ctx context.Context, id string) (*Assigned, error)
	// Assignment reads how the lead id was assigned, with its first-touch
	// deadline.
	Assignment(ctx context.Context, id string) (*Assignment, error)
	// AssignMany runs the rules over the leads of req, a batch of
	// assignBatch leads per transaction.
	AssignMany(ctx context.Context, req BulkAssign) (*BulkAssigned, error)
	// PreviewAssignment says what the rules would make of the lead in,
	// were it created now, writing nothing.
	PreviewAssignment(ctx context.Context, in Lead) (*AssignmentPreview, error)
}

// BulkAssign is a bulk assignment's request: the leads IDs names, or
// those Filter selects (libs/filter over the fields of a lead, as a rule's
// condition), exactly one of them.
type BulkAssign struct {
	IDs    []string        `json:"ids,omitempty"`
	Filter json.RawMessage `json:"filter,omitempty"`
}

// BulkAssigned is what a bulk assignment did: how many leads it ran the
// rules over, and how many a rule assigned (the others kept their owner).
type BulkAssigned struct {
	Leads    int `json:"leads"`
	Assigned int `json:"assigned"`
}

// The bounds of a bulk assignment.
const (
	assignBatch = 500   // leads of one transaction
	maxAssignID = 10000 // ids of one request
)

type assignmentService struct {
	store *Store
	now   func() time.Time
}

// NewAssignmentService returns the AssignmentService on store.
func NewAssignmentService(store *Store) AssignmentService {
	return &assignmentService{store: store, now: time.Now}
}

// ListRules implements AssignmentService.
func (s *assignmentService) ListRules(ctx context.Context) ([]Rule, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Rules(ctx, p.TenantID)
}

// GetRule implements AssignmentService.
func (s *assignmentService) GetRule(ctx context.Context, id string) (*Rule, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !ids.Valid(id) {
		return nil, ErrRuleNotFound
	}
	return s.store.Rule(ctx, p.TenantID, id)
}

// CreateRule implements AssignmentService: the rule goes last.
func (s *assignmentService) CreateRule(ctx context.Context, r Rule) (*Rule, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	r.ID, r.CreatedAt, r.UpdatedAt, r.Version = ids.New(), now, now, 1
	if err := s.store.CreateRule(ctx, p.TenantID, &r, (*Rule).checkCondition); err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateRule implements AssignmentService.
func (s *assignmentService) UpdateRule(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Rule, []string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !ids.Valid(id) {
		return nil, nil, ErrRuleNotFound
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	var changed []string
	out, err := s.store.UpdateRule(ctx, p.TenantID, id, func(old *Rule, defs Fields) (*Rule, error) {
		if old.Version != ifMatch {
			return nil, ErrRuleVersion
		}
		next := &Rule{}
		if err := mergepatch.Apply(old, patch, ruleReadOnly, next); err != nil {
			return nil, err
		}
		if err := next.normalize(); err != nil {
			return nil, err
		}
		if err := next.checkCondition(defs); err != nil {
			return nil, err
		}
		if changed = ruleChanges(old, next); len(changed) == 0 {
			return nil, nil
		}
		next.ID, next.Position, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.Position, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return next, nil
	})
	return out, changed, err
}

// ruleChanges are the fields of a rule that differ between a and b.
func ruleChanges(a, b *Rule) []string {
	var out []string
	for _, f := range []struct {
		name string
		x, y any
	}{{"name", a.Name, b.Name}, {"active", *a.Active, *b.Active}, {"condition", string(compact(a.Condition)), string(compact(b.Condition))},
		{"target", string(mustJSON(a.Target)), string(mustJSON(b.Target))}, {"firstTouchMinutes", a.FirstTouchMinutes, b.FirstTouchMinutes}} {
		if f.x != f.y {
			out = append(out, f.name)
		}
	}
	return out
}

// compact is raw without insignificant space (raw itself if it is not
// JSON, which normalize has refused).
func compact(raw json.RawMessage) []byte {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return raw
	}
	return mustJSON(v)
}

// mustJSON is v as JSON; v is a value of this package, always encodable.
func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// DeleteRule implements AssignmentService.
func (s *assignmentService) DeleteRule(ctx context.Context, id string, ifMatch int64) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	if !ids.Valid(id) {
		return ErrRuleNotFound
	}
	return s.store.DeleteRule(ctx, p.TenantID, id, ifMatch)
}

// ReorderRules implements AssignmentService.
func (s *assignmentService) ReorderRules(ctx context.Context, list []string) ([]Rule, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(list != nil && len(list) <= maxRules, "ids", fmt.Sprintf("must list the tenant's rules, at most %d", maxRules))
	for i, id := range list {
		v.Check(ids.Valid(id), fmt.Sprintf("ids/%d", i), "must be a UUID")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.store.ReorderRules(ctx, p.TenantID, list, pg.Timestamp(s.now()))
}

// Assign implements AssignmentService: a lead out of the caller's scope
// is not found, a converted one is kept as it is (ErrConverted).
func (s *assignmentService) Assign(ctx context.Context, id string) (*Assigned, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !ids.Valid(id) {
		return nil, ErrNotFound
	}
	return s.store.AssignOne(ctx, p.TenantID, id, pg.Timestamp(s.now()), func(l *Lead) error {
		switch {
		case l.DeletedAt != nil || !deals.InScope(p, l.OwnerID, l.TeamID):
			return ErrNotFound
		case l.Status == StatusConverted:
			return ErrConverted
		}
		return nil
	})
}

// Assignment implements AssignmentService: a lead out of the caller's
// scope, or deleted, is not found.
func (s *assignmentService) Assignment(ctx context.Context, id string) (*Assignment, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !ids.Valid(id) {
		return nil, ErrNotFound
	}
	return s.store.AssignmentOf(ctx, p.TenantID, id, func(l *Lead) error {
		if l.DeletedAt != nil || !deals.InScope(p, l.OwnerID, l.TeamID) {
			return ErrNotFound
		}
		return nil
	})
}

// AssignMany implements AssignmentService: batch after batch until the
// selection is done; each batch is committed on its own, so a failure
// leaves the batches before it assigned (running it again is safe).
func (s *assignmentService) AssignMany(ctx context.Context, req BulkAssign) (*BulkAssigned, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	sel, err := req.selection()
	if err != nil {
		return nil, err
	}
	out := &BulkAssigned{}
	after := ""
	for {
		n, assigned, last, err := s.store.AssignBatch(ctx, p, sel, after, assignBatch, pg.Timestamp(s.now()))
		if err != nil {
			return out, err
		}
		out.Leads, out.Assigned, after = out.Leads+n, out.Assigned+assigned, last
		if n < assignBatch {
			return out, nil
		}
	}
}

// selection checks req: ids or a filter, exactly one.
func (req BulkAssign) selection() (Selection, error) {
	v := errs.NewValidator()
	hasFilter := len(req.Filter) > 0 && string(req.Filter) != "null"
	v.Check(req.IDs != nil != hasFilter, "ids", "give ids or a filter, one of them")
	v.Check(len(req.IDs) <= maxAssignID, "ids", fmt.Sprintf("at most %d", maxAssignID))
	for i, id := range req.IDs {
		v.Check(ids.Valid(id), fmt.Sprintf("ids/%d", i), "must be a UUID")
	}
	if err := v.Err(); err != nil {
		return Selection{}, err
	}
	sel := Selection{IDs: req.IDs}
	if hasFilter {
		sel.Filter = req.Filter
		if _, err := filter.Parse(req.Filter); err != nil {
			return Selection{}, err
		}
	}
	return sel, nil
}
