package messaging

import (
	"cmp"
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// ErrNoABTest is the A/B results of a send without an A/B test.
var ErrNoABTest = errs.New(errs.NotFound, "marketing-send-no-ab-test", "the send has no A/B test")

// The states of an A/B test.
const (
	ABWaiting = "waiting" // the send's recipients are not all made into messages: no test share yet
	ABTesting = "testing" // the test share goes out (or went out); the rest is held
	ABDecided = "decided" // the winner is chosen; the rest goes out with its content
)

// VariantResult is a variant's outcome in the test share: Sent messages
// (not bounced), of which Opens were opened and Clicks clicked by a
// person (each message once; bots' and prefetches' hits left out), their
// rates, and Pending still to go out.
type VariantResult struct {
	Name      string  `json:"name"`
	Sent      int     `json:"sent"`
	Opens     int     `json:"opens"`
	Clicks    int     `json:"clicks"`
	OpenRate  float64 `json:"openRate"`
	ClickRate float64 `json:"clickRate"`
	Pending   int     `json:"pending"`
}

// Comparison is the two-proportion z-test of the best variant against
// the runner-up by the test's metric.
type Comparison struct {
	Best     string  `json:"best"`
	RunnerUp string  `json:"runnerUp"`
	Z        float64 `json:"z"`
	PValue   float64 `json:"pValue"`
}

// Decision is how an A/B test's winner was chosen: By significance or at
// the deadline, At when, with the test, its statistic and PValue (the
// larger p-value of the tests the decision needs) and the variants'
// outcomes then.
type Decision struct {
	Winner    string          `json:"winner"`
	By        string          `json:"by"`
	At        time.Time       `json:"at"`
	Test      string          `json:"test"`
	Statistic float64         `json:"statistic"`
	PValue    float64         `json:"pValue"`
	Variants  []VariantResult `json:"variants"`
}

// Rest is the recipients outside the test share: Held until the winner
// is chosen, then Pending and Sent with the winner's content.
type Rest struct {
	Held    int `json:"held"`
	Pending int `json:"pending"`
	Sent    int `json:"sent"`
}

// ABResults is a send's A/B test as it stands: the test as made, its
// state, each variant's outcome, the test (TestZ or TestChiSquare) with
// its statistic (z, or chi-square with DegreesOfFreedom) and p-value, the
// best variant against the runner-up, whether it is Significant at the
// test's MinConfidence, the rest, and the Decision once made.
type ABResults struct {
	SendID           string          `json:"sendId"`
	ABTest           ABTest          `json:"abTest"`
	State            string          `json:"state"`
	Metric           string          `json:"metric"`
	Variants         []VariantResult `json:"variants"`
	Test             string          `json:"test"`
	Statistic        float64         `json:"statistic"`
	DegreesOfFreedom int             `json:"degreesOfFreedom,omitempty"`
	PValue           float64         `json:"pValue"`
	Comparison       Comparison      `json:"comparison"`
	Significant      bool            `json:"significant"`
	Rest             Rest            `json:"rest"`
	Decision         *Decision       `json:"decision,omitempty"`
}

// ABResults returns the A/B results of the send id.
func (s *Service) ABResults(ctx context.Context, id string) (out ABResults, err error) {
	if !ids.Valid(id) {
		return out, ErrSendNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if _, err := sendRowIn(ctx, tx, id, false); err != nil {
			return err
		}
		r, ok, err := abTestOf(ctx, tx, id)
		if err != nil || !ok {
			return cmp.Or(err, error(ErrNoABTest))
		}
		counts, err := variantCounts(ctx, tx, id)
		if err != nil {
			return err
		}
		out = results(r, counts)
		return nil
	})
	return out, err
}

// results is the A/B results of the test r with its messages' counts.
func results(r abRow, counts map[string]variantCount) ABResults {
	a := r.test()
	out := ABResults{SendID: r.SendID, ABTest: a, State: ABWaiting, Metric: a.Metric, Decision: r.decision()}
	switch {
	case out.Decision != nil:
		out.State = ABDecided
	case r.SplitAt.Valid:
		out.State = ABTesting
	}
	out.Variants = variantResults(a, counts)
	j := judge(tallies(a.Metric, out.Variants), a.MinConfidence)
	out.Test, out.Statistic, out.DegreesOfFreedom, out.PValue = j.Test, j.Statistic, j.DF, j.TestPValue
	out.Comparison = Comparison{Best: a.Variants[j.Best].Name, RunnerUp: a.Variants[j.RunnerUp].Name, Z: j.PairZ, PValue: j.PairPValue}
	out.Significant = j.Significant
	rest := counts[""]
	out.Rest = Rest{Held: rest.Held, Pending: rest.Pending, Sent: rest.Sent}
	return out
}

// variantResults are the outcomes of a's variants, in order, from counts.
func variantResults(a ABTest, counts map[string]variantCount) []VariantResult {
	out := make([]VariantResult, len(a.Variants))
	for i, v := range a.Variants {
		c := counts[v.Name]
		out[i] = VariantResult{Name: v.Name, Sent: c.Sent, Opens: c.Opens, Clicks: c.Clicks, Pending: c.Pending}
		out[i].OpenRate, out[i].ClickRate = tally{c.Opens, c.Sent}.rate(), tally{c.Clicks, c.Sent}.rate()
	}
	return out
}

// tallies are the variants' tallies by metric.
func tallies(metric string, vs []VariantResult) []tally {
	out := make([]tally, len(vs))
	for i, v := range vs {
		out[i] = tally{v.Opens, v.Sent}
		if metric == MetricClick {
			out[i].x = v.Clicks
		}
	}
	return out
}
