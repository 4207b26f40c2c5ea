package forecasts

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Service computes forecasts within the caller's record scope and keeps
// the tenant's exchange rates and the managers' overrides.
type Service interface {
	// Forecast computes req's forecast from the opportunities the caller
	// may see; a currency without a rate is ErrMissingRate naming it.
	Forecast(ctx context.Context, req Request) (*Forecast, error)
	Rates(ctx context.Context) (*Rates, error)
	// SetRates replaces the tenant's rates.
	SetRates(ctx context.Context, r Rates) (*Rates, error)
	// SetOverride sets a manager's figure for an owner's or a team's
	// commit or best case in a period.
	SetOverride(ctx context.Context, o Override) (*Override, error)
}

type service struct {
	store *Store
	now   func() time.Time
}

// NewService returns the Service on store.
func NewService(store *Store) Service { return &service{store: store, now: time.Now} }

// Forecast implements Service: summed in SQL per group, currency and
// category, converted and rounded here; the overrides the caller may see
// (deals.InScope of the owner alone or the team alone: an owner's by the
// owner and scope all, a team's by scope team over it and all) are given
// on their owner's or team's group (withOverrides).
func (s *service) Forecast(ctx context.Context, req Request) (*Forecast, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.store.read(ctx, p, req)
	if err != nil {
		return nil, err
	}
	exp, _ := money.Exponent(req.Currency)
	gs, err := groups(in.rows, converter{rates: in.rates, target: req.Currency, exp: exp})
	if err != nil {
		return nil, err
	}
	return &Forecast{Period: req.Period.Name, From: req.Period.From, To: req.Period.To, GroupBy: req.GroupBy,
		Currency: req.Currency, Exponent: exp, Groups: withOverrides(gs, in.overrides, p, req)}, nil
}

// withOverrides puts each override p may see on the group of its owner or
// team, adding the group, its figures zero, when the period has no
// opportunities of it that the request selects (unless the request
// filters on the other kind of subject, which an override cannot be
// matched to). p sees an override of a team or owner in their record
// scope, and an owner's whose group they see: a team's manager sees the
// overrides of the members whose opportunities in their teams they see,
// though an owner's override names no team.
func withOverrides(gs []Group, overrides []Override, p auth.Principal, req Request) []Group {
	for _, o := range overrides {
		key := o.OwnerID + o.TeamID
		i := slices.IndexFunc(gs, func(g Group) bool { return g.Key == key })
		if !deals.InScope(p, o.OwnerID, o.TeamID) && (o.OwnerID == "" || i < 0) {
			continue
		}
		if i < 0 {
			filter, other := req.OwnerID, req.TeamID
			if o.TeamID != "" {
				filter, other = req.TeamID, req.OwnerID
			}
			if filter != "" && filter != key || other != "" {
				continue
			}
			counts := map[string]int64{}
			for _, c := range deals.ForecastCategories {
				counts[c] = 0
			}
			gs = append(gs, Group{Key: key, Counts: counts, Overrides: []Override{}})
			i = len(gs) - 1
		}
		gs[i].Overrides = append(gs[i].Overrides, o)
	}
	slices.SortFunc(gs, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	return gs
}

// Rates implements Service.
func (s *service) Rates(ctx context.Context) (*Rates, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Rates(ctx, p.TenantID)
}

// SetRates implements Service.
func (s *service) SetRates(ctx context.Context, r Rates) (*Rates, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.normalize(); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	r.UpdatedAt, r.UpdatedBy = &now, p.UserID
	return &r, s.store.SetRates(ctx, p.TenantID, &r)
}

// maxNote bounds an override's note, in characters.
const maxNote = 1000

// SetOverride implements Service.
func (s *service) SetOverride(ctx context.Context, o Override) (*Override, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	_, ok := ParsePeriod(o.Period)
	v.Check(ok, "period", "must be a quarter (2027-Q1) or a month (2027-03)")
	o.OwnerID, o.TeamID, o.Note = strings.TrimSpace(o.OwnerID), strings.TrimSpace(o.TeamID), strings.TrimSpace(o.Note)
	v.Check((o.OwnerID == "") != (o.TeamID == ""), "ownerId", "one of ownerId and teamId is required, not both")
	v.Check(utf8.RuneCountInString(o.OwnerID+o.TeamID) <= 100, "ownerId", "at most 100 characters")
	v.Check(slices.Contains([]string{deals.CategoryCommit, deals.CategoryBestCase}, o.Category), "category", "must be commit or bestCase")
	o.Amount.Check(v, "amount")
	v.Check(utf8.RuneCountInString(o.Note) <= maxNote, "note", fmt.Sprintf("at most %d characters", maxNote))
	if err := v.Err(); err != nil {
		return nil, err
	}
	o.SetBy, o.SetAt = p.UserID, s.now().UTC().Truncate(time.Microsecond)
	return &o, s.store.SetOverride(ctx, p.TenantID, &o)
}
