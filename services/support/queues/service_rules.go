package queues

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// ListRules returns the tenant's routing rules in the order they are
// tried.
func (s *Service) ListRules(ctx context.Context) (out []Rule, err error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = listRules(ctx, tx)
		return err
	})
	return out, err
}

// GetRule returns the routing rule id.
func (s *Service) GetRule(ctx context.Context, id string) (out *Rule, err error) {
	p, err := caller(ctx, ErrRuleNotFound, id)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = getRule(ctx, tx, id, false)
		return err
	})
	return out, err
}

// CreateRule validates and stores a new routing rule (its condition
// against the fields of a case and the tenant's custom fields of cases,
// its queue against the tenant's); publishes routing_rule.created.
func (s *Service) CreateRule(ctx context.Context, in Rule) (*Rule, error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return &in, s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		defs, err := cases.FieldStore.Defs(ctx, tx.SQL(), cases.EntityCase)
		if err != nil {
			return err
		}
		if err := in.checkCondition(defs); err != nil {
			return err
		}
		if err := saveRule(ctx, tx, &in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityRoutingRule, supportdb.VerbCreated, in.ID, in, nil)
	})
}

// UpdateRule applies a merge patch at version ifMatch; publishes
// routing_rule.updated.
func (s *Service) UpdateRule(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Rule, []string, error) {
	p, err := caller(ctx, ErrRuleNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	var out *Rule
	var ch pgrecord.Change
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		defs, err := cases.FieldStore.Defs(ctx, tx.SQL(), cases.EntityCase)
		if err != nil {
			return err
		}
		out, ch, err = pgrecord.UpdateIn(ctx, tx, id, ruleRows, func(old *Rule) (*Rule, pgrecord.Change, error) {
			if old.Version != ifMatch {
				return nil, pgrecord.Change{}, ErrVersionMismatch
			}
			next := &Rule{}
			if err := mergepatch.Apply(old, patch, ruleReadOnly, next); err != nil {
				return nil, pgrecord.Change{}, err
			}
			if err := next.normalize(); err != nil {
				return nil, pgrecord.Change{}, err
			}
			if err := next.checkCondition(defs); err != nil {
				return nil, pgrecord.Change{}, err
			}
			next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()).UTC(), old.Version+1
			return pgrecord.Updated(old, next)
		})
		return err
	})
	return out, ch.Fields, err
}

// DeleteRule deletes the routing rule id, at version ifMatch when given;
// publishes routing_rule.deleted.
func (s *Service) DeleteRule(ctx context.Context, id string, ifMatch int64) error {
	p, err := caller(ctx, ErrRuleNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = pgrecord.Update(ctx, s.db, p.TenantID, id, ruleRows, func(old *Rule) (*Rule, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: events.VerbDeleted}, nil
	})
	return err
}

// PreviewRouting returns the rule, and queue, a new case with the fields
// in would be routed by.
func (s *Service) PreviewRouting(ctx context.Context, in CaseFields) (out *Preview, err error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = previewIn(ctx, tx, in)
		return err
	})
	return out, err
}
