package leads

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// ScoringService manages the tenant's lead scoring rules and shows why a
// lead scores what it does. A change of the rules asks, in its
// transaction, for the tenant's live, unconverted leads to be scored
// again (Rescans does it, soon after): each lead whose score, reasons or
// status move is written with lead.updated. Patches are JSON merge
// patches needing ifMatch; deletes take it when given.
type ScoringService interface {
	ListScoringRules(ctx context.Context) ([]ScoringRule, error)
	GetScoringRule(ctx context.Context, id string) (*ScoringRule, error)
	CreateScoringRule(ctx context.Context, r ScoringRule) (*ScoringRule, error)
	// UpdateScoringRule changes a rule; its kind stays.
	UpdateScoringRule(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*ScoringRule, []string, error)
	DeleteScoringRule(ctx context.Context, id string, ifMatch int64) error
	// Score is the lead's score with its reasons, what it did that
	// behaviour rules count, and the moves of its status by thresholds.
	Score(ctx context.Context, id string) (*Score, error)
}

// Score is why a lead scores what it does.
type Score struct {
	LeadID     string        `json:"leadId"`
	Score      int           `json:"score"`
	Reasons    []ScoreReason `json:"reasons"`
	Behaviours []Behaviour   `json:"behaviours"`
	Moves      []ScoreMove   `json:"moves"`
}

// NewScoringService returns the ScoringService on store.
func NewScoringService(store *Store) ScoringService {
	return &service{store: store, now: time.Now}
}

// ListScoringRules implements ScoringService, in creation order.
func (s *service) ListScoringRules(ctx context.Context) (out []ScoringRule, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.store.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = scoringRulesIn(ctx, tx, false)
		return err
	})
	return out, err
}

// GetScoringRule implements ScoringService.
func (s *service) GetScoringRule(ctx context.Context, id string) (out *ScoringRule, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !ids.Valid(id) {
		return nil, ErrScoringRuleNotFound
	}
	err = s.store.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = getScoringRule(ctx, tx, id, false)
		return err
	})
	return out, err
}

// CreateScoringRule implements ScoringService.
func (s *service) CreateScoringRule(ctx context.Context, r ScoringRule) (*ScoringRule, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	r.ID, r.CreatedAt, r.UpdatedAt, r.Version = ids.New(), now, now, 1
	err = s.store.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
		if err != nil {
			return err
		}
		if err := r.normalize(defs); err != nil {
			return err
		}
		if err := insertScoringRule(ctx, tx, &r); err != nil {
			return err
		}
		return requestRescan(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateScoringRule implements ScoringService. A patch that changes
// nothing keeps the version and asks for no rescan.
func (s *service) UpdateScoringRule(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*ScoringRule, []string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !ids.Valid(id) {
		return nil, nil, ErrScoringRuleNotFound
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	var out *ScoringRule
	var ch pgrecord.Change
	err = s.store.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		old, err := getScoringRule(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Version != ifMatch {
			return ErrScoringRuleVersion
		}
		next := &ScoringRule{}
		if err := mergepatch.Apply(old, patch, append([]string{"kind"}, scoringReadOnly...), next); err != nil {
			return err
		}
		defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
		if err != nil {
			return err
		}
		if err := next.normalize(defs); err != nil {
			return err
		}
		next.ID, next.Kind, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.Kind, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		if out, ch, err = pgrecord.Updated(old, next); err != nil || ch.Verb == "" {
			return err
		}
		if err := updateScoringRule(ctx, tx, next); err != nil {
			return err
		}
		return requestRescan(ctx, tx)
	})
	return out, ch.Fields, err
}

// DeleteScoringRule implements ScoringService.
func (s *service) DeleteScoringRule(ctx context.Context, id string, ifMatch int64) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	if !ids.Valid(id) {
		return ErrScoringRuleNotFound
	}
	return s.store.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		old, err := getScoringRule(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && old.Version != ifMatch {
			return ErrScoringRuleVersion
		}
		if err := deleteScoringRule(ctx, tx, id); err != nil {
			return err
		}
		return requestRescan(ctx, tx)
	})
}

// Score implements ScoringService for a lead the caller may see.
func (s *service) Score(ctx context.Context, id string) (*Score, error) {
	p, l, err := s.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	bs, moves, err := s.store.scoreDetails(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	return &Score{LeadID: l.ID, Score: l.Score, Reasons: l.ScoreReasons, Behaviours: bs, Moves: moves}, nil
}
