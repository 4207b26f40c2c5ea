package quotes

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/sales/money"
)

// Settings are a tenant's approval thresholds. A quote needs the approval
// of the manager of its owner's team when a line's discount exceeds
// DiscountPercent or its total exceeds Totals[currency].Approval, and
// also of the manager of that team's parent team when a discount exceeds
// SecondLevelDiscountPercent or the total Totals[currency].SecondLevel.
// An empty threshold never asks; a tenant without settings asks nothing.
type Settings struct {
	DiscountPercent            string                `json:"discountPercent,omitempty"`
	SecondLevelDiscountPercent string                `json:"secondLevelDiscountPercent,omitempty"`
	Totals                     map[string]Thresholds `json:"totals"`
	UpdatedAt                  *time.Time            `json:"updatedAt,omitempty"`
	UpdatedBy                  string                `json:"updatedBy,omitempty"`
}

// Thresholds are the totals of one currency, in its minor units, above
// which a quote needs one or two levels of approval (nil: never).
type Thresholds struct {
	Approval    *int64 `json:"approval,omitempty"`
	SecondLevel *int64 `json:"secondLevel,omitempty"`
}

// maxCurrencies is the most currencies of a tenant's thresholds.
const maxCurrencies = 200

// normalize validates s, naming each bad field.
func (s *Settings) normalize() error {
	v := errs.NewValidator()
	for _, f := range []struct{ name, value string }{{"discountPercent", s.DiscountPercent}, {"secondLevelDiscountPercent", s.SecondLevelDiscountPercent}} {
		_, err := money.ParseDiscount(f.value)
		v.Check(err == nil, f.name, reason(err))
	}
	if s.Totals == nil {
		s.Totals = map[string]Thresholds{}
	}
	v.Check(len(s.Totals) <= maxCurrencies, "totals", fmt.Sprintf("at most %d currencies", maxCurrencies))
	for _, cur := range slices.Sorted(maps.Keys(s.Totals)) {
		t := s.Totals[cur]
		_, ok := money.Exponent(cur)
		v.Check(ok, "totals/"+cur, "must be keyed by an ISO 4217 currency code in upper case")
		v.Check(t.Approval == nil || *t.Approval >= 0, "totals/"+cur+"/approval", "must be minor units, 0 or more")
		v.Check(t.SecondLevel == nil || *t.SecondLevel >= 0, "totals/"+cur+"/secondLevel", "must be minor units, 0 or more")
	}
	return v.Err()
}

// reason is err's message, or "" without one.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// levels returns how many levels of approval q's lines and total need
// under s: 0, 1 or 2.
func (s *Settings) levels(q *Quote) int {
	level := 0
	raise := func(over bool, to int) {
		if over && to > level {
			level = to
		}
	}
	for _, threshold := range []struct {
		value string
		to    int
	}{{s.DiscountPercent, 1}, {s.SecondLevelDiscountPercent, 2}} {
		if threshold.value == "" {
			continue
		}
		limit, _ := money.ParseDiscount(threshold.value)
		for _, l := range q.LineItems {
			d, _, err := apd.NewFromString(l.DiscountPercent)
			raise(err == nil && d.Cmp(limit) > 0, threshold.to)
		}
	}
	t := s.Totals[q.Currency]
	raise(t.Approval != nil && q.Total.Minor > *t.Approval, 1)
	raise(t.SecondLevel != nil && q.Total.Minor > *t.SecondLevel, 2)
	return level
}
