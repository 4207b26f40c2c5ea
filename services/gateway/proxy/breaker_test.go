package proxy

import (
	"testing"
	"time"
)

func TestBreakers(t *testing.T) {
	type step struct {
		advance   time.Duration
		op        string // "ok", "fail", "release"; every op is preceded by allow
		wantAllow bool
		wantState circuitState // after the op
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"stays closed below the threshold", []step{
			{0, "fail", true, closed}, {0, "fail", true, closed}, {0, "ok", true, closed}, {0, "fail", true, closed}, {0, "fail", true, closed},
		}},
		{"opens after consecutive failures and refuses", []step{
			{0, "fail", true, closed}, {0, "fail", true, closed}, {0, "fail", true, open},
			{time.Second, "", false, open},
		}},
		{"half-open probe success closes", []step{
			{0, "fail", true, closed}, {0, "fail", true, closed}, {0, "fail", true, open},
			{5 * time.Second, "ok", true, closed},
			{0, "ok", true, closed},
		}},
		{"half-open probe failure reopens", []step{
			{0, "fail", true, closed}, {0, "fail", true, closed}, {0, "fail", true, open},
			{5 * time.Second, "fail", true, open},
			{time.Second, "", false, open},
			{5 * time.Second, "ok", true, closed},
		}},
		{"one probe at a time", []step{
			{0, "fail", true, closed}, {0, "fail", true, closed}, {0, "fail", true, open},
			{5 * time.Second, "hold", true, halfOpen},
			{0, "", false, halfOpen},
		}},
		{"released probe lets the next request probe", []step{
			{0, "fail", true, closed}, {0, "fail", true, closed}, {0, "fail", true, open},
			{5 * time.Second, "release", true, open},
			{0, "ok", true, closed},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(1_700_000_000, 0)
			b := newBreakers(BreakerConfig{Failures: 3, CoolDown: 5 * time.Second})
			b.now = func() time.Time { return now }
			for i, s := range tt.steps {
				now = now.Add(s.advance)
				ok, wait := b.allow("up")
				if ok != s.wantAllow {
					t.Fatalf("step %d: allow = %v (wait %v), want %v", i, ok, wait, s.wantAllow)
				}
				if !ok && wait <= 0 {
					t.Errorf("step %d: refused with wait %v, want > 0", i, wait)
				}
				switch s.op {
				case "ok":
					b.done("up", true)
				case "fail":
					b.done("up", false)
				case "release":
					b.release("up")
				}
				if got := b.stateOf("up"); got != s.wantState {
					t.Fatalf("step %d: state = %v, want %v", i, got, s.wantState)
				}
			}
		})
	}
}
