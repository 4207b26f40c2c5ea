package predictions

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// The win model: a logistic regression, per tenant, of whether a closed
// opportunity was won, on features knowable while it was open, taken as
// of its close (for training) or now (for scoring): its amount, its stage
// moves so far, its age, its owner's and account's record before it, the
// activity on its account and the source of the lead it was converted
// from. The latest winTestShare of the closed opportunities by close time
// are held out (a time-based split) and their AUC reported; the model
// that scores the open ones is fitted on all of them.

// The minimum history of a win model: closed opportunities in all, and of
// each class (won, lost) in the training and the held-out periods.
const (
	winMinClosed     = 40
	winMinTrainClass = 8
	winMinTestClass  = 4
)

// winTestShare is the share of the closed opportunities, the latest by
// close time, held out.
const winTestShare = 0.2

// activityWindow is how far back activities on an account count.
const activityWindow = 90 * 24 * time.Hour

// The most lead sources the win model gives a feature of their own, and
// how many training opportunities a source needs for one.
const (
	maxSources      = 6
	minSourceDeals  = 5
	winModelPrefix  = "win-lr-"
	winMetric       = "AUC"
	winFeatureCount = 6 // the features before the sources'
)

// winBase are the win model's features before the lead sources'.
var winBase = [winFeatureCount]feature{
	{Name: "amount", phrase: level("Amount")},
	{Name: "stageMoves", phrase: count("stage moves so far")},
	{Name: "daysOpen", phrase: count("days open")},
	{Name: "ownerWinRate", phrase: func(v float64, rel string) string {
		return fmt.Sprintf("Owner's win rate before it %.0f%%, %s", v*100, rel)
	}},
	{Name: "accountWins", phrase: count("earlier won deals on the account")},
	{Name: "accountActivities", phrase: count("activities on the account in the last 90 days")},
}

// opportunity is what the win model reads of an opportunity (the active
// generation's, not deleted; its account with merges resolved, its
// source the lead it was converted from).
type opportunity struct {
	ID          string     `db:"id"`
	Status      string     `db:"status"`
	AmountMinor int64      `db:"amount_minor"`
	Exponent    int        `db:"exponent"`
	Owner       string     `db:"owner_id"`
	Account     string     `db:"account_id"`
	Source      string     `db:"source"`
	Created     time.Time  `db:"created_at"`
	Closed      *time.Time `db:"closed_at"`
}

// stageMove is a move of an opportunity into a stage of kind (open, won,
// lost).
type stageMove struct {
	Opportunity string    `db:"opportunity_id"`
	At          time.Time `db:"at"`
	Kind        string    `db:"kind"`
}

// touch is something that happened to an account at At: an activity, a
// case, a won deal.
type touch struct {
	Account string    `db:"account_id"`
	At      time.Time `db:"at"`
}

// winHistory is a tenant's history as the win model reads it.
type winHistory struct {
	Opportunities []opportunity
	Moves         []stageMove
	Activities    []touch
}

// winRow is an opportunity's features as of its reference time, its
// source apart until the sources with features are known.
type winRow struct {
	id     string
	x      []float64
	source string
	won    bool
	at     time.Time // closed_at of a closed one
}

// winScore is an open opportunity's probability and factors.
type winScore struct {
	ID          string
	Probability float64
	Factors     []Factor
}

// winOutcome is a training of the win model: the model's record and, when
// ready, the scores of the open opportunities.
type winOutcome struct {
	Model  Model
	Scores []winScore
}

// winFeatures computes the features of every opportunity of h: closed
// ones as of their close, open ones as of now.
func winFeatures(h winHistory, now time.Time) (closed, open []winRow) {
	moves, ownerClosed, ownerWon, accountWon, activities := timeline{}, timeline{}, timeline{}, timeline{}, timeline{}
	for _, m := range h.Moves {
		if m.Kind == "open" {
			moves.add(m.Opportunity, m.At)
		}
	}
	for _, o := range h.Opportunities {
		if o.Closed == nil || o.Status == "open" {
			continue
		}
		ownerClosed.add(o.Owner, *o.Closed)
		if o.Status == "won" {
			ownerWon.add(o.Owner, *o.Closed)
			if o.Account != "" {
				accountWon.add(o.Account, *o.Closed)
			}
		}
	}
	for _, a := range h.Activities {
		activities.add(a.Account, a.At)
	}
	for _, tl := range []timeline{moves, ownerClosed, ownerWon, accountWon, activities} {
		tl.sort()
	}
	for _, o := range h.Opportunities {
		ref := now
		isClosed := o.Status != "open"
		if isClosed {
			if o.Closed == nil {
				continue
			}
			ref = *o.Closed
		}
		won, all := ownerWon.before(o.Owner, ref), ownerClosed.before(o.Owner, ref)
		x := []float64{
			math.Log1p(math.Max(0, float64(o.AmountMinor)) / math.Pow10(o.Exponent)),
			float64(moves.before(o.ID, ref)),
			math.Max(0, math.Floor(ref.Sub(o.Created).Hours()/24)),
			(float64(won) + 1) / (float64(all) + 2), // smoothed: ½ for a new owner
			0, 0,
		}
		if o.Account != "" {
			x[4] = float64(accountWon.before(o.Account, ref))
			x[5] = float64(activities.within(o.Account, ref.Add(-activityWindow), ref))
		}
		r := winRow{id: o.ID, x: x, source: o.Source, won: o.Status == "won", at: ref}
		if isClosed {
			closed = append(closed, r)
		} else {
			open = append(open, r)
		}
	}
	return closed, open
}

