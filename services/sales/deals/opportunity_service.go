package deals

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

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// OpportunityService manages opportunities within the caller's record
// scope in the sales module: an opportunity out of it is not found.
// Patches are JSON merge patches; ifMatch is the version the caller last
// saw (0: none).
type OpportunityService interface {
	CreateOpportunity(ctx context.Context, o Opportunity) (*Opportunity, error)
	GetOpportunity(ctx context.Context, id string) (*Opportunity, error)
	ListOpportunities(ctx context.Context, f Filter, cursor string, limit int) (*Page, error)
	// UpdateOpportunity changes an opportunity; a patch changing stageId
	// (or pipelineId and stageId) moves it, which the target stage's
	// required fields must allow.
	UpdateOpportunity(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Opportunity, []string, error)
	DeleteOpportunity(ctx context.Context, id string, ifMatch int64) error
	RestoreOpportunity(ctx context.Context, id string, ifMatch int64) (*Opportunity, error)
	StageHistory(ctx context.Context, id string) ([]StageVisit, error)
	Board(ctx context.Context, pipelineID string, f Filter, order BoardOrder, limit int) (*Board, error)
	LineItemService
	Creator
}

// Page is a page of opportunities; NextCursor, when set, reads the next.
type Page struct {
	Items      []Opportunity `json:"items"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

type opportunityService struct {
	*service
	cursors *kitx.Cursors
	records Records
}

// NewOpportunityService returns the OpportunityService on store, signing
// list cursors with cursors and checking the accounts and contacts an
// opportunity names with records (nil: their shape only).
func NewOpportunityService(store *Store, cursors *kitx.Cursors, records Records) OpportunityService {
	return &opportunityService{service: &service{store: store, now: time.Now}, cursors: cursors, records: records}
}

// visible reads the opportunity id as p may see it.
func (s *opportunityService) visible(ctx context.Context, p auth.Principal, id string) (*Opportunity, error) {
	if !ids.Valid(id) {
		return nil, ErrOpportunityNotFound
	}
	o, err := s.store.Opportunity(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !InScope(p, o.OwnerID, o.TeamID) {
		return nil, ErrOpportunityNotFound
	}
	return o, nil
}

// CreateOpportunity implements OpportunityService: in the tenant's
// default pipeline unless it names one, in the pipeline's first stage
// unless it names one, owned by the caller unless it names an owner; the
// accounts and contacts it names must be ones the caller may see in
// contacts (checkReferences).
func (s *opportunityService) CreateOpportunity(ctx context.Context, in Opportunity) (*Opportunity, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.prepare(ctx, p, &in); err != nil {
		return nil, err
	}
	if err := checkReferences(ctx, s.records, nil, &in); err != nil {
		return nil, err
	}
	err = s.store.CreateOpportunity(ctx, p.TenantID, &in, s.firstStage(&in), p.UserID)
	return &in, pipelineInvalid(err)
}

// PrepareOpportunity implements Creator.
func (s *opportunityService) PrepareOpportunity(ctx context.Context, in *Opportunity) error {
	p, err := s.caller(ctx)
	if err != nil {
		return err
	}
	return s.prepare(ctx, p, in)
}

// CreateOpportunityIn implements Creator.
func (s *opportunityService) CreateOpportunityIn(ctx context.Context, tx *outbox.Tx, in *Opportunity) error {
	p, err := s.caller(ctx)
	if err != nil {
		return err
	}
	return pipelineInvalid(createOpportunityIn(ctx, tx, in, s.firstStage(in), p.UserID))
}

// prepare checks a new opportunity's own fields, as p creates it, and
// gives it its id, times and, unless it names one, the tenant's default
// pipeline.
func (s *opportunityService) prepare(ctx context.Context, p auth.Principal, in *Opportunity) error {
	if err := in.normalize(p.UserID); err != nil {
		return err
	}
	if in.PipelineID == "" {
		list, err := s.store.Pipelines(ctx, p.TenantID)
		if err != nil {
			return err
		}
		in.PipelineID = list[0].ID // the default comes first
	}
	now := s.timestamp()
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version, in.DeletedAt, in.Status = ids.New(), now, now, 1, nil, ""
	return nil
}

// firstStage returns the stage in enters in its pipeline: the one it
// names, else the pipeline's first.
func (s *opportunityService) firstStage(in *Opportunity) func(pl *Pipeline) (Stage, error) {
	return func(pl *Pipeline) (Stage, error) {
		if in.StageID == "" {
			in.StageID = pl.Stages[0].ID
		}
		st, ok := pl.stageOf(in.StageID)
		if !ok {
			return st, errs.Invalidf([]errs.FieldError{{Field: "stageId", Reason: "must be a stage of the pipeline " + pl.ID}}, "no such stage")
		}
		return st, in.enter(st, in.CreatedAt, in.Probability != nil, in.ForecastCategory != "")
	}
}

// pipelineInvalid is err, a missing pipeline being a 400 naming
// pipelineId.
func pipelineInvalid(err error) error {
	if errs.KindOf(err) == errs.NotFound {
		return errs.Invalidf([]errs.FieldError{{Field: "pipelineId", Reason: "must be the id of one of the tenant's pipelines"}}, "no such pipeline")
	}
	return err
}

// GetOpportunity implements OpportunityService.
func (s *opportunityService) GetOpportunity(ctx context.Context, id string) (*Opportunity, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.visible(ctx, p, id)
}

// ListOpportunities implements OpportunityService, newest first.
func (s *opportunityService) ListOpportunities(ctx context.Context, f Filter, cursor string, limit int) (*Page, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Opportunity, error) {
		return s.store.Opportunities(ctx, p.TenantID, p, f, after, n)
	}, func(o Opportunity) string { return o.ID })
	if err != nil {
		return nil, err
	}
	return &Page{Items: items, NextCursor: next}, nil
}

// UpdateOpportunity implements OpportunityService. A patch that changes
// nothing keeps the version and publishes nothing; customFields merge by
// key and are checked against the definitions in the write's transaction. A move resets the
// probability to the new stage's unless the patch sets it.
func (s *opportunityService) UpdateOpportunity(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Opportunity, []string, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	seen, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	if err := s.checkPatchReferences(ctx, seen, patch); err != nil {
		return nil, nil, err
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(patch, &keys) // mergepatch.Apply refuses what is no object
	_, setsProbability := keys["probability"]
	_, setsCategory := keys["forecastCategory"]
	if err := checkWholeAmount(keys["amount"]); err != nil {
		return nil, nil, err
	}
	_, setsAmount := keys["amount"]
	out, ch, err := s.store.updateOpportunity(ctx, p.TenantID, id, func(tx *outbox.Tx, old *Opportunity) (*Opportunity, OpportunityChange, error) {
		pipelines := func(pid string) (*Pipeline, error) { return getPipeline(ctx, tx, pid, false) }
		if old.DeletedAt != nil || !InScope(p, old.OwnerID, old.TeamID) {
			return nil, OpportunityChange{}, ErrOpportunityNotFound
		}
		if old.Version != ifMatch {
			return nil, OpportunityChange{}, ErrOpportunityVersion
		}
		if setsAmount && len(old.LineItems) > 0 {
			return nil, OpportunityChange{}, ErrAmountFollowsLines
		}
		base := *old
		if base.Amount != nil {
			base.Amount = &Money{Minor: old.Amount.Minor, Currency: old.Amount.Currency} // the exponent follows the currency
		}
		next := &Opportunity{}
		if err := mergepatch.Apply(base, patch, opportunityReadOnly, next); err != nil {
			return nil, OpportunityChange{}, err
		}
		if err := next.normalize(p.UserID); err != nil {
			return nil, OpportunityChange{}, err
		}
		if err := checkFields(ctx, tx, next); err != nil {
			return nil, OpportunityChange{}, err
		}
		now := s.timestamp()
		next.ID, next.Status, next.ClosedAt, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.Status, old.ClosedAt, old.CreatedAt, now, old.Version+1
		move, err := s.move(old, next, pipelines, now, setsProbability, setsCategory, p.UserID)
		if err != nil {
			return nil, OpportunityChange{}, err
		}
		changed, err := events.ChangedFields(old, next)
		if err != nil || len(changed) == 0 {
			return old, OpportunityChange{}, err
		}
		return next, OpportunityChange{Verb: pgstore.VerbUpdated, Fields: changed, Move: move}, nil
	})
	return out, ch.Fields, err
}

// move enters next into its stage when the patch moved it (another stage
// or pipeline), returning the move; nil when it stays. A probability the
// patch removed is the stage's again; the forecast category settles
// (setCategory: the patch set it).
func (s *opportunityService) move(old, next *Opportunity, pipelines Pipelines, now time.Time, keepProbability, setCategory bool, by string) (*StageMove, error) {
	v := errs.NewValidator()
	v.Check(next.PipelineID != "", "pipelineId", "is required")
	v.Check(next.StageID != "", "stageId", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if next.PipelineID == old.PipelineID && next.StageID == old.StageID {
		if next.Probability == nil { // removed: the stage's again
			pl, err := pipelines(old.PipelineID)
			if err != nil {
				return nil, err
			}
			st, _ := pl.stageOf(old.StageID)
			p := *st.Probability
			next.Probability = &p
		}
		return nil, next.settleCategory(setCategory)
	}
	to, err := pipelines(next.PipelineID)
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.Invalidf([]errs.FieldError{{Field: "pipelineId", Reason: "must be the id of one of the tenant's pipelines"}}, "no such pipeline")
	}
	if err != nil {
		return nil, err
	}
	st, ok := to.stageOf(next.StageID)
	if !ok {
		return nil, errs.Invalidf([]errs.FieldError{{Field: "stageId", Reason: "must be a stage of the pipeline " + to.ID + "; moving to another pipeline names a stage of it"}}, "no such stage")
	}
	from, err := pipelines(old.PipelineID)
	if err != nil {
		return nil, err
	}
	fromStage, _ := from.stageOf(old.StageID)
	if err := next.enter(st, now, keepProbability, setCategory); err != nil {
		return nil, err
	}
	return &StageMove{Opportunity: next, MovedBy: by,
		From: StageRef{PipelineID: from.ID, StageID: fromStage.ID, Name: fromStage.Name, Kind: fromStage.Kind},
		To:   StageRef{PipelineID: to.ID, StageID: st.ID, Name: st.Name, Kind: st.Kind}}, nil
}

// DeleteOpportunity implements OpportunityService: a soft delete, undone
// by RestoreOpportunity.
func (s *opportunityService) DeleteOpportunity(ctx context.Context, id string, ifMatch int64) error {
	_, err := s.setDeleted(ctx, id, ifMatch, true)
	return err
}

// RestoreOpportunity implements OpportunityService.
func (s *opportunityService) RestoreOpportunity(ctx context.Context, id string, ifMatch int64) (*Opportunity, error) {
	return s.setDeleted(ctx, id, ifMatch, false)
}

// setDeleted deletes or restores the opportunity id; deleting a deleted
// one is not found, restoring a live one a conflict.
func (s *opportunityService) setDeleted(ctx context.Context, id string, ifMatch int64, deleted bool) (*Opportunity, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.visible(ctx, p, id); err != nil {
		return nil, err
	}
	out, _, err := s.store.UpdateOpportunity(ctx, p.TenantID, id, func(old *Opportunity, _ Pipelines) (*Opportunity, OpportunityChange, error) {
		switch {
		case !InScope(p, old.OwnerID, old.TeamID), deleted && old.DeletedAt != nil:
			return nil, OpportunityChange{}, ErrOpportunityNotFound
		case !deleted && old.DeletedAt == nil:
			return nil, OpportunityChange{}, ErrNotDeleted
		case ifMatch != 0 && old.Version != ifMatch:
			return nil, OpportunityChange{}, ErrOpportunityVersion
		}
		next := *old
		now := s.timestamp()
		next.UpdatedAt, next.Version, next.DeletedAt = now, old.Version+1, nil
		verb := pgstore.VerbRestored
		if deleted {
			next.DeletedAt, verb = &now, pgstore.VerbDeleted
		}
		return &next, OpportunityChange{Verb: verb}, nil
	})
	return out, err
}

// StageHistory implements OpportunityService.
func (s *opportunityService) StageHistory(ctx context.Context, id string) ([]StageVisit, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.visible(ctx, p, id); err != nil {
		return nil, err
	}
	return s.store.StageHistory(ctx, p.TenantID, id, s.timestamp())
}

// Board implements OpportunityService.
func (s *opportunityService) Board(ctx context.Context, pipelineID string, f Filter, order BoardOrder, limit int) (*Board, error) {
	p, err := s.callerOf(ctx, pipelineID)
	if err != nil {
		return nil, err
	}
	return s.store.Board(ctx, p.TenantID, p, pipelineID, f, order, limit)
}

// checkWholeAmount refuses a patch's amount that is an object without both
// its minor units and its currency: merged into the old amount, a currency
// alone would re-read the old minor units in another currency (1,000 cents
// of USD as 1,000 yen), and minor units alone would be taken for the old
// currency's unseen. null removes the amount; absent leaves it.
func checkWholeAmount(raw json.RawMessage) error {
	var amount map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &amount) != nil || amount == nil {
		return nil // absent, null, or no object: Apply and normalize judge it
	}
	v := errs.NewValidator()
	for _, field := range []string{"minor", "currency"} {
		_, ok := amount[field]
		v.Check(ok, "amount/"+field, "is required: a patch sends the amount whole, its minor units with its currency")
	}
	return v.Err()
}
