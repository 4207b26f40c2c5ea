package messaging

import (
	"math"
	"testing"
)

// near fails t unless got is within tol of want.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, want %.10g (±%g)", what, got, want, tol)
	}
}

// TestABTwoProportionZAgainstKnownValues checks the z-test against values
// worked by hand: 25% of 1,000 against 20% of 1,000 (pooled 22.5%) is
// z = 0.05 / sqrt(0.225·0.775·0.002) = 2.677398, two-sided p = 0.0074196;
// z = 1.959964 is p = 0.05; empty or one-outcome samples tell nothing.
func TestABTwoProportionZAgainstKnownValues(t *testing.T) {
	z, p := twoProportionZ(250, 1000, 200, 1000)
	near(t, "z", z, 2.677397763, 1e-6)
	near(t, "p", p, 0.007419649, 1e-8)
	z, p = twoProportionZ(200, 1000, 250, 1000)
	near(t, "z (swapped)", z, -2.677397763, 1e-6)
	near(t, "p (swapped)", p, 0.007419649, 1e-8)
	// 1.959964 standard errors apart: pooled 0.5 over 2×10,000,000, se 0.00022361.
	_, p = twoProportionZ(5002191, 10000000, 4997809, 10000000)
	near(t, "p at z≈1.96", p, 0.05, 1e-4)
	for _, c := range [][4]int{{0, 0, 3, 10}, {0, 10, 0, 10}, {10, 10, 10, 10}} {
		if z, p := twoProportionZ(c[0], c[1], c[2], c[3]); z != 0 || p != 1 {
			t.Errorf("twoProportionZ%v = %g, %g; want 0, 1", c, z, p)
		}
	}
}

// TestABChiSquareAgainstKnownValues checks the chi-square test of
// independence: 10, 20 and 30 of 100 each (expected 20 and 80) is
// 5+0+5+1.25+0+1.25 = 12.5 on 2 degrees of freedom, p = e^(-6.25); 20, 30,
// 25 and 45 of 200 each is 13.72549 on 3, p = 0.0033037 (the closed form
// erfc(√(x/2)) + √(2x/π)·e^(-x/2)); for two variants it is z².
func TestABChiSquareAgainstKnownValues(t *testing.T) {
	stat, df, p := chiSquare([]tally{{10, 100}, {20, 100}, {30, 100}})
	near(t, "chi-square", stat, 12.5, 1e-9)
	near(t, "p", p, math.Exp(-6.25), 1e-10)
	if df != 2 {
		t.Errorf("df %d, want 2", df)
	}
	stat, df, p = chiSquare([]tally{{20, 200}, {30, 200}, {25, 200}, {45, 200}})
	near(t, "chi-square of 4", stat, 13.725490196, 1e-8)
	near(t, "p of 4", p, 0.00330365027, 1e-9)
	if df != 3 {
		t.Errorf("df %d, want 3", df)
	}
	z, pz := twoProportionZ(250, 1000, 200, 1000)
	stat, _, p = chiSquare([]tally{{250, 1000}, {200, 1000}})
	near(t, "chi-square of 2 = z²", stat, z*z, 1e-9)
	near(t, "its p = the z-test's", p, pz, 1e-9)
	// A variant that sent nothing is left out; nothing or everything done tells nothing.
	stat, df, _ = chiSquare([]tally{{10, 100}, {0, 0}, {30, 100}})
	if df != 1 || stat <= 0 {
		t.Errorf("with an empty variant: chi-square %g on %d, want > 0 on 1", stat, df)
	}
	for _, ts := range [][]tally{{{0, 100}, {0, 100}, {0, 50}}, {{5, 5}, {7, 7}, {1, 1}}, {{3, 10}, {0, 0}, {0, 0}}} {
		if stat, df, p := chiSquare(ts); stat != 0 || df != 0 || p != 1 {
			t.Errorf("chiSquare(%v) = %g, %d, %g; want 0, 0, 1", ts, stat, df, p)
		}
	}
}

// TestABJudgePicksTheBestWhenSignificant checks the decision rule: the
// best variant (ties: the first) wins when its test is significant at
// minConfidence; with three variants the chi-square test and then the best
// against the runner-up must both be.
func TestABJudgePicksTheBestWhenSignificant(t *testing.T) {
	j := judge([]tally{{200, 1000}, {250, 1000}}, 0.95)
	if j.Best != 1 || j.RunnerUp != 0 || !j.Significant || j.Test != TestZ {
		t.Errorf("25%% against 20%% of 1,000: %+v, want B significantly best by the z-test", j)
	}
	near(t, "p", j.PValue, 0.007419649, 1e-8)
	if j := judge([]tally{{200, 1000}, {250, 1000}}, 0.995); j.Significant {
		t.Errorf("p 0.0074 is significant at 0.995: %+v", j)
	}
	if j := judge([]tally{{5, 50}, {5, 50}, {5, 50}}, 0.95); j.Best != 0 || j.RunnerUp != 1 || j.Significant {
		t.Errorf("a tie: %+v, want the first best, the second runner-up, nothing significant", j)
	}
	// 10%, 30% and 31%: the variants differ (chi-square p 0.00042) but the
	// best is not told apart from the runner-up (z 0.15, p 0.878).
	j = judge([]tally{{10, 100}, {30, 100}, {31, 100}}, 0.95)
	if j.Best != 2 || j.RunnerUp != 1 || j.Significant || j.Test != TestChiSquare {
		t.Errorf("10/30/31%%: %+v, want C best, B runner-up, not significant", j)
	}
	near(t, "chi-square p", j.TestPValue, 0.000423056, 1e-8)
	near(t, "pair p", j.PairPValue, 0.877938672, 1e-8)
	near(t, "decision p", j.PValue, 0.877938672, 1e-8)
	j = judge([]tally{{10, 100}, {12, 100}, {40, 100}, {11, 100}}, 0.95)
	if j.Best != 2 || j.RunnerUp != 1 || !j.Significant || j.DF != 3 {
		t.Errorf("10/12/40/11%%: %+v, want C significantly best on 3 degrees of freedom", j)
	}
}
