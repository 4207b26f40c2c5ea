package forecasts

import (
	"slices"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// The groupings of a forecast: one group for the tenant, or one per owner
// or per team (opportunities without a team in the group "").
const (
	GroupTenant = "tenant"
	GroupOwner  = "owner"
	GroupTeam   = "team"
)

// Request is what a forecast is asked for: its period, grouping, currency
// and, optionally, one owner's or one team's opportunities.
type Request struct {
	Period          Period
	GroupBy         string
	Currency        string
	OwnerID, TeamID string
}

// Forecast is a period's forecast in one currency: Exponent is its
// minor-unit digits, every figure of its groups is in its minor units.
type Forecast struct {
	Period   string  `json:"period"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	GroupBy  string  `json:"groupBy"`
	Currency string  `json:"currency"`
	Exponent int     `json:"exponent"`
	Groups   []Group `json:"groups"`
}

// Group is the forecast of the tenant, an owner or a team (Key: the owner's
// or the team's id, "" for the tenant or no team). The figures are
// cumulative, each converted and rounded half-even once: ClosedWon the won
// opportunities; Commit those and the open ones in commit; BestCase those
// and the open ones in bestCase; Pipeline every open one and the won ones.
// Weighted is Σ amount × probability / 100 of the open ones. Counts are the
// opportunities per forecast category, those without an amount included.
// Overrides are the managers' figures for the group's owner or team,
// beside the computed ones.
type Group struct {
	Key       string           `json:"key"`
	Pipeline  int64            `json:"pipeline"`
	BestCase  int64            `json:"bestCase"`
	Commit    int64            `json:"commit"`
	ClosedWon int64            `json:"closedWon"`
	Weighted  int64            `json:"weighted"`
	Counts    map[string]int64 `json:"counts"`
	Overrides []Override       `json:"overrides"`
}

// Override is a manager's figure for an owner's (OwnerID) or a team's
// (TeamID) commit or best case in a period, with who set it and when.
type Override struct {
	Period   string      `json:"period"`
	OwnerID  string      `json:"ownerId,omitempty"`
	TeamID   string      `json:"teamId,omitempty"`
	Category string      `json:"category"`
	Amount   money.Money `json:"amount"`
	Note     string      `json:"note"`
	SetBy    string      `json:"setBy"`
	SetAt    time.Time   `json:"setAt"`
}

// sumRow is the SQL aggregate of a group's opportunities in one currency
// ("" without an amount) and one category: their count, the sum of their
// amounts and of amount × probability, in minor units, as decimals.
type sumRow struct {
	Key      string `db:"key"`
	Currency string `db:"currency"`
	Category string `db:"category"`
	N        int64  `db:"n"`
	Total    string `db:"total"`
	Weighted string `db:"weighted"`
}

// openCategories are the categories of open opportunities.
var openCategories = []string{deals.CategoryPipeline, deals.CategoryBestCase, deals.CategoryCommit}

// tally is a group's sums in the target's minor units, unrounded.
type tally struct {
	sums     map[string]*apd.Decimal
	weighted *apd.Decimal
	counts   map[string]int64
}

// groups turns rows into the groups, in no order: lost opportunities are
// counted and never converted.
func groups(rows []sumRow, conv converter) ([]Group, error) {
	tallies := map[string]*tally{}
	for _, r := range rows {
		t := tallies[r.Key]
		if t == nil {
			t = &tally{sums: map[string]*apd.Decimal{}, weighted: new(apd.Decimal), counts: map[string]int64{}}
			for _, c := range deals.ForecastCategories {
				t.sums[c], t.counts[c] = new(apd.Decimal), 0
			}
			tallies[r.Key] = t
		}
		t.counts[r.Category] += r.N
		if r.Currency == "" || r.Category == deals.CategoryOmitted {
			continue
		}
		if err := t.add(r, conv); err != nil {
			return nil, err
		}
	}
	out := make([]Group, 0, len(tallies))
	for key, t := range tallies {
		g, err := t.group(key)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// add converts r's sums and adds them to t.
func (t *tally) add(r sumRow, conv converter) error {
	total, _, err := apd.NewFromString(r.Total)
	if err != nil {
		return err
	}
	v, err := conv.convert(total, r.Currency)
	if err != nil {
		return err
	}
	if _, err := exact.Add(t.sums[r.Category], t.sums[r.Category], v); err != nil {
		return err
	}
	if !slices.Contains(openCategories, r.Category) {
		return nil
	}
	weighted, _, err := apd.NewFromString(r.Weighted)
	if err != nil {
		return err
	}
	if v, err = conv.convert(weighted, r.Currency); err != nil {
		return err
	}
	if _, err := exact.Quo(v, v, apd.New(100, 0)); err != nil {
		return err
	}
	_, err = exact.Add(t.weighted, t.weighted, v)
	return err
}

// group is t's figures, cumulative, each rounded once.
func (t *tally) group(key string) (Group, error) {
	g := Group{Key: key, Counts: t.counts, Overrides: []Override{}}
	running := new(apd.Decimal)
	for _, f := range []struct {
		category string
		figure   *int64
	}{{deals.CategoryClosed, &g.ClosedWon}, {deals.CategoryCommit, &g.Commit}, {deals.CategoryBestCase, &g.BestCase}, {deals.CategoryPipeline, &g.Pipeline}} {
		if _, err := exact.Add(running, running, t.sums[f.category]); err != nil {
			return g, err
		}
		n, err := round(running)
		if err != nil {
			return g, err
		}
		*f.figure = n
	}
	var err error
	g.Weighted, err = round(t.weighted)
	return g, err
}
