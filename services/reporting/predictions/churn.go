package predictions

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// The churn model: a logistic regression, per tenant, of whether a
// customer account (one with a won deal before a reference time T)
// churns: has no won deal, activity or case in (T, T+ChurnHorizon]. Its
// features are as of T: recency, frequency and monetary value of its won
// deals, its activities and cases in the 90 days before T and its
// average CSAT. Time-based: the held-out reference is the latest whose
// horizon has passed (now − ChurnHorizon), the training references the
// ones a horizon and more before it (so no training label looks past the
// held-out reference); the model that scores every customer account now
// is fitted on all of them.

// ChurnHorizon is how long without a won deal, activity or case makes an
// account churned.
const ChurnHorizon = 180 * 24 * time.Hour

// churnTrainRefs are the training references, each this far before the
// first one (held-out reference − ChurnHorizon): more examples from a
// short history.
var churnTrainRefs = []time.Duration{0, 90 * 24 * time.Hour, 180 * 24 * time.Hour}

// The minimum history of a churn model: training examples in all, and of
// each class (churned, stayed) in training and held out.
const (
	churnMinTrain      = 40
	churnMinTrainClass = 8
	churnMinTestClass  = 4
	churnModelPrefix   = "churn-lr-"
)

// churnFeatures are the churn model's features.
var churnFeatures = []feature{
	{Name: "recencyDays", phrase: count("days since the last won deal")},
	{Name: "wonDeals", phrase: count("won deals")},
	{Name: "wonAmount", phrase: level("Total won amount")},
	{Name: "activities90d", phrase: count("activities on the account in the last 90 days")},
	{Name: "cases90d", phrase: count("cases in the last 90 days")},
	{Name: "csat", phrase: func(v float64, rel string) string { return fmt.Sprintf("Average CSAT %.1f, %s", v, rel) }},
}

// wonDeal is a won opportunity of an account (merges resolved): when it
// closed and its amount in major units.
type wonDeal struct {
	Account string    `db:"account_id"`
	At      time.Time `db:"at"`
	Amount  float64   `db:"amount"`
}

// csatAnswer is a CSAT answer (1-5) about a case of an account.
type csatAnswer struct {
	Account string    `db:"account_id"`
	At      time.Time `db:"at"`
	Score   float64   `db:"score"`
}

// churnHistory is a tenant's history as the churn model reads it; Gone
// are accounts deleted or merged away, which are not scored.
type churnHistory struct {
	Won        []wonDeal
	Activities []touch
	Cases      []touch
	CSAT       []csatAnswer
	Gone       map[string]bool
}

// churnRow is an account's features as of a reference time and whether
// it churned after it.
type churnRow struct {
	account string
	x       []float64
	churned bool
}

// accountScore is a customer account's churn risk and factors.
type accountScore struct {
	ID      string
	Risk    float64
	Factors []Factor
}

// churnOutcome is a training of the churn model.
type churnOutcome struct {
	Model  Model
	Scores []accountScore
}

// churnIndex is h sorted per account for features as of any time.
type churnIndex struct {
	deals            map[string][]wonDeal // by time
	won, acts, cases timeline
	csat             map[string][]csatAnswer
	accounts         []string
}

// indexChurn builds the index of h.
func indexChurn(h churnHistory) churnIndex {
	ix := churnIndex{deals: map[string][]wonDeal{}, won: timeline{}, acts: timeline{}, cases: timeline{}, csat: map[string][]csatAnswer{}}
	for _, d := range h.Won {
		ix.deals[d.Account] = append(ix.deals[d.Account], d)
		ix.won.add(d.Account, d.At)
	}
	for _, a := range h.Activities {
		ix.acts.add(a.Account, a.At)
	}
	for _, c := range h.Cases {
		ix.cases.add(c.Account, c.At)
	}
	for _, s := range h.CSAT {
		ix.csat[s.Account] = append(ix.csat[s.Account], s)
	}
	for _, tl := range []timeline{ix.won, ix.acts, ix.cases} {
		tl.sort()
	}
	for a := range ix.deals {
		ix.accounts = append(ix.accounts, a)
	}
	slices.Sort(ix.accounts)
	return ix
}

