// Package predictions is the reporting service's predictions (issue 20,
// point 3): per tenant, on its own history only, a win model (the
// probability that each open opportunity is won), a churn model (the risk
// that each customer account churns) and a demand forecast (cases per
// queue in the weeks ahead), each evaluated on a held-out period after its
// training period (a time-based split) and stored with its version and
// predictions; a tenant with too little history gets notEnoughData with
// the reason instead of numbers. The models are retrained when older than
// a day (Trainer's job) and on demand (POST /v1/predictions/retrain);
// predictions are read in the caller's record scope.
package predictions

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Service is the API of predictions.
type Service interface {
	// Models lists the tenant's models, every kind (untrained ones too).
	Models(ctx context.Context) (Models, error)
	// Opportunities returns a page of the open opportunities' predictions
	// in the caller's scope, the likeliest first, after cursor.
	Opportunities(ctx context.Context, cursor string, limit int) (OpportunityPage, error)
	// Opportunity returns the prediction of the open opportunity id.
	Opportunity(ctx context.Context, id string) (OpportunityPrediction, error)
	// Accounts returns a page of the customer accounts' churn risks in the
	// caller's scope, the riskiest first, after cursor.
	Accounts(ctx context.Context, cursor string, limit int) (AccountPage, error)
	// Account returns the churn risk of the customer account id.
	Account(ctx context.Context, id string) (AccountPrediction, error)
	// Demand returns the forecast of queue, or of every queue ("").
	Demand(ctx context.Context, queue string) (Demand, error)
	// Retrain trains the tenant's models now and returns them.
	Retrain(ctx context.Context) (Models, error)
}

// service is the Service on a database.
type service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	trainer *Trainer
}

// NewService returns the Service on db, its pages' cursors signed by
// cursors, retraining with trainer.
func NewService(db *outbox.DB, cursors *kitx.Cursors, trainer *Trainer) Service {
	return &service{db: db, cursors: cursors, trainer: trainer}
}

// Models implements Service.
func (s *service) Models(ctx context.Context) (out Models, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		models, err := readModels(ctx, tx)
		for _, kind := range Kinds {
			m, ok := models[kind]
			if !ok {
				m = Model{Kind: kind, Status: StatusUntrained, Reason: "not trained yet"}
			}
			out.Items = append(out.Items, m)
		}
		return err
	})
	return out, err
}

// ready fails unless the tenant's model of kind is ready: ErrNotTrained,
// or ErrNotEnoughData naming the model and the reason.
func ready(ctx context.Context, tx *outbox.Tx, kind string) error {
	models, err := readModels(ctx, tx)
	if err != nil {
		return err
	}
	m, ok := models[kind]
	switch {
	case !ok:
		e := ErrNotTrained.WithDetail("the %s model has not been trained yet", kind)
		e.Fields = []errs.FieldError{{Field: "model", Reason: kind + ": not trained yet"}}
		return e
	case m.Status != StatusReady:
		e := ErrNotEnoughData.WithDetail("the %s model has not enough data: %s", kind, m.Reason)
		e.Fields = []errs.FieldError{{Field: "model", Reason: kind + ": " + m.Reason}}
		return e
	}
	return nil
}

