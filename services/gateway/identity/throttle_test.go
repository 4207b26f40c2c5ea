package identity

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	th := NewThrottle()
	th.now = func() time.Time { return now }
	tests := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"free attempts", 5, 0},
		{"first lock", 1, time.Second},
		{"doubles", 1, 2 * time.Second},
		{"doubles again", 1, 4 * time.Second},
		{"capped", 30, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range tt.failures {
				th.Fail("acct:x", "ip:y")
			}
			if got := th.Wait("acct:x"); got != tt.want {
				t.Errorf("Wait = %v, want %v", got, tt.want)
			}
		})
	}
	th.Succeed("acct:x")
	if got := th.Wait("acct:x"); got != 0 {
		t.Errorf("after success Wait = %v, want 0", got)
	}
	if got := th.Wait("acct:x", "ip:y"); got != 15*time.Minute {
		t.Errorf("address still locked: Wait = %v, want 15m", got)
	}
}
