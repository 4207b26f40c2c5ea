package messaging

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// The tests an A/B test's winner is judged by, as ABResults names them.
const (
	// TestZ is the test of two variants: a two-sided two-proportion
	// z-test with the pooled proportion.
	TestZ = "two-proportion z-test (two-sided, pooled)"
	// TestChiSquare is the test of three or four variants: Pearson's
	// chi-square test of independence of the variants and the metric
	// (k-1 degrees of freedom), then TestZ of the best variant against
	// the runner-up; both must be significant.
	TestChiSquare = "chi-square test of independence (k-1 degrees of freedom), then the two-proportion z-test of the best against the runner-up"
)

// tally is a variant's outcome in its test share: of n messages sent,
// x did what the test's metric counts.
type tally struct {
	x, n int
}

// rate is x/n (0 when nothing was sent).
func (t tally) rate() float64 {
	if t.n == 0 {
		return 0
	}
	return float64(t.x) / float64(t.n)
}

// judgement is what the test of tallies found: the best variant and the
// runner-up (indexes; ties go to the first), the test and its statistic,
// degrees of freedom and p-value, for three or four variants the z-test
// of the best against the runner-up, and PValue, the larger p-value of
// the tests the decision needs: significant when it is below
// 1-minConfidence and the best rate is above the runner-up's.
type judgement struct {
	Best, RunnerUp int
	Test           string
	Statistic      float64
	DF             int
	TestPValue     float64
	PairZ          float64
	PairPValue     float64
	PValue         float64
	Significant    bool
}

// judge tests tallies (two to four variants, in order) at minConfidence.
func judge(tallies []tally, minConfidence float64) judgement {
	j := judgement{Best: 0, RunnerUp: -1}
	for i, t := range tallies {
		if t.rate() > tallies[j.Best].rate() {
			j.Best = i
		}
	}
	for i, t := range tallies {
		if i != j.Best && (j.RunnerUp < 0 || t.rate() > tallies[j.RunnerUp].rate()) {
			j.RunnerUp = i
		}
	}
	b, r := tallies[j.Best], tallies[j.RunnerUp]
	j.PairZ, j.PairPValue = twoProportionZ(b.x, b.n, r.x, r.n)
	if len(tallies) == 2 {
		j.Test, j.Statistic, j.DF, j.TestPValue = TestZ, j.PairZ, 0, j.PairPValue
	} else {
		j.Test = TestChiSquare
		j.Statistic, j.DF, j.TestPValue = chiSquare(tallies)
	}
	j.PValue = math.Max(j.TestPValue, j.PairPValue)
	j.Significant = b.rate() > r.rate() && j.PValue < 1-minConfidence
	return j
}

// twoProportionZ is the z statistic of the difference of the proportions
// x1/n1 and x2/n2 under the pooled proportion, and its two-sided p-value
// (z 0 and p 1 when either sample is empty or the pooled proportion is 0
// or 1: there is nothing to tell apart).
func twoProportionZ(x1, n1, x2, n2 int) (z, p float64) {
	if n1 == 0 || n2 == 0 {
		return 0, 1
	}
	pooled := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(pooled * (1 - pooled) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 0, 1
	}
	z = (float64(x1)/float64(n1) - float64(x2)/float64(n2)) / se
	return z, 2 * distuv.UnitNormal.Survival(math.Abs(z))
}

// chiSquare is Pearson's chi-square statistic of the 2×k table of
// tallies (did, did not) over the variants that sent anything, its
// degrees of freedom k-1 and its p-value (0, 0 and 1 when fewer than two
// variants sent anything or every message or none did it).
func chiSquare(tallies []tally) (stat float64, df int, p float64) {
	var x, n int
	var used []tally
	for _, t := range tallies {
		if t.n > 0 {
			used = append(used, t)
			x, n = x+t.x, n+t.n
		}
	}
	if len(used) < 2 || x == 0 || x == n {
		return 0, 0, 1
	}
	share := float64(x) / float64(n)
	for _, t := range used {
		did, didNot := share*float64(t.n), (1-share)*float64(t.n)
		stat += sq(float64(t.x)-did)/did + sq(float64(t.n-t.x)-didNot)/didNot
	}
	df = len(used) - 1
	return stat, df, distuv.ChiSquared{K: float64(df)}.Survival(stat)
}

// sq is v².
func sq(v float64) float64 { return v * v }
