// Package attribution credits a won opportunity's amount to the campaigns
// its contacts touched before it was won, under the attribution models
// (first touch, last touch, linear): Credits splits the amount in whole
// minor units that add up to it exactly. Marketing's attribution context
// stores the credits; reporting's campaign-roi report computes them from
// its read models.
package attribution

import (
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// The attribution models: all of a won opportunity's amount to the
// campaign of the first touch, all to the campaign of the last, or an
// equal share to each touch (a campaign touched twice gets two shares).
const (
	ModelFirstTouch = "first_touch"
	ModelLastTouch  = "last_touch"
	ModelLinear     = "linear"
)

// Models are the attribution models, in the order they are computed.
var Models = []string{ModelFirstTouch, ModelLastTouch, ModelLinear}

// Lookback is how long before an opportunity was won a touch of one of
// its contacts counts for it (a touch at or after the close does not).
const Lookback = 90 * 24 * time.Hour

// sharePlaces is the decimal places a share is rounded to (linear's
// thirds); amounts are never rounded, but split in whole minor units.
const sharePlaces = 6

// exact computes shares and parts without rounding (an amount's minor
// units times a count has far fewer digits than its precision); a share
// is then rounded half-even to sharePlaces.
var exact = apd.Context{Precision: 60, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps,
	Rounding: apd.RoundHalfEven}

// Credit is a campaign's part of a won opportunity's amount under a model.
type Credit struct {
	Model      string
	CampaignID string
	// Share is the campaign's part, from 0 to 1.
	Share *apd.Decimal
	// Minor is the part of the amount, in the amount's minor units.
	Minor int64
}

// weight is a campaign's number of shares under a model.
type weight struct {
	campaign string
	shares   int64
}

// Credits splits minor, a won opportunity's amount in minor units, over
// the campaigns of its touches (campaigns, one per touch in the order the
// touches happened) under every model. The parts of a model add up to
// minor exactly: each campaign gets the whole minor units of its exact
// part, and the units left over go one each to the campaigns whose parts
// lost the largest fractions (the earlier touched first on a tie). No
// touches: no credits.
func Credits(campaigns []string, minor int64) ([]Credit, error) {
	if len(campaigns) == 0 {
		return nil, nil
	}
	var out []Credit
	for _, model := range Models {
		parts, err := split(weights(model, campaigns), minor)
		if err != nil {
			return nil, err
		}
		for i := range parts {
			parts[i].Model = model
		}
		out = append(out, parts...)
	}
	return out, nil
}

// weights are the shares of each campaign under model, in the order the
// campaigns were first touched.
func weights(model string, campaigns []string) []weight {
	switch model {
	case ModelFirstTouch:
		return []weight{{campaigns[0], 1}}
	case ModelLastTouch:
		return []weight{{campaigns[len(campaigns)-1], 1}}
	}
	var out []weight
	for _, c := range campaigns {
		i := slices.IndexFunc(out, func(w weight) bool { return w.campaign == c })
		if i < 0 {
			out = append(out, weight{c, 0})
			i = len(out) - 1
		}
		out[i].shares++
	}
	return out
}

// split divides minor over ws by their shares, in whole minor units adding
// up to minor (largest remainders).
func split(ws []weight, minor int64) ([]Credit, error) {
	var total int64
	for _, w := range ws {
		total += w.shares
	}
	n := apd.New(total, 0)
	out := make([]Credit, len(ws))
	rems := make([]*apd.Decimal, len(ws))
	left := minor
	for i, w := range ws {
		var product, quo, rem, share apd.Decimal
		_, err := exact.Mul(&product, apd.New(minor, 0), apd.New(w.shares, 0))
		if err == nil {
			_, err = exact.QuoInteger(&quo, &product, n)
		}
		if err == nil {
			_, err = exact.Rem(&rem, &product, n)
		}
		if err == nil {
			_, err = exact.Quo(&share, apd.New(w.shares, 0), n)
		}
		if err == nil {
			_, err = exact.Quantize(&share, &share, -sharePlaces)
		}
		if err != nil {
			return nil, fmt.Errorf("attribution: split %d over %d shares: %w", minor, total, err)
		}
		units, err := quo.Int64()
		if err != nil {
			return nil, fmt.Errorf("attribution: split %d: %w", minor, err)
		}
		share.Reduce(&share)
		out[i] = Credit{CampaignID: w.campaign, Share: &share, Minor: units}
		rems[i] = &rem
		left -= units
	}
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:left] {
		out[i].Minor++
	}
	return out, nil
}
