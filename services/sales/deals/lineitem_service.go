package deals

import (
	"context"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// LineItemService reads and sets the line items of opportunities, within
// the caller's record scope as OpportunityService.
type LineItemService interface {
	// LineItems returns the line items of the opportunity id.
	LineItems(ctx context.Context, id string) (*LineItems, error)
	// SetLineItems replaces the line items of the opportunity id at version
	// ifMatch with in, priced from its price book today, and makes the
	// opportunity's amount their total when there are any; it returns the
	// fields of the opportunity that changed.
	SetLineItems(ctx context.Context, id string, ifMatch int64, in LineItemsInput) (*LineItems, []string, error)
}

// LineItems implements LineItemService.
func (s *opportunityService) LineItems(ctx context.Context, id string) (*LineItems, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return lineItemsOf(o), nil
}

// SetLineItems implements LineItemService. Lines that change nothing keep
// the version and publish nothing; otherwise opportunity.updated names
// lineItems (and amount, priceBookId when they changed). Emptying the
// lines keeps the amount as it was, the caller's to change again.
func (s *opportunityService) SetLineItems(ctx context.Context, id string, ifMatch int64, in LineItemsInput) (*LineItems, []string, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.visible(ctx, p, id); err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	if err := in.check(); err != nil {
		return nil, nil, err
	}
	now := s.timestamp()
	out, ch, err := s.store.SetLineItems(ctx, p.TenantID, id, now, func(old *Opportunity, price Pricer) (*Opportunity, OpportunityChange, error) {
		if old.DeletedAt != nil || !InScope(p, old.OwnerID, old.TeamID) {
			return nil, OpportunityChange{}, ErrOpportunityNotFound
		}
		if old.Version != ifMatch {
			return nil, OpportunityChange{}, ErrOpportunityVersion
		}
		lines, total, err := in.price(price)
		if err != nil {
			return nil, OpportunityChange{}, err
		}
		next := *old
		next.LineItems, next.PriceBookID = lines, in.PriceBookID
		if total != nil {
			next.Amount = total
		}
		next.UpdatedAt, next.Version = now, old.Version+1
		changed, err := events.ChangedFields(old, &next)
		if err != nil || len(changed) == 0 {
			return old, OpportunityChange{}, err
		}
		return &next, OpportunityChange{Verb: pgstore.VerbUpdated, Fields: changed}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return lineItemsOf(out), ch.Fields, nil
}
