package soak

import (
	"math"
	"testing"
	"time"
)

// TestSoakTrends fits a line through samples taken after the warm-up: a
// process growing 2 MiB a minute is out of the 1 MiB bound, a flat one
// within it; samples before the warm-up are left out.
func TestSoakTrends(t *testing.T) {
	if s := Slope([]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}); math.Abs(s-2) > 1e-9 {
		t.Fatalf("slope %v, want 2", s)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var samples []Sample
	for i := range 10 {
		at := start.Add(time.Duration(i) * time.Minute)
		samples = append(samples,
			Sample{At: at, Proc: "grows", Values: map[string]float64{RSS: float64(i) * 2 * (1 << 20)}},
			Sample{At: at, Proc: "flat", Values: map[string]float64{RSS: 50 << 20}})
	}
	samples = append(samples, Sample{At: start.Add(-time.Minute), Proc: "flat", Values: map[string]float64{RSS: 1}})
	trends := Trends(samples, start, DefaultBounds)
	if len(trends) != 2 {
		t.Fatalf("trends %+v", trends)
	}
	for _, tr := range trends {
		want := tr.Proc == "flat"
		if tr.WithinBounds != want || tr.Points != 10 {
			t.Errorf("%s: slope %.0f/min, within bounds %v (want %v), %d points", tr.Proc, tr.PerMinute, tr.WithinBounds, want, tr.Points)
		}
	}
}