// after decodes a page's cursor (nil for the first page).
func (s *service) after(cursor string) (*rankKey, error) {
	if cursor == "" {
		return nil, nil
	}
	var k rankKey
	if err := s.cursors.DecodeCursor(cursor, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// scores is what the listings of one model's scores differ in: the model
// whose scores they are, the read model of its records, the error of an
// unknown record, the query of the scores and a score's place in a page.
type scores[T any] struct {
	kind     string
	table    string
	notFound error
	list     func(ctx context.Context, tx *outbox.Tx, gen rm.Gen, p auth.Principal, id string, after *rankKey, n int) ([]T, error)
	key      func(T) rankKey
}

// page returns a page of sc's scores in the caller's scope after cursor,
// and the next page's cursor ("" on the last page).
func page[T any](ctx context.Context, s *service, sc scores[T], cursor string, limit int) (items []T, next string, err error) {
	after, err := s.after(cursor)
	if err != nil {
		return nil, "", err
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if err := ready(ctx, tx, sc.kind); err != nil {
			return err
		}
		gen, err := rm.Active(ctx, tx.SQL())
		if err != nil {
			return err
		}
		items, err = sc.list(ctx, tx, gen, p, "", after, limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		next = s.cursors.EncodeCursor(sc.key(items[limit-1]))
	}
	return items, next, nil
}

// one returns sc's score of the record id. A record the caller may not
// see is sc.notFound whatever the model's state; one it may see without
// a model's score, the model's not-ready error.
func one[T any](ctx context.Context, s *service, sc scores[T], id string) (out T, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if !ids.Valid(id) {
			return sc.notFound
		}
		gen, err := rm.Active(ctx, tx.SQL())
		if err != nil {
			return err
		}
		if ok, err := inScope(ctx, tx, gen, p, sc.table, id); err != nil {
			return err
		} else if !ok {
			return sc.notFound
		}
		if err := ready(ctx, tx, sc.kind); err != nil {
			return err
		}
		list, err := sc.list(ctx, tx, gen, p, id, nil, 1)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return sc.notFound
		}
		out = list[0]
		return nil
	})
	return out, err
}

// winScores are the open opportunities' win probabilities.
var winScores = scores[OpportunityPrediction]{
	kind: KindWin, table: "rm_opportunities", notFound: ErrOpportunityNotFound, list: listOpportunities,
	key: func(o OpportunityPrediction) rankKey { return rankKey{Value: o.Probability, ID: o.OpportunityID} },
}

// churnScores are the customer accounts' churn risks.
var churnScores = scores[AccountPrediction]{
	kind: KindChurn, table: "rm_accounts", notFound: ErrAccountNotFound, list: listAccounts,
	key: func(a AccountPrediction) rankKey { return rankKey{Value: a.Risk, ID: a.AccountID} },
}

// Opportunities implements Service.
func (s *service) Opportunities(ctx context.Context, cursor string, limit int) (out OpportunityPage, err error) {
	out.Items, out.NextCursor, err = page(ctx, s, winScores, cursor, limit)
	return out, err
}

// Opportunity implements Service.
func (s *service) Opportunity(ctx context.Context, id string) (OpportunityPrediction, error) {
	return one(ctx, s, winScores, id)
}

// Accounts implements Service.
func (s *service) Accounts(ctx context.Context, cursor string, limit int) (out AccountPage, err error) {
	out.Items, out.NextCursor, err = page(ctx, s, churnScores, cursor, limit)
	return out, err
}

// Account implements Service.
func (s *service) Account(ctx context.Context, id string) (AccountPrediction, error) {
	return one(ctx, s, churnScores, id)
}

// Demand implements Service.
func (s *service) Demand(ctx context.Context, queue string) (out Demand, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if err := ready(ctx, tx, KindDemand); err != nil {
			return err
		}
		if out.Items, err = readDemand(ctx, tx, queue); err != nil || queue == "" || len(out.Items) > 0 {
			return err
		}
		gen, err := rm.Active(ctx, tx.SQL())
		if err != nil {
			return err
		}
		known, err := queueExists(ctx, tx, gen, queue)
		switch {
		case err != nil:
			return err
		case !known:
			return ErrQueueNotFound.WithDetail("no case names the queue %q", queue)
		}
		reason := fmt.Sprintf("the queue has fewer than %d complete weeks of cases", demandMinWeeks)
		e := ErrNotEnoughData.WithDetail("the demand model has not enough data for the queue %q: %s", queue, reason)
		e.Fields = []errs.FieldError{{Field: "queue", Reason: "demand: " + reason}}
		return e
	})
	return out, err
}

// Retrain implements Service.
func (s *service) Retrain(ctx context.Context) (out Models, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = s.trainer.Train(ctx, tx)
		return err
	})
	return out, err
}