// pickSources returns the lead sources of train with a feature of their
// own: those of at least minSourceDeals opportunities, the commonest
// maxSources, by count then name.
func pickSources(train []winRow) []string {
	counts := map[string]int{}
	for _, r := range train {
		if r.source != "" {
			counts[r.source]++
		}
	}
	var out []string
	for s, n := range counts {
		if n >= minSourceDeals {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	return out[:min(len(out), maxSources)]
}

// withSources returns the rows' full feature vectors: the base features
// and one 0/1 per source of sources.
func withSources(rows []winRow, sources []string) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		x := append(make([]float64, 0, len(r.x)+len(sources)), r.x...)
		for _, s := range sources {
			if r.source == s {
				x = append(x, 1)
			} else {
				x = append(x, 0)
			}
		}
		out[i] = x
	}
	return out
}

// winFeatureList returns the features of a model with sources.
func winFeatureList(sources []string) []feature {
	out := slices.Clone(winBase[:])
	for _, s := range sources {
		out = append(out, feature{Name: "source:" + s,
			phrase: oneHot("Came from a lead of source "+strconv.Quote(s), "Not from a lead of source "+strconv.Quote(s))})
	}
	return out
}

// splitByTime splits rows (sorted by at) into those before the cutoff and
// the held-out ones at or after it: the latest share of them, ties at the
// cutoff held out too.
func splitByTime(rows []winRow, share float64) (train, test []winRow) {
	if len(rows) == 0 {
		return nil, nil
	}
	cut := rows[len(rows)-int(math.Ceil(float64(len(rows))*share))].at
	i, _ := slices.BinarySearchFunc(rows, cut, func(r winRow, t time.Time) int { return r.at.Compare(t) })
	return rows[:i], rows[i:]
}

// classes counts the won and lost rows.
func classes(rows []winRow) (won, lost int) {
	for _, r := range rows {
		if r.won {
			won++
		} else {
			lost++
		}
	}
	return won, lost
}

// trainWin trains the win model on h as of now.
func trainWin(h winHistory, now time.Time) (winOutcome, error) {
	m := Model{Kind: KindWin, Version: winModelPrefix + strconv.FormatInt(now.Unix(), 10), TrainedAt: &now}
	closed, open := winFeatures(h, now)
	slices.SortStableFunc(closed, func(a, b winRow) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.id, b.id)) })
	if len(closed) < winMinClosed {
		return winOutcome{Model: notEnough(m, "only %d closed opportunities (won or lost); the win model needs %d", len(closed), winMinClosed)}, nil
	}
	train, test := splitByTime(closed, winTestShare)
	m.TrainSize, m.TestSize = len(train), len(test)
	m.TrainPeriod = &Period{From: train[0].at, To: test[0].at}
	m.HeldOutPeriod = &Period{From: test[0].at, To: test[len(test)-1].at.Add(time.Second)}
	if w, l := classes(train); w < winMinTrainClass || l < winMinTrainClass {
		return winOutcome{Model: notEnough(m, "the training period has %d won and %d lost opportunities; the win model needs %d of each", w, l, winMinTrainClass)}, nil
	}
	if w, l := classes(test); w < winMinTestClass || l < winMinTestClass {
		return winOutcome{Model: notEnough(m, "the held-out period has %d won and %d lost opportunities; the win model needs %d of each", w, l, winMinTestClass)}, nil
	}
	sources := pickSources(train)
	value, err := heldOutAUC(withSources(train, sources), labels(train), withSources(test, sources), labels(test))
	if err != nil {
		return winOutcome{}, err
	}
	m.Status, m.Metric = StatusReady, &Metric{Name: winMetric, Value: round(value, 4)}
	// The model that scores: fitted on every closed opportunity.
	sources = pickSources(closed)
	all := withSources(closed, sources)
	s := fitScaler(all, len(winBase)+len(sources))
	fit, err := fitLogit(s.all(all), labels(closed), len(s.Mean))
	if err != nil {
		return winOutcome{}, err
	}
	features := winFeatureList(sources)
	out := winOutcome{Model: m}
	for i, x := range withSources(open, sources) {
		z := s.z(x)
		out.Scores = append(out.Scores, winScore{ID: open[i].id, Probability: round(fit.prob(z), 4),
			Factors: factors(features, fit, x, z, "chance")})
	}
	return out, nil
}

// labels returns the rows' labels (won).
func labels(rows []winRow) []bool {
	out := make([]bool, len(rows))
	for i, r := range rows {
		out[i] = r.won
	}
	return out
}

// heldOutAUC fits a model on the training rows (standardised by their own
// means and deviations) and returns its AUC on the held-out ones.
func heldOutAUC(train [][]float64, trainY []bool, test [][]float64, testY []bool) (float64, error) {
	s := fitScaler(train, len(train[0]))
	fit, err := fitLogit(s.all(train), trainY, len(s.Mean))
	if err != nil {
		return 0, err
	}
	scores := make([]float64, len(test))
	for i, x := range test {
		scores[i] = fit.prob(s.z(x))
	}
	return auc(scores, testY), nil
}

// notEnough returns m with status notEnoughData and the reason.
func notEnough(m Model, format string, args ...any) Model {
	m.Status, m.Reason = StatusNotEnoughData, fmt.Sprintf(format, args...)
	return m
}