// rows returns the features as of t of every account with a won deal by
// then, and whether it churned in the horizon after t; csat is NaN for
// an account without an answer by t (imputed later).
func (ix churnIndex) rows(t time.Time) []churnRow {
	var out []churnRow
	for _, a := range ix.accounts {
		last, ok := ix.won.last(a, t)
		if !ok {
			continue
		}
		var n, amount float64
		for _, d := range ix.deals[a] {
			if !d.At.After(t) {
				n++
				amount += math.Max(0, d.Amount)
			}
		}
		var sum, answers float64
		for _, s := range ix.csat[a] {
			if !s.At.After(t) {
				sum += s.Score
				answers++
			}
		}
		csat := math.NaN()
		if answers > 0 {
			csat = sum / answers
		}
		x := []float64{math.Floor(t.Sub(last).Hours() / 24), n, math.Log1p(amount),
			float64(ix.acts.after(a, t.Add(-activityWindow), t)), float64(ix.cases.after(a, t.Add(-activityWindow), t)), csat}
		end := t.Add(ChurnHorizon)
		churned := ix.won.after(a, t, end)+ix.acts.after(a, t, end)+ix.cases.after(a, t, end) == 0
		out = append(out, churnRow{account: a, x: x, churned: churned})
	}
	return out
}

// csatMean is the mean CSAT of the rows that have one (3, the scale's
// middle, without any).
func csatMean(rows []churnRow) float64 {
	var sum, n float64
	for _, r := range rows {
		if !math.IsNaN(r.x[5]) {
			sum += r.x[5]
			n++
		}
	}
	if n == 0 {
		return 3
	}
	return sum / n
}

// fillCSAT replaces a missing CSAT (NaN) in rows by mean, the mean of the
// rows a model is fitted on: a missing answer weighs (almost) nothing.
func fillCSAT(rows []churnRow, mean float64) {
	for _, r := range rows {
		if math.IsNaN(r.x[5]) {
			r.x[5] = mean
		}
	}
}

// trainChurn trains the churn model on h as of now.
func trainChurn(h churnHistory, now time.Time) (churnOutcome, error) {
	m := Model{Kind: KindChurn, Version: churnModelPrefix + strconv.FormatInt(now.Unix(), 10), TrainedAt: &now}
	ix := indexChurn(h)
	testRef := now.Add(-ChurnHorizon)
	first := testRef.Add(-ChurnHorizon)
	var train []churnRow
	for _, back := range churnTrainRefs {
		train = append(train, ix.rows(first.Add(-back))...)
	}
	test := ix.rows(testRef)
	m.TrainSize, m.TestSize = len(train), len(test)
	m.TrainPeriod = &Period{From: first.Add(-churnTrainRefs[len(churnTrainRefs)-1]), To: testRef}
	m.HeldOutPeriod = &Period{From: testRef, To: now}
	if len(train) < churnMinTrain {
		return churnOutcome{Model: notEnough(m, "only %d account histories to learn from before %s; the churn model needs %d",
			len(train), testRef.Format(time.DateOnly), churnMinTrain)}, nil
	}
	if c, s := churnClasses(train); c < churnMinTrainClass || s < churnMinTrainClass {
		return churnOutcome{Model: notEnough(m, "the training period has %d churned and %d retained accounts; the churn model needs %d of each",
			c, s, churnMinTrainClass)}, nil
	}
	if c, s := churnClasses(test); c < churnMinTestClass || s < churnMinTestClass {
		return churnOutcome{Model: notEnough(m, "the held-out period has %d churned and %d retained accounts; the churn model needs %d of each",
			c, s, churnMinTestClass)}, nil
	}
	fillCSAT(test, csatMean(train))
	fillCSAT(train, csatMean(train))
	value, err := heldOutAUC(churnX(train), churnY(train), churnX(test), churnY(test))
	if err != nil {
		return churnOutcome{}, err
	}
	m.Status, m.Metric = StatusReady, &Metric{Name: winMetric, Value: round(value, 4)}
	all := slices.Concat(train, test)
	current := ix.rows(now)
	fillCSAT(current, csatMean(all))
	s := fitScaler(churnX(all), len(churnFeatures))
	fit, err := fitLogit(s.all(churnX(all)), churnY(all), len(churnFeatures))
	if err != nil {
		return churnOutcome{}, err
	}
	out := churnOutcome{Model: m}
	for _, r := range current {
		if h.Gone[r.account] {
			continue
		}
		z := s.z(r.x)
		out.Scores = append(out.Scores, accountScore{ID: r.account, Risk: round(fit.prob(z), 4),
			Factors: factors(churnFeatures, fit, r.x, z, "risk")})
	}
	slices.SortFunc(out.Scores, func(a, b accountScore) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// churnClasses counts the churned and retained rows.
func churnClasses(rows []churnRow) (churned, stayed int) {
	for _, r := range rows {
		if r.churned {
			churned++
		} else {
			stayed++
		}
	}
	return churned, stayed
}

// churnX and churnY are the rows' features and labels.
func churnX(rows []churnRow) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = r.x
	}
	return out
}

func churnY(rows []churnRow) []bool {
	out := make([]bool, len(rows))
	for i, r := range rows {
		out[i] = r.churned
	}
	return out
}
