package attribution

import (
	"cmp"
	"slices"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// roiPlaces is the decimal places a ROI is rounded to (half-even).
const roiPlaces = 4

// Query selects a report: the model the won amounts are credited by, and
// the period (from inclusive, to exclusive; zero for open-ended) in which
// leads and opportunities were created and opportunities won.
type Query struct {
	Model    string
	From, To time.Time
}

// Money is an amount of a currency as a plain decimal string ("666.67").
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// CampaignResult is what a campaign brought in a report's period: its
// leads (sales' leads of the campaign); its opportunities (those created
// within Lookback after a touch of the campaign by one of their contacts,
// or made by converting a lead of the campaign); its won opportunities and
// the won amount the model credits it, per currency; its cost; and its
// ROI, (won - cost) / cost in the cost's currency (null without a cost
// greater than 0).
type CampaignResult struct {
	CampaignID       string  `json:"campaignId"`
	Name             string  `json:"name,omitempty"`
	Leads            int64   `json:"leads"`
	Opportunities    int64   `json:"opportunities"`
	WonOpportunities int64   `json:"wonOpportunities"`
	Won              []Money `json:"won"`
	Cost             *Money  `json:"cost"`
	ROI              *string `json:"roi"`
}

// Report is the results of the campaigns under a model, by campaign name
// (then id).
type Report struct {
	Model string           `json:"model"`
	Items []CampaignResult `json:"items"`
}

// wonRow is a campaign's credited amount in one currency, in minor units
// of exponent digits, and the number of won opportunities credited.
type wonRow struct {
	CampaignID    string `db:"campaign_id"`
	Currency      string `db:"currency"`
	Exponent      int    `db:"exponent"`
	Minor         int64  `db:"minor"`
	Opportunities int64  `db:"opportunities"`
}

// countRow is a campaign's count of something.
type countRow struct {
	CampaignID string `db:"campaign_id"`
	N          int64  `db:"n"`
}

// campaignRow is a campaign of package campaigns with its name and
// actual cost ("" for none).
type campaignRow struct {
	ID       string `db:"id"`
	Name     string `db:"name"`
	Cost     string `db:"cost"`
	Currency string `db:"currency"`
}

// results assembles the report's items from its parts: every campaign
// known to package campaigns, and every other campaign with a lead, an
// opportunity or a credit.
func results(campaigns []campaignRow, leads, opportunities []countRow, won []wonRow) ([]CampaignResult, error) {
	byID := map[string]*CampaignResult{}
	get := func(id string) *CampaignResult {
		r := byID[id]
		if r == nil {
			r = &CampaignResult{CampaignID: id, Won: []Money{}}
			byID[id] = r
		}
		return r
	}
	for _, c := range campaigns {
		r := get(c.ID)
		r.Name = c.Name
		if c.Cost != "" {
			r.Cost = &Money{Amount: c.Cost, Currency: c.Currency}
		}
	}
	for _, l := range leads {
		get(l.CampaignID).Leads = l.N
	}
	for _, o := range opportunities {
		get(o.CampaignID).Opportunities = o.N
	}
	for _, w := range won {
		r := get(w.CampaignID)
		r.Won = append(r.Won, Money{Amount: decimalText(w.Minor, w.Exponent), Currency: w.Currency})
		r.WonOpportunities += w.Opportunities
	}
	out := make([]CampaignResult, 0, len(byID))
	for _, r := range byID {
		roi, err := returnOn(r.Won, r.Cost)
		if err != nil {
			return nil, err
		}
		r.ROI = roi
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b CampaignResult) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.CampaignID, b.CampaignID))
	})
	return out, nil
}

// returnOn is (won - cost) / cost, won in cost's currency, rounded to
// roiPlaces; nil without a cost greater than 0.
func returnOn(won []Money, cost *Money) (*string, error) {
	if cost == nil {
		return nil, nil
	}
	c, _, err := apd.NewFromString(cost.Amount)
	if err != nil || c.Sign() <= 0 {
		return nil, err
	}
	gain := apd.New(0, 0)
	for _, w := range won {
		if w.Currency != cost.Currency {
			continue
		}
		d, _, err := apd.NewFromString(w.Amount)
		if err == nil {
			_, err = exact.Add(gain, gain, d)
		}
		if err != nil {
			return nil, err
		}
	}
	var roi apd.Decimal
	_, err = exact.Sub(gain, gain, c)
	if err == nil {
		_, err = exact.Quo(&roi, gain, c)
	}
	if err == nil {
		_, err = exact.Quantize(&roi, &roi, -roiPlaces)
	}
	if err != nil {
		return nil, err
	}
	s := roi.Text('f')
	return &s, nil
}
