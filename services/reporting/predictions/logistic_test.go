package predictions

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// synthWin returns n closed opportunities (closing one per hour from
// start) and their stage moves, won by chance: more likely with many
// stage moves and from referral leads (the planted signal), the amount
// noise.
func synthWin(n int, seed uint64, start time.Time) winHistory {
	r := rand.New(rand.NewPCG(seed, 1))
	var h winHistory
	for i := range n {
		created := start.Add(time.Duration(i) * time.Hour)
		closed := created.Add(time.Duration(10+r.IntN(50)) * 24 * time.Hour)
		moves := r.IntN(5)
		source := []string{"web", "referral", "event"}[r.IntN(3)]
		logit := -2.0 + 0.9*float64(moves)
		if source == "referral" {
			logit += 1.5
		}
		status := "lost"
		if r.Float64() < sigmoid(logit) {
			status = "won"
		}
		id := "o" + string(rune('a'+i%26)) + time.Duration(i).String()
		h.Opportunities = append(h.Opportunities, opportunity{ID: id, Status: status, AmountMinor: int64(1000 + r.IntN(100000)),
			Exponent: 2, Owner: []string{"u1", "u2", "u3"}[r.IntN(3)], Source: source, Created: created, Closed: &closed})
		for k := range moves {
			h.Moves = append(h.Moves, stageMove{Opportunity: id, At: created.Add(time.Duration(k+1) * time.Hour), Kind: "open"})
		}
	}
	return h
}

func TestPredictionsLogitFindsThePlantedSignal(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h := synthWin(2000, 7, start)
	now := start.Add(2000*time.Hour + 90*24*time.Hour)
	open := opportunity{ID: "open-1", Status: "open", AmountMinor: 5000, Exponent: 2, Owner: "u1", Source: "referral", Created: now.Add(-48 * time.Hour)}
	h.Opportunities = append(h.Opportunities, open)
	for k := range 4 {
		h.Moves = append(h.Moves, stageMove{Opportunity: "open-1", At: open.Created.Add(time.Duration(k+1) * time.Hour), Kind: "open"})
	}
	out, err := trainWin(h, now)
	if err != nil {
		t.Fatal(err)
	}
	m := out.Model
	if m.Status != StatusReady || m.Metric.Value < 0.75 {
		t.Fatalf("model %+v metric %+v, want ready with AUC ≥ 0.75", m, m.Metric)
	}
	if !m.TrainPeriod.To.Equal(m.HeldOutPeriod.From) || m.TestSize < 400 || m.TestSize > 420 {
		t.Errorf("split: train %v, held out %v, test size %d", m.TrainPeriod, m.HeldOutPeriod, m.TestSize)
	}
	if len(out.Scores) != 1 || out.Scores[0].Probability < 0.8 {
		t.Fatalf("scores %+v, want the planted deal likely", out.Scores)
	}
	var names []string
	for _, f := range out.Scores[0].Factors {
		names = append(names, f.Feature)
		if f.Effect <= 0 || !strings.HasSuffix(f.Text, "raises the chance") {
			t.Errorf("factor %+v, want one raising the chance", f)
		}
	}
	if got := strings.Join(names[:2], ","); got != "stageMoves,source:referral" && got != "source:referral,stageMoves" {
		t.Errorf("top factors %v, want stage moves and the referral source first", names)
	}
}

func TestPredictionsAUC(t *testing.T) {
	for _, c := range []struct {
		scores []float64
		y      []bool
		want   float64
	}{
		{[]float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{[]float64{0.1, 0.2, 0.8, 0.9}, []bool{true, true, false, false}, 0},
		{[]float64{0.5, 0.5, 0.5, 0.5}, []bool{true, false, true, false}, 0.5},
		{[]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
	} {
		if got := auc(c.scores, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("auc(%v, %v) = %v, want %v", c.scores, c.y, got, c.want)
		}
	}
}

func TestPredictionsHoltWintersFollowsASeason(t *testing.T) {
	pattern := []float64{12, 4, 5, 3}
	var y []float64
	for i := range 24 {
		y = append(y, pattern[i%4]+0.1*float64(i))
	}
	got := fitHoltWinters(y, 4).forecast(8)
	for i, v := range got {
		want := pattern[i%4] + 0.1*float64(24+i)
		if math.Abs(v-want) > 1 {
			t.Errorf("week %d: forecast %.2f, want about %.2f (all %v)", i, v, want, got)
		}
	}
}

func TestPredictionsDemandNeedsTwelveWeeks(t *testing.T) {
	now := time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC) // a Wednesday
	end := weekStart(now)
	var counts []weekCount
	for w := 1; w <= 11; w++ {
		counts = append(counts, weekCount{Queue: "short", Week: end.Add(-time.Duration(w) * week), Cases: 3})
	}
	out := trainDemand(counts, now)
	if out.Model.Status != StatusNotEnoughData || !strings.Contains(out.Model.Reason, "12 complete weeks") {
		t.Fatalf("model %+v, want notEnoughData", out.Model)
	}
	counts = append(counts, weekCount{Queue: "short", Week: end.Add(-12 * week), Cases: 3},
		weekCount{Queue: "short", Week: end, Cases: 99}) // the current week is incomplete: left out
	out = trainDemand(counts, now)
	if out.Model.Status != StatusReady || len(out.Forecasts) != 1 || len(out.Forecasts[0].Weeks) != demandAhead {
		t.Fatalf("outcome %+v, want one queue forecast %d weeks ahead", out, demandAhead)
	}
	f := out.Forecasts[0]
	if f.Weeks[0].Week != "2026-12-07" || f.MAE > 0.01 || math.Abs(f.Weeks[0].Cases-3) > 0.05 {
		t.Errorf("forecast %+v, want 3 a week from 2026-12-07", f)
	}
	if !f.HeldOut.From.Equal(end.Add(-4*week)) || !f.HeldOut.To.Equal(end) {
		t.Errorf("held out %v, want the last 4 complete weeks", f.HeldOut)
	}
}

// BenchmarkTrainWin trains the win model on 100,000 closed opportunities
// (and their stage moves) of synthetic rows, no database: the issue's
// target is 30 s.
func BenchmarkTrainWin(b *testing.B) {
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	h := synthWin(100_000, 3, start)
	now := start.Add(100_000*time.Hour + 90*24*time.Hour)
	b.ResetTimer()
	for b.Loop() {
		if _, err := trainWin(h, now); err != nil {
			b.Fatal(err)
		}
	}
}
